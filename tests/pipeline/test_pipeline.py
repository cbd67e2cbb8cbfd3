import pytest

from vigil.errors import ConfigError, InputError
from vigil.pipeline import article_from_record, build_pipeline, check_order


def test_check_order_refuses_extract_before_nlp():
    with pytest.raises(ConfigError, match="provided by stage"):
        check_order(["extract"])


def test_check_order_refuses_unknown_stage():
    with pytest.raises(ConfigError, match="Unknown stage 'nope'"):
        check_order(["nlp", "nope"])


def test_article_from_record_parses_dates_and_aliases():
    a = article_from_record({"id": 7, "text": "x", "dct": "2022-03-04T10:00:00"})
    assert a.id == "7" and str(a.published) == "2022-03-04"


@pytest.mark.parametrize("record", [{"id": "a"}, {"text": "x"}, {"id": "a", "text": "  "}])
def test_article_from_record_rejects_missing_fields(record):
    with pytest.raises(InputError):
        article_from_record(record)


def test_article_from_record_rejects_bad_date():
    with pytest.raises(InputError, match="2022-13-45"):
        article_from_record({"id": "a", "text": "x", "published": "2022-13-45"})


@pytest.mark.model
def test_pipeline_runs_all_stages_on_a_short_report():
    pipe = build_pipeline()
    assert pipe.names == ["nlp", "timex", "geo", "extract"]
    a = article_from_record({"id": "t1", "published": "2022-03-04",
                             "text": "Residents rally in Kherson\n\nHundreds of residents rallied in Kherson on "
                                     "Wednesday against the Russian occupation."})
    out = pipe(a)
    assert out.sentences and out.timexes and out.places
    ev = out.events[0]
    assert ev.type == "protest"
    assert ev.location is not None and ev.location.name == "Kherson"
    assert str(ev.date.start) == "2022-03-02" == str(ev.date.end)
    assert out.text[ev.trigger.start:ev.trigger.end] == ev.trigger.text


_REPORT = ("Mayor of southern town seized by soldiers, officials say\n\n"
           "The mayor of Skadovsk was seized by Russian soldiers on Tuesday and driven away, officials said.\n\n"
           "The weather in the region was mild and the shops were open.")


@pytest.mark.model
def test_pipeline_headline_event_takes_the_body_date_and_place():
    pipe = build_pipeline()
    out = pipe(article_from_record({"id": "h1", "published": "2022-03-11", "text": _REPORT}))
    abductions = [e for e in out.events if e.type == "abduction"]
    assert len(abductions) == 1
    ev = abductions[0]
    assert ev.location is not None and ev.location.name == "Skadovsk"
    assert str(ev.date.start) == "2022-03-08" == str(ev.date.end)


@pytest.mark.model
def test_pipeline_selected_parse_gives_the_same_events_as_full_parse():
    from vigil.pipeline import Resources

    res = Resources.load()
    fast = build_pipeline(resources=res)
    full = build_pipeline(resources=res, select_sentences=False)
    art = article_from_record({"id": "s1", "published": "2022-03-11", "text": _REPORT})
    a, b = fast(art), full(art)
    assert not all(s.parsed for s in a.sentences) and all(s.parsed for s in b.sentences)
    key = [(e.type, e.location.name if e.location else None, e.date.start, e.date.end) for e in a.events]
    assert key == [(e.type, e.location.name if e.location else None, e.date.start, e.date.end) for e in b.events]


@pytest.mark.model
def test_process_articles_batches_and_reports_failures_per_document():
    from vigil.pipeline import Resources, process_articles

    res = Resources.load()
    pipe = build_pipeline(resources=res)
    arts = [article_from_record({"id": f"d{k}", "published": "2022-03-11", "text": _REPORT}) for k in range(20)]
    failed = []
    done = process_articles(arts, pipe, on_error=lambda a, e: failed.append(a.id))
    assert [a.id for a in done] == [a.id for a in arts] and not failed
    assert all(a.events for a in done)
