"""Which timex of a sentence governs an event, and how: syntactic helpers of the event-date assignment.

``vigil.extract.events`` dates each event from the timexes of its sentence (then
the scene-setting sentence before, then defaults). These pure functions read the
dependency parse of one sentence to decide:

- which timex belongs to the trigger's own clause (``governs``): "Soldiers
  detained the mayor on Friday, a day after residents rallied on Thursday";
- whether a timex dates an *earlier* event the trigger is related to
  (``prior_event``): "residents took to the streets after the abduction of the
  mayor on Saturday" dates the abduction, which is a lower bound of the protest;
  "residents protested on Sunday against the arrest" dates the protest, which is
  an upper bound of the arrest;
- whether a clock time carries no date of its own ("at about 08:45");
- whether the clause verb says the event is ongoing ("the convoy continues to
  advance": started before the publication day).

The word lists come from ``vigil/rules/extract/en/anchors.yaml``
(``prior_words``, ``prior_governors``, ``ongoing_verbs``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from vigil.schema import Timex, Token

if TYPE_CHECKING:
    from vigil.extract.events import SentenceView

_CLOCK = re.compile(r"\d{1,2}(?:[:.]\d{2})?\s*(?:a\.?\s?m\.?|p\.?\s?m\.?|h|hrs|hours)?", re.I)
_CLOCK_LEAD = re.compile(r"^(?:(?:at|about|around|approximately|some)\s+){1,2}")  # "at about 08:45"
_NOMINAL = ("NOUN", "PROPN")
_VERBAL = ("VERB", "AUX")


def lemma(t: Token) -> str:
    """The lower-cased lemma (the text when the parser gave none)."""
    return (t.lemma or t.text).lower().replace("’", "'")


def timex_tokens(t: Timex, view: SentenceView) -> list[Token]:
    """The tokens of the sentence that lie inside the timex."""
    return [x for x in view.sentence.tokens if t.start <= x.start < t.end]


def timex_head(t: Timex, view: SentenceView) -> Token | None:
    """The token of the timex phrase whose syntactic head lies outside the phrase."""
    toks = timex_tokens(t, view)
    inside = {x.i for x in toks}
    for x in toks:
        if x.head == x.i or x.head not in inside:
            return x
    return toks[0] if toks else None


def ancestors(tok: Token, view: SentenceView, limit: int = 12) -> list[Token]:
    """The words above ``tok`` in the parse, nearest first."""
    out: list[Token] = []
    seen = {tok.i}
    cur = view.head(tok)
    while cur is not None and cur.i not in seen and len(out) < limit:
        out.append(cur)
        seen.add(cur.i)
        cur = view.head(cur)
    return out


def is_clock_time(t: Timex) -> bool:
    """A bare clock time ("08:45", "at 5 pm"): it dates nothing beside a calendar date of the sentence."""
    if t.type != "TIME":
        return False
    words = _CLOCK_LEAD.sub("", t.text.strip().lower())
    return _CLOCK.fullmatch(words) is not None


def is_prior_event(x: Token, view: SentenceView, prior_words: frozenset[str],
                   prior_governors: frozenset[str]) -> bool:
    """``x`` names an event that precedes the event of the words above it: "after the abduction",
    "in protest against the arrest", "protested the detention", "after soldiers detained the mayor",
    "following the seizure"."""
    h = view.head(x)
    if h is None:
        return False
    if x.pos in _NOMINAL and x.dep == "pobj" and h.pos in ("ADP", "SCONJ") and lemma(h) in prior_words:
        return True
    if x.pos in _NOMINAL and x.dep in ("dobj", "obj") and lemma(h) in prior_governors:
        return True
    if x.pos in _VERBAL and x.dep == "pcomp" and lemma(h) in prior_words:
        return True
    if x.pos in _VERBAL and x.dep == "advcl":
        return any(k.dep == "mark" and lemma(k) in prior_words for k in view.children.get(x.i, []))
    return False


def low_attached_noun(t: Timex, view: SentenceView) -> Token | None:
    """The noun right before "on <timex>" ("the abduction on Friday"): a date phrase after an event noun is read
    as dating that noun, whatever verb the parser hung it on."""
    toks = timex_tokens(t, view)
    if not toks:
        return None
    prep = view.tok.get(toks[0].i - 1)
    noun = view.tok.get(toks[0].i - 2)
    if prep is None or noun is None or prep.pos != "ADP" or noun.pos not in _NOMINAL:
        return None
    return noun


def governs(t: Timex, tok: Token | None, view: SentenceView | None) -> bool:
    """The timex hangs off the trigger or off the verb of the trigger's clause, with no other verb between."""
    if tok is None or view is None:
        return False
    head = timex_head(t, view)
    if head is None:
        return False
    targets = {tok.i, view.clause_verb(tok).i}
    for x in ancestors(head, view):
        if x.i in targets:
            return True
        if x.pos in _VERBAL:
            return False
    return False


def prior_relation(t: Timex, tok: Token | None, view: SentenceView | None, prior_words: frozenset[str],
                   prior_governors: frozenset[str]) -> str | None:
    """How a timex of the sentence bounds the trigger's event through an earlier event.

    ``before`` when the trigger names the earlier event and the timex dates the later one ("protested on
    Sunday against the arrest": the arrest ends by Sunday); ``after`` when the timex sits on an earlier
    event the trigger follows ("rallied after the abduction on Saturday": the rally starts on Saturday);
    None otherwise.
    """
    if tok is None or view is None or not (prior_words or prior_governors):
        return None
    head = timex_head(t, view)
    if head is None:
        return None
    path = [head, *ancestors(head, view)]
    low = low_attached_noun(t, view)
    if low is not None and low.i not in {x.i for x in path} \
            and is_prior_event(low, view, prior_words, prior_governors):
        path = [head, low, *ancestors(low, view)]
    on_path = {x.i for x in path}
    if tok.i not in on_path and is_prior_event(tok, view, prior_words, prior_governors):
        return "before"
    above_tok = {x.i for x in ancestors(tok, view)}
    for x in path:
        if x.i == tok.i:
            break
        if x.i not in above_tok and is_prior_event(x, view, prior_words, prior_governors):
            return "after"
    return None


def is_ongoing(tok: Token | None, view: SentenceView | None, ongoing_verbs: frozenset[str]) -> bool:
    """The trigger's clause says the event goes on ("the convoy continues to advance", "protests continue",
    "residents keep gathering"): it began before the report, so the present tense does not date it."""
    if tok is None or view is None or not ongoing_verbs:
        return False
    verb = view.clause_verb(tok)
    if lemma(verb) in ongoing_verbs:
        return True
    h = view.head(verb)
    return verb.dep == "xcomp" and h is not None and lemma(h) in ongoing_verbs
