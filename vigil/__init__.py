"""vigil: news reports of conflict and civil resistance in, evidence-linked events out."""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
