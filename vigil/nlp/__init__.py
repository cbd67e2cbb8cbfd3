"""nlp stage: spaCy sentences, tokens and entity mentions -> schema records."""

from vigil.nlp.parse import load_model, make_nlp, parse_article, parse_articles, split_paragraphs

__all__ = ["load_model", "make_nlp", "parse_article", "parse_articles", "split_paragraphs"]
