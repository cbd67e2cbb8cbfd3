"""Build and run vigil's document pipeline: nlp -> timex -> geo -> extract, then fuse.

Stages are looked up by name in ``STAGES``; each entry knows which heavy
resource it needs (the spaCy model, the gazetteer). Resources are built once per
process and passed in, so a ``Pipeline`` can be rebuilt cheaply on a worker.

>>> from vigil.pipeline import DEFAULT_STAGES
>>> DEFAULT_STAGES
('nlp', 'timex', 'geo', 'extract')
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from vigil.errors import ConfigError, InputError, StageError
from vigil.schema import Article, Event

log = logging.getLogger(__name__)

EXTRACTOR_VERSION = "vigil-extract/0.1"
DEFAULT_STAGES: tuple[str, ...] = ("nlp", "timex", "geo", "extract")


@dataclass(frozen=True)
class StageSpec:
    """Where a stage's function lives and which resource it takes as second argument."""

    module: str
    function: str
    resource: str | None
    requires: tuple[str, ...]
    assigns: tuple[str, ...]


STAGES: dict[str, StageSpec] = {
    "nlp": StageSpec("vigil.nlp", "parse_article", "nlp", ("text",), ("sentences", "entities")),
    "timex": StageSpec("vigil.timex", "annotate_timexes", None, ("text", "published"), ("timexes",)),
    "geo": StageSpec("vigil.geo", "geoparse_article", "gazetteer", ("text", "entities"), ("places",)),
    "extract": StageSpec(
        "vigil.extract",
        "extract_article",
        None,
        ("sentences", "entities", "timexes", "places"),
        ("events", "claims"),
    ),
}
_PROVIDED_BY_INPUT = {"text", "published"}


@dataclass
class Resources:
    """Heavy, read-only resources shared by the stages of one process."""

    nlp: Any = None
    gazetteer: Any = None

    @classmethod
    def load(cls, stages: Sequence[str] = DEFAULT_STAGES, *, model: str | None = None,
             gazetteer_path: str | None = None) -> Resources:
        """Load what ``stages`` need: the spaCy model for nlp, the gazetteer for geo."""
        res = cls()
        if "nlp" in stages:
            from vigil.nlp import load_model

            res.nlp = load_model(model) if model else load_model()
        if "geo" in stages:
            from vigil.geo import load_gazetteer

            res.gazetteer = load_gazetteer(gazetteer_path)
        return res


@dataclass
class Pipeline:
    """An ordered list of document stages (``Article -> Article``)."""

    stages: list[tuple[str, Callable[[Article], Article]]] = field(default_factory=list)
    # the first stage over many articles at once (spaCy is faster on big batches), when it can
    first_batch: Callable[[Sequence[Article]], list[Article]] | None = None

    @property
    def names(self) -> list[str]:
        return [n for n, _ in self.stages]

    def __call__(self, article: Article, *, skip_first: bool = False) -> Article:
        for k, (name, fn) in enumerate(self.stages):
            if skip_first and k == 0:
                continue
            try:
                article = fn(article)
            except InputError:
                raise
            except Exception as e:  # a stage bug: name the stage and the document
                raise StageError(f"{type(e).__name__}: {e}", stage=name, doc_id=article.id) from e
        return article

    def first_stage_batch(self, articles: Sequence[Article]) -> list[Article] | None:
        """The first stage run over ``articles`` together, or None when it cannot batch or failed
        (the caller then runs the documents one by one, which names the failing one)."""
        if self.first_batch is None or not articles:
            return None
        try:
            return self.first_batch(articles)
        except Exception:  # noqa: BLE001 - retried document by document, where the error is reported
            log.debug("batched %s stage failed; running the documents one by one", self.stages[0][0],
                      exc_info=True)
            return None


def check_order(stages: Sequence[str]) -> None:
    """Refuse a stage list where a stage needs a field no earlier stage provides.

    Raises:
        ConfigError: unknown stage name, or a requirement without an earlier provider.
    """
    provided = set(_PROVIDED_BY_INPUT)
    for name in stages:
        if name not in STAGES:
            raise ConfigError(f"Unknown stage {name!r}. Available: {', '.join(STAGES)}")
        spec = STAGES[name]
        missing = [r for r in spec.requires if r not in provided]
        # extract can run without timex/geo (no dates/places), but not without nlp
        if name == "extract":
            missing = [m for m in missing if m in ("sentences", "entities")]
        if missing:
            providers = [n for n, s in STAGES.items() if set(missing) & set(s.assigns)]
            raise ConfigError(
                f"Stage {name!r} needs {', '.join(missing)}, provided by stage(s) {', '.join(providers)}: "
                "put them earlier in the pipeline."
            )
        provided.update(spec.assigns)


