/*
 * course-rise-widgets: ipywidgets in jupyterlab-rise slideshows.
 *
 * Why: jupyterlab-rise (0.43) opens a slideshow in its own small application
 * (/rise/<notebook>). That application shares fewer JupyterLab modules than
 * JupyterLab itself; it has no @jupyterlab/console. The ipywidgets manager
 * (@jupyter-widgets/jupyterlab-manager >= 5.0.11) asks for that module when it
 * loads, fails ("Shared module @jupyterlab/console doesn't exist in shared
 * scope default"), and every widget in the slides falls back to its plain-text
 * form, e.g. "BrainstormWidget(children=...)".
 * (Reported upstream: jupyterlab-contrib/rise issues 119 and 126.)
 *
 * What: a hand-written federated-extension container. When a
 * page's shared scope has no @jupyterlab/console, it adds a stand-in that only
 * exports the IConsoleTracker token. The widget manager uses the console
 * tracker as an optional service, so with no console in the slideshow it gets
 * null and works. In JupyterLab itself, which has the real module, this does
 * nothing. Every extension's init runs before any extension module is created
 * (see RISE's and JupyterLab's loaders), so the stand-in is in place in time.
 *
 * Also (plugin "course-rise-widgets:keyboard"): keyboard use of the course's
 * exercise widgets. In a notebook's command mode JupyterLab takes arrow keys,
 * Enter, Space and letters for its own shortcuts whenever the focused element
 * is not a text field (its ":read-write" test), so a drop-down, radio button or
 * check box inside a widget could not be operated from the keyboard: ArrowDown
 * on a drop-down moved to the next cell instead (WCAG 2.1.1). Lumino skips
 * shortcuts for a key pressed on an element marked data-lm-suppress-shortcuts;
 * the plugin marks such a control inside a course exercise just before a key
 * without Ctrl, Alt or Meta reaches it, and unmarks it for other keys, so
 * Ctrl+S still saves and Escape and Tab behave as everywhere else.
 */
(function () {
  "use strict";
  var NAME = "course-rise-widgets";
  var CONSOLE = "@jupyterlab/console";
  var registry = (window._JUPYTERLAB = window._JUPYTERLAB || {});
  var consoleModule = {
    IConsoleTracker: {
      name: "@jupyterlab/console:IConsoleTracker",
      description: "Stand-in token from course-rise-widgets: there is no console in a slideshow."
    }
  };
  var SUPPRESS = "data-lm-suppress-shortcuts";
  var CONTROLS = "select, input[type=radio], input[type=checkbox], button";
  function markForKey(event) {
    var target = event.target;
    if (!target || !target.matches || !target.matches(CONTROLS) || !target.closest(".course-exercise")) {
      return;
    }
    var modified = event.ctrlKey || event.altKey || event.metaKey;
    if (modified || event.key === "Escape" || event.key === "Tab") {
      target.removeAttribute(SUPPRESS);
    } else {
      target.setAttribute(SUPPRESS, "true");
    }
  }
  var keyboardPlugin = {
    id: NAME + ":keyboard",
    description: "Arrow keys, Space and Enter operate the course's widget controls, not notebook shortcuts.",
    autoStart: true,
    activate: function () {
      window.addEventListener("keydown", markForKey, true); // capture: before Lumino sees the key
    }
  };
  registry[NAME] = {
    init: function (scope) {
      if (!scope || (scope[CONSOLE] && Object.keys(scope[CONSOLE]).length > 0)) {
        return; // the real module is there (JupyterLab): change nothing
      }
      scope[CONSOLE] = {
        "0.0.0": {
          from: NAME,
          eager: false,
          loaded: 1,
          get: function () {
            return Promise.resolve(function () {
              return consoleModule;
            });
          }
        }
      };
    },
    get: function (module) {
      if (module !== "./extension") {
        return Promise.reject(new Error(NAME + " has no module " + module));
      }
      return Promise.resolve(function () {
        return { __esModule: true, default: [keyboardPlugin] };
      });
    }
  };
})();
