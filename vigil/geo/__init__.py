"""geo stage: find place names in an article and resolve them against an offline gazetteer."""

from vigil.geo.gazetteer import Entry, Gazetteer, build_gazetteer, load_gazetteer, normalize
from vigil.geo.geonames import import_geonames
from vigil.geo.geoparse import NAME, GeoRules, geoparse_article, load_geo_rules, prepare_gazetteer

__all__ = [
    "NAME",
    "Entry",
    "Gazetteer",
    "GeoRules",
    "build_gazetteer",
    "geoparse_article",
    "import_geonames",
    "load_gazetteer",
    "load_geo_rules",
    "normalize",
    "prepare_gazetteer",
]