def build_pipeline(stages: Sequence[str] = DEFAULT_STAGES, resources: Resources | None = None, *,
                   select_sentences: bool = True) -> Pipeline:
    """Build a pipeline from stage names, binding each stage to its resource.

    Args:
        select_sentences: when extract runs, spaCy parses only the sentences that hold a trigger word
            (``vigil.extract.trigger_prefilter``); False parses every sentence.
    """
    check_order(stages)
    resources = resources or Resources.load(stages)
    out: list[tuple[str, Callable[[Article], Article]]] = []
    for name in stages:
        spec = STAGES[name]
        fn = getattr(importlib.import_module(spec.module), spec.function)
        if spec.resource is not None:
            res = getattr(resources, spec.resource)
            if res is None:
                raise ConfigError(f"Stage {name!r} needs the {spec.resource} resource; load it first.")
            out.append((name, _bind(fn, res)))
        else:
            out.append((name, fn))
    first_batch = None
    if stages and stages[0] == "nlp":
        from vigil.nlp import parse_articles

        nlp = resources.nlp
        select = _sentence_selector(stages, nlp) if select_sentences else None

        def first_batch(arts: Sequence[Article]) -> list[Article]:
            return list(parse_articles(arts, nlp, select=select))

        out[0] = ("nlp", lambda a: importlib.import_module("vigil.nlp").parse_article(a, nlp, select=select))
    pipeline = Pipeline(out, first_batch)
    _warm_up(pipeline, resources)
    return pipeline


# an invented two-paragraph report that reaches every stage's rule files and indexes
_WARM_UP_TEXT = ("Residents rally in Kherson\n\nHundreds of residents rallied in Kherson on Wednesday, blocking a "
                 "convoy of Russian trucks, officials said.")


def _warm_up(pipeline: Pipeline, resources: Resources) -> None:
    """Build the per-process caches (rule files, trigger indexes, gazetteer keys) at load time, so that
    the first document is not charged for them."""
    importlib.import_module("vigil.fuse")  # process_articles clusters with it; its imports are slow
    if resources.gazetteer is not None:
        from vigil.geo import prepare_gazetteer

        prepare_gazetteer(resources.gazetteer)
    try:
        pipeline(Article(id="warm-up", text=_WARM_UP_TEXT, published=date(2022, 3, 4)))
    except (StageError, InputError):
        log.debug("warm-up document failed", exc_info=True)


def _sentence_selector(stages: Sequence[str], nlp: Any) -> Callable[[str], bool] | None:
    """The nlp stage's sentence filter when extract runs: only sentences with a trigger word are parsed
    (timex and geo still read every sentence's text); None (parse all) otherwise."""
    if "extract" not in stages:
        return None
    from vigil.extract import trigger_prefilter

    return trigger_prefilter(nlp=nlp)


def _bind(fn: Callable[[Article, Any], Article], res: Any) -> Callable[[Article], Article]:
    def stage(article: Article) -> Article:
        return fn(article, res)

    return stage


def article_from_record(record: dict[str, Any], *, source: str = "<input>") -> Article:
    """An Article from a {id, text, title, published|dct, outlet, url} mapping (bench/test input).

    Raises:
        InputError: no id or no text, or a published date that is not an ISO date.
    """
    doc_id = record.get("id")
    text = record.get("text")
    if doc_id is None or not isinstance(text, str) or not text.strip():
        raise InputError("record needs a non-empty 'id' and 'text'", source=source)
    published = record.get("published", record.get("dct"))
    if isinstance(published, str) and published:
        try:
            published = date.fromisoformat(published[:10])
        except ValueError as e:
            raise InputError(f"published date {published!r} is not an ISO date", source=source) from e
    return Article(
        id=str(doc_id),
        text=text,
        title=record.get("title"),
        published=published or None,
        outlet=record.get("outlet"),
        url=record.get("url"),
    )


def process_articles(
    articles: Iterable[Article],
    pipeline: Pipeline,
    *,
    existing: Sequence[Event] = (),
    on_error: Callable[[Article, Exception], None] | None = None,
    progress: Callable[[Article], None] | None = None,
) -> list[Article]:
    """Run the document stages over each article, then assign cluster ids across all of them.

    A document whose stages fail is reported to ``on_error`` (or re-raised when
    none is given) and left out; the others go on.
    """
    from vigil.fuse import assign_clusters

    done: list[Article] = []
    chunk: list[Article] = []

    def run(chunk: list[Article]) -> None:
        first = pipeline.first_stage_batch(chunk)
        for k, article in enumerate(chunk):
            try:
                if first is not None:
                    done.append(pipeline(first[k], skip_first=True))
                else:
                    done.append(pipeline(article))
            except (StageError, InputError) as e:
                if on_error is None:
                    raise
                on_error(article, e)
            if progress is not None:
                progress(article)

    for article in articles:
        chunk.append(article)
        if len(chunk) >= _CHUNK:
            run(chunk)
            chunk = []
    if chunk:
        run(chunk)
    return assign_clusters(done, existing=existing)


_CHUNK = 16  # articles parsed together by the nlp stage


def process_documents(docs: Sequence[dict[str, Any]], pipeline: Pipeline | None = None) -> list[Article]:
    """Convenience for benches and tests: records in, processed and clustered Articles out."""
    pipeline = pipeline or build_pipeline()
    return process_articles([article_from_record(d) for d in docs], pipeline)
