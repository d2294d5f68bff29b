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
 * What: a hand-written federated-extension container with no plugins. When a
 * page's shared scope has no @jupyterlab/console, it adds a stand-in that only
 * exports the IConsoleTracker token. The widget manager uses the console
 * tracker as an optional service, so with no console in the slideshow it gets
 * null and works. In JupyterLab itself, which has the real module, this does
 * nothing. Every extension's init runs before any extension module is created
 * (see RISE's and JupyterLab's loaders), so the stand-in is in place in time.
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
        return { __esModule: true, default: [] }; // no plugins
      });
    }
  };
})();
