"""timex stage: temporal expressions resolved against the publication date.

Public API: :func:`find_timexes`, :func:`annotate_timexes`, :func:`infer_dct`,
:data:`DEFAULT_ANCHORS` and :func:`load_anchors`. Patterns, word lists, cue words and
anchor dates are data in ``vigil/rules/timex/en/*.yaml``.
"""

from .dct import DctGuess, infer_dct
from .finder import DEFAULT_ANCHORS, annotate_timexes, find_timexes
from .grammar import default_anchors as load_anchors

__all__ = ["DEFAULT_ANCHORS", "DctGuess", "annotate_timexes", "find_timexes", "infer_dct", "load_anchors"]
