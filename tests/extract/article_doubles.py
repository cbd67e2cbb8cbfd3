"""Invented articles with place and timex records given by hand, so assembly tests do not depend on geo or timex."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from vigil.nlp import parse_article
from vigil.schema import Article, DateInterval, Place, Timex

TimexSpec = tuple[str, date, date, str, str]
"""(phrase, first day, last day, relation, TIMEX3 type) of one timex record."""


def article_with_records(nlp, text: str, *, published: date | None, coords: Mapping[str, tuple[float, float]],
                         places: tuple[str, ...] = (), timexes: tuple[TimexSpec, ...] = (),
                         precision: Mapping[str, str] | None = None) -> Article:
    """Parse ``text`` and add every occurrence of ``places`` (points from ``coords``) and the timexes."""
    art = parse_article(Article(id="doc", text=text, published=published), nlp)

    def sent_of(i: int) -> int:
        return next(s.i for s in art.sentences if s.start <= i < s.end)

    plist = []
    for name in places:
        i = text.find(name)
        while i >= 0:
            lat, lon = coords[name]
            plist.append(Place(start=i, end=i + len(name), text=name, name=name, lat=lat, lon=lon,
                               precision=(precision or {}).get(name, "city"), country="UA",
                               admin1="Kherson Oblast", geonameid=abs(hash(name)) % 10**6, sentence=sent_of(i)))
            i = text.find(name, i + 1)
    tlist = []
    for phrase, start, end, rel, kind in timexes:
        i = text.index(phrase)
        tlist.append(Timex(start=i, end=i + len(phrase), text=phrase, type=kind, value="x",
                           interval=DateInterval(start=start, end=end), relation=rel, sentence=sent_of(i)))
    return art.model_copy(update={"places": sorted(plist, key=lambda p: p.start), "timexes": tlist})
