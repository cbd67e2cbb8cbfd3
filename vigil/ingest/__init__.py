"""ingest stage: files, HTML, JSONL, CSV and manifests -> ``Article`` records (or ``Rejected``)."""

from vigil.ingest.manifest import read_manifest
from vigil.ingest.readers import (
    read_documents_csv,
    read_documents_jsonl,
    read_html_file,
    read_text_file,
    record_to_article,
)
from vigil.ingest.sources import iter_inputs

__all__ = [
    "iter_inputs",
    "read_documents_csv",
    "read_documents_jsonl",
    "read_html_file",
    "read_manifest",
    "read_text_file",
    "record_to_article",
]
