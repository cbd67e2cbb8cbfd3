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
