"""Did the training work? Kirkpatrick's levels for the course, as data and arithmetic.

``settings``: evaluation.yaml (which pre/post-test question belongs to which module, the follow-up,
the certificate's pass marks); ``gain``: pre/post scores per module and the normalised gain;
``followup_export``: the updated action plan after 30 days, as Markdown and printable HTML.
"""

from .settings import EvaluationSettings, ModuleItems, load_evaluation

__all__ = ["EvaluationSettings", "ModuleItems", "load_evaluation"]
