"""Event triggers: words and phrases that announce an event of one type.

Trigger rules are data (``vigil/rules/extract/<lang>/triggers*.yaml``, schema
``vigil.rules.trigger.v1``). A rule matches a single token by its lemma (with an
optional part-of-speech filter) or a multi-token phrase, on the lowercased lemma
sequence or the lowercased token sequence. ``requires_any`` and ``excludes_any``
look at the other lemmas of the sentence to keep precision ("strike" of workers
versus a missile strike); ``requires_also`` is a second list of which one lemma
must be present too (a victim and a perpetrator). On parsed sentences, optional
``subject_any`` / ``subject_excludes_any`` check the lemma of the trigger verb's
subject, and ``object_any`` / ``object_ents`` / ``object_excludes_any`` /
``object_excludes_ents`` its object (direct object, passive subject, or the
"of" complement of a noun), when there is one; with ``named_object`` a PERSON
object counts only for a name the article gives in full (``named_people``). A two-word phrase whose second
word is a particle also matches split ("pushed the cars back").

When a sentence was not parsed (no tokens), the raw sentence text is matched
with regular expressions built from the same rules (lemma plus common English
inflections), so nothing is lost, only less precise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from vigil.errors import RuleError
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import ACLED_SUB_TO_TYPE, EVENT_TYPES, INTERVENTIONS, Mention, Sentence, Token, full_name_words

TRIGGER_SCHEMA = "vigil.rules.trigger.v1"
_WORD = re.compile(r"[\w'’-]+", re.UNICODE)
_PHRASE_WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_SYNTAX_KEYS = ("requires_also", "subject_any", "subject_excludes_any", "object_any", "object_excludes_any")
_ENT_KEYS = ("object_ents", "object_excludes_ents")
_SUBJ_DEPS = frozenset({"nsubj", "csubj"})
_OBJ_DEPS = frozenset({"dobj", "obj", "nsubjpass"})
_PARTICLE_DEPS = frozenset({"prt", "advmod", "advcl", "npadvmod"})
_POS_TAGS = frozenset(
    "ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB X".split()
)


@dataclass(frozen=True)
class TriggerRule:
    """One trigger rule (an item of ``rules:`` in a ``triggers*.yaml`` file)."""

    id: str
    type: str
    lemmas: frozenset[str] = frozenset()
    pos: frozenset[str] = frozenset()
    phrases: tuple[tuple[str, ...], ...] = ()
    requires_any: frozenset[str] = frozenset()
    excludes_any: frozenset[str] = frozenset()
    requires_also: frozenset[str] = frozenset()
    subject_any: frozenset[str] = frozenset()
    subject_excludes_any: frozenset[str] = frozenset()
    object_any: frozenset[str] = frozenset()
    object_ents: frozenset[str] = frozenset()
    object_excludes_any: frozenset[str] = frozenset()
    object_excludes_ents: frozenset[str] = frozenset()
    # a PERSON object counts only when the article gives that name in full ("Oleh Marchenko" ...
    # "captured Marchenko"): a lone capitalised word the NER calls a person is often a town
    named_object: bool = False
    sub_event_type: str | None = None
    intervention: str | None = None
    weight: float = 1.0
    source: str = ""


@dataclass(frozen=True)
class TriggerHit:
    """A trigger found in a sentence: character offsets into the article text."""

    rule: TriggerRule
    start: int
    end: int
    text: str
    sentence: int
    head_token: int | None


def _words(values: Any, *, where: str, key: str) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise RuleError(f"{where}: '{key}' must be a list of non-empty strings")
    return [v.strip().lower() for v in values]


def parse_trigger_rule(raw: dict[str, Any], *, source: str) -> TriggerRule:
    """Validate one raw rule mapping and build a ``TriggerRule``.

    Raises:
        RuleError: unknown type, sub-event type, intervention or POS tag, or a rule with nothing to match.
    """
    rid = str(raw.get("id"))
    where = f"{source}: rule {rid!r}"
    etype = raw.get("type")
    if etype not in EVENT_TYPES:
        raise RuleError(f"{where}: unknown type {etype!r}. Allowed: {', '.join(EVENT_TYPES)}")
    sub = raw.get("sub_event_type")
    if sub is not None and sub not in ACLED_SUB_TO_TYPE:
        raise RuleError(f"{where}: unknown sub_event_type {sub!r}. Allowed: {', '.join(ACLED_SUB_TO_TYPE)}")
    inter = raw.get("intervention")
    if inter is not None and inter not in INTERVENTIONS:
        raise RuleError(f"{where}: unknown intervention {inter!r}. Allowed: {', '.join(INTERVENTIONS)}")
    pos = [p.upper() for p in _words(raw.get("pos"), where=where, key="pos")]
    bad = [p for p in pos if p not in _POS_TAGS]
    if bad:
        raise RuleError(f"{where}: unknown POS tag(s) {bad}. Allowed: {', '.join(sorted(_POS_TAGS))}")
    lemmas = _words(raw.get("lemmas"), where=where, key="lemmas")
    phrases = tuple(
        tuple(_PHRASE_WORD.findall(p)) for p in _words(raw.get("phrases"), where=where, key="phrases")
    )
    phrases = tuple(p for p in phrases if p)
    if not lemmas and not phrases:
        raise RuleError(f"{where}: a trigger rule needs 'lemmas' or 'phrases'")
    ents = {k: frozenset(e.upper() for e in _words(raw.get(k), where=where, key=k)) for k in _ENT_KEYS}
    try:
        weight = float(raw.get("weight", 1.0))
    except (TypeError, ValueError) as e:
        raise RuleError(f"{where}: weight must be a number") from e
    return TriggerRule(
        id=rid,
        type=etype,
        lemmas=frozenset(lemmas),
        pos=frozenset(pos),
        phrases=phrases,
        requires_any=frozenset(_words(raw.get("requires_any"), where=where, key="requires_any")),
        excludes_any=frozenset(_words(raw.get("excludes_any"), where=where, key="excludes_any")),
        **{k: frozenset(_words(raw.get(k), where=where, key=k)) for k in _SYNTAX_KEYS},
        **ents,
        named_object=bool(raw.get("named_object", False)),
        sub_event_type=sub,
        intervention=inter,
        weight=weight,
        source=Path(source).name,
    )


def trigger_files(lang: str = "en") -> list[Path]:
    """Every ``triggers*.yaml`` file of the extract stage for ``lang``, in name order."""
    return sorted(rules_dir("extract", lang).glob("triggers*.yaml"))


@lru_cache(maxsize=8)
def load_trigger_rules(lang: str = "en") -> tuple[TriggerRule, ...]:
    """Load and validate every ``triggers*.yaml`` rule file of the extract stage.

    Raises:
        RuleError: a file with the wrong schema, an invalid rule, or an id used in two files.
    """
    out: list[TriggerRule] = []
    seen: dict[str, str] = {}
    for path in trigger_files(lang):
        data = load_rule_file(str(path))
        if data.get("schema") != TRIGGER_SCHEMA:
            raise RuleError(f"{path}: schema must be {TRIGGER_SCHEMA!r}, not {data.get('schema')!r}")
        for raw in data.get("rules") or []:
            rule = parse_trigger_rule(raw, source=str(path))
            if rule.id in seen:
                raise RuleError(f"{path}: rule id {rule.id!r} is already used in {seen[rule.id]}")
            seen[rule.id] = path.name
            out.append(rule)
    return tuple(out)


@dataclass(frozen=True)
class _Index:
    by_lemma: dict[str, tuple[TriggerRule, ...]]
    by_first: dict[str, tuple[tuple[TriggerRule, tuple[str, ...]], ...]]
    regexes: tuple[tuple[TriggerRule, re.Pattern[str]], ...]
    any_rx: re.Pattern[str] | None = None  # every rule's forms at once: a sentence without a match has no hit


def _inflections(word: str) -> str:
    w = re.escape(word)
    if word.endswith("e"):
        stem = re.escape(word[:-1])
        return rf"(?:{w}[sd]?|{stem}ing)"
    if word.endswith("y") and len(word) > 2:
        stem = re.escape(word[:-1])
        return rf"(?:{w}s?|{stem}(?:ies|ied)|{w}ing|{w}ed)"
    return rf"(?:{w}(?:s|es|ed|ing)?|{w}{w[-1]}(?:ed|ing))"


def _phrase_regex(words: tuple[str, ...]) -> str:
    out = _inflections(words[0]) if words[0][0].isalnum() else re.escape(words[0])
    for prev, w in zip(words, words[1:], strict=False):
        sep = r"\s+" if prev[-1].isalnum() and w[0].isalnum() else r"\s*"
        out += sep + (_inflections(w) if w[0].isalnum() else re.escape(w))
    return out


@lru_cache(maxsize=8)
def _index(rules: tuple[TriggerRule, ...]) -> _Index:
    by_lemma: dict[str, list[TriggerRule]] = {}
    by_first: dict[str, list[tuple[TriggerRule, tuple[str, ...]]]] = {}
    regexes = []
    alts_all: set[str] = set()
    for r in rules:
        for lem in r.lemmas:
            by_lemma.setdefault(lem, []).append(r)
        for ph in r.phrases:
            by_first.setdefault(ph[0], []).append((r, ph))
        alts = [_inflections(lem) for lem in sorted(r.lemmas)]
        alts += [_phrase_regex(ph) for ph in r.phrases]
        alts_all.update(alts)
        regexes.append((r, re.compile(r"(?<![\w])(?:" + "|".join(alts) + r")(?![\w])", re.IGNORECASE)))
    return _Index(
        by_lemma={k: tuple(v) for k, v in by_lemma.items()},
        by_first={k: tuple(v) for k, v in by_first.items()},
        regexes=tuple(regexes),
        any_rx=re.compile(r"(?<![\w])(?:" + "|".join(sorted(alts_all, key=lambda a: (-len(a), a))) + r")(?![\w])",
                          re.IGNORECASE) if alts_all else None,
    )


def _context_ok(rule: TriggerRule, words: frozenset[str]) -> bool:
    if rule.requires_any and not (rule.requires_any & words):
        return False
    if rule.requires_also and not (rule.requires_also & words):
        return False
    return not (rule.excludes_any and rule.excludes_any & words)


def _syntax_ok(rule: TriggerRule, tok: Token, toks: Sequence[Token], people: frozenset[str] | None = None) -> bool:
    """Subject / object constraints of ``rule`` around the trigger token (parsed sentences only).
    For a ``named_object`` rule given ``people`` (see ``named_people``), an object the NER calls
    PERSON counts as one only when it is a word of a full name the article gives."""
    if not (rule.subject_any or rule.subject_excludes_any or rule.object_any or rule.object_ents
            or rule.object_excludes_any or rule.object_excludes_ents):
        return True
    kids = [t for t in toks if t.head == tok.i and t.i != tok.i]
    if tok.pos in ("VERB", "AUX"):
        subj = [t for t in kids if t.dep in _SUBJ_DEPS]
        obj = [t for t in kids if t.dep in _OBJ_DEPS]
    else:
        subj = []
        of = [t for t in kids if t.dep == "prep" and t.text.lower() == "of"]
        obj = [t for t in toks if of and t.head == of[0].i and t.dep == "pobj"]
    if not subj and tok.pos in ("VERB", "AUX"):
        # passive: "was closed by the occupiers"
        agents = [t for t in kids if t.dep == "agent"]
        subj = [t for t in toks if agents and t.head == agents[0].i and t.dep == "pobj"]
    if rule.subject_any and not subj:
        return False
    if subj:
        lem = _norm(subj[0].lemma or subj[0].text)
        if rule.subject_any and lem not in rule.subject_any:
            return False
        if rule.subject_excludes_any and lem in rule.subject_excludes_any:
            return False
    if obj:
        o = obj[0]
        lem = _norm(o.lemma or o.text)
        ent = o.ent_type.upper()
        if ent == "PERSON" and rule.named_object and people is not None and _norm(o.text) not in people:
            ent = ""  # "Russian troops seized Hostomel": a town the NER took for a person
        if (rule.object_any or rule.object_ents) and not (lem in rule.object_any or ent in rule.object_ents):
            return False
        if lem in rule.object_excludes_any or (ent and ent in rule.object_excludes_ents):
            return False
    return True


def _norm(s: str) -> str:
    return s.lower().replace("’", "'")


def _split_particle(toks: Sequence[Token], n: int, particle: str, lemmas: list[str], lowers: list[str]) -> bool:
    """``toks[n]`` is a verb with ``particle`` as a child further on ("pushed the tanks back")."""
    head = toks[n]
    if head.pos != "VERB":
        return False
    return any(toks[m].head == head.i and toks[m].dep in _PARTICLE_DEPS and particle in (lemmas[m], lowers[m])
               for m in range(n + 2, min(len(toks), n + 8)))


def _match_tokens(sentence: Sentence, text: str, idx: _Index, people: frozenset[str] | None) -> list[TriggerHit]:
    toks: list[Token] = sentence.tokens
    lemmas = [_norm(t.lemma or t.text) for t in toks]
    lowers = [_norm(t.text) for t in toks]
    counts: dict[str, int] = {}
    for w in (*lemmas, *lowers):
        counts[w] = counts.get(w, 0) + 1
    words = frozenset(counts)
    hits: list[TriggerHit] = []
    for n, t in enumerate(toks):
        for rule in idx.by_lemma.get(lemmas[n], ()):
            if rule.pos and t.pos not in rule.pos:
                continue
            # the trigger itself does not count as its own context
            own = {lemmas[n], lowers[n]}
            others = frozenset(w for w in words if w not in own or counts[w] > (2 if lemmas[n] == lowers[n] else 1))
            if _context_ok(rule, others) and _syntax_ok(rule, t, toks, people):
                end = t.start + len(t.text)
                hits.append(TriggerHit(rule, t.start, end, text[t.start:end], sentence.i, t.i))
        for first in {lemmas[n], lowers[n]}:
            for rule, ph in idx.by_first.get(first, ()):
                k = len(ph)
                if n + k > len(toks):
                    continue
                if tuple(lemmas[n:n + k]) != ph and tuple(lowers[n:n + k]) != ph:
                    if k == 2 and _split_particle(toks, n, ph[1], lemmas, lowers) and _context_ok(rule, words):
                        end = t.start + len(t.text)
                        hits.append(TriggerHit(rule, t.start, end, text[t.start:end], sentence.i, t.i))
                    continue
                if not _context_ok(rule, words) or not _syntax_ok(rule, toks[n], toks, people):
                    continue
                span = toks[n:n + k]
                head = next((x.i for x in span if not (span[0].i <= x.head <= span[-1].i) or x.head == x.i),
                            span[0].i)
                end = span[-1].start + len(span[-1].text)
                hits.append(TriggerHit(rule, span[0].start, end, text[span[0].start:end], sentence.i, head))
    return hits


def _match_raw(sentence: Sentence, text: str, idx: _Index) -> list[TriggerHit]:
    chunk = text[sentence.start:sentence.end]
    if idx.any_rx is not None and idx.any_rx.search(chunk) is None:
        return []
    words = frozenset(_norm(w) for w in _WORD.findall(chunk))
    # crude lemma view for context checks: also strip common endings
    words = words | frozenset(re.sub(r"(ies|es|s|ed|ing)$", "", w) for w in words)
    hits: list[TriggerHit] = []
    for rule, rx in idx.regexes:
        if rule.requires_any and not (rule.requires_any & words
                                      or any(w.startswith(tuple(rule.requires_any)) for w in words)):
            continue
        if rule.excludes_any and rule.excludes_any & words:
            continue
        for m in rx.finditer(chunk):
            s, e = sentence.start + m.start(), sentence.start + m.end()
            hits.append(TriggerHit(rule, s, e, text[s:e], sentence.i, None))
    return hits


def named_people(entities: Iterable[Mention]) -> frozenset[str]:
    """The lower-cased words of the PERSON entities of two words or more (``full_name_words``: "Ivan
    Hrytsenko" gives "ivan" and "hrytsenko"), split as tokens are ("Jean-Pierre" gives "jean" and
    "pierre"): a lone word the NER calls a person is only trusted when it is one of them."""
    return frozenset(p for w in full_name_words(entities) for p in re.findall(r"\w+", _norm(w)))


def match_triggers(sentence: Sentence, text: str, rules: Sequence[TriggerRule],
                   people: frozenset[str] | None = None) -> list[TriggerHit]:
    """All trigger hits of ``rules`` in one sentence, ordered by position.

    Args:
        sentence: a sentence of the article; parsed sentences are matched on tokens,
            unparsed ones on their raw text.
        text: the full article text (offsets are absolute).
        rules: trigger rules, usually ``load_trigger_rules()``.
        people: ``named_people(article.entities)``: for ``named_object`` rules, a PERSON object
            counts as a person only when it is one of these words (``None``: the NER's label as it is).
    """
    rules = tuple(rules)
    if not rules or sentence.end <= sentence.start:
        return []
    idx = _index(rules)
    if sentence.parsed and sentence.tokens:
        hits = _match_tokens(sentence, text, idx, people)
    else:
        hits = _match_raw(sentence, text, idx)
    hits.sort(key=lambda h: (h.start, -(h.end - h.start), h.rule.id))
    return hits


def _irregular_forms(nlp: Any, lemmas: frozenset[str]) -> dict[str, str]:
    """Irregular inflections of ``lemmas`` from the model's lemmatizer exception table, as form -> lemma
    ("shot" -> "shoot")."""
    out: dict[str, str] = {}
    try:
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_exc")
    except (KeyError, ValueError, AttributeError):
        return out
    for key in table:
        forms = table[key]
        if not isinstance(forms, dict):
            continue
        for form, lems in forms.items():
            for lem in lems or ():
                if str(lem).lower() in lemmas:
                    out[str(form).lower()] = str(lem).lower()
    return out


def _forms(word: str) -> set[str]:
    """The surface forms ``_inflections`` matches for ``word`` (regular English inflections)."""
    w = word.lower()
    if w.endswith("e"):
        return {w, w + "s", w + "d", w[:-1] + "ing"}
    if w.endswith("y") and len(w) > 2:
        return {w, w + "s", w[:-1] + "ies", w[:-1] + "ied", w + "ing", w + "ed"}
    return {w, w + "s", w + "es", w + "ed", w + "ing", w + w[-1] + "ed", w + w[-1] + "ing"}


@dataclass(frozen=True)
class TriggerPrefilter:
    """A cheap test of whether a sentence may hold a trigger, from its set of lowercased words: for some
    rule, a form of one of its lemmas is there (regular inflections, plus the irregular forms of the
    model's lemmatizer: "shot", "fled") or every word of one of its phrases is, and, when the rule has
    ``requires_any``, a form of one of those words too. Used to parse only such sentences; it errs
    towards keeping a sentence (no order, exclusion or syntax checks)."""

    # per rule: (alternatives, each a tuple of word-form sets that must all be present; required forms)
    rules: tuple[tuple[tuple[tuple[frozenset[str], ...], ...], frozenset[str]], ...]
    index: dict[str, tuple[int, ...]]  # a form -> the rules it can start

    def __call__(self, sentence: str) -> bool:
        words = set(_WORD.findall(sentence.lower().replace("\u2019", "'")))
        words |= {p for w in words if "-" in w for p in w.split("-")}
        tried: set[int] = set()
        for w in words:
            for k in self.index.get(w, ()):
                if k in tried:
                    continue
                tried.add(k)
                alts, required = self.rules[k]
                if required and not (required & words):
                    continue
                if any(all(forms & words for forms in alt) for alt in alts):
                    return True
        return False


def trigger_prefilter(rules: Sequence[TriggerRule] | None = None, nlp: Any = None) -> TriggerPrefilter:
    """The sentence pre-filter of ``rules`` (every trigger file when None); ``nlp`` adds the irregular
    forms its lemmatizer knows."""
    rules = tuple(rules) if rules is not None else load_trigger_rules()
    vocab: set[str] = set()
    for r in rules:
        vocab |= set(r.lemmas) | set(r.requires_any) | {w for ph in r.phrases for w in ph}
    irregular: dict[str, set[str]] = {}
    if nlp is not None:
        for form, lem in _irregular_forms(nlp, frozenset(vocab)).items():
            irregular.setdefault(lem, set()).add(form)

    def forms(word: str) -> frozenset[str]:
        return frozenset(_forms(word) | irregular.get(word, set()))

    out: list[tuple[tuple[tuple[frozenset[str], ...], ...], frozenset[str]]] = []
    index: dict[str, list[int]] = {}
    for r in rules:
        alts = [(forms(lem),) for lem in sorted(r.lemmas)]
        alts += [tuple(forms(w) for w in ph if w[0].isalnum()) for ph in r.phrases]
        alts = [a for a in alts if a]
        required = frozenset().union(*(forms(w) for w in r.requires_any)) if r.requires_any else frozenset()
        k = len(out)
        out.append((tuple(alts), required))
        for a in alts:
            for f in a[0]:
                index.setdefault(f, []).append(k)
    return TriggerPrefilter(tuple(out), {f: tuple(ks) for f, ks in index.items()})
