"""Load and validate rule files (YAML data shipped in ``vigil/rules/<stage>/<lang>/``).

Every rule file has a header (``schema``, ``lang``, ``description``) and a list
under ``rules``. Each rule has a unique ``id``. Stage-specific validation of the
rule bodies stays in the stage; this module checks the common envelope and
computes a hash of the whole ruleset so results can be reproduced.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from vigil.errors import RuleError

RULES_PACKAGE = "vigil.rules"


def rules_dir(stage: str, lang: str = "en") -> Path:
    """The folder that holds the rule files of ``stage`` for ``lang``."""
    return Path(str(resources.files(RULES_PACKAGE))) / stage / lang


@lru_cache(maxsize=64)
def load_rule_file(path: str) -> dict[str, Any]:
    """Read one rule file and check its envelope.

    Raises:
        RuleError: unreadable YAML, a missing header key, a rule without ``id``,
            or a duplicate id, naming the file and the rule.
    """
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise RuleError(f"{p}: cannot read rule file ({e})") from e
    if not isinstance(data, dict):
        raise RuleError(f"{p}: a rule file is a mapping with schema, lang, description and rules")
    for key in ("schema", "lang", "description"):
        if not data.get(key):
            raise RuleError(f"{p}: header key {key!r} is missing")
    rules = data.get("rules")
    if rules is not None:
        if not isinstance(rules, list):
            raise RuleError(f"{p}: 'rules' must be a list")
        seen: set[str] = set()
        for n, rule in enumerate(rules):
            if not isinstance(rule, dict) or not rule.get("id"):
                raise RuleError(f"{p}: rule #{n + 1} has no 'id'")
            if rule["id"] in seen:
                raise RuleError(f"{p}: duplicate rule id {rule['id']!r}")
            seen.add(rule["id"])
    return data


def load_stage_rules(stage: str, lang: str = "en") -> dict[str, dict[str, Any]]:
    """All rule files of a stage, keyed by file stem."""
    folder = rules_dir(stage, lang)
    return {p.stem: load_rule_file(str(p)) for p in sorted(folder.glob("*.yaml"))}


def ruleset_hash(lang: str = "en") -> str:
    """SHA-256 (first 16 hex digits) over every rule file of every stage, in path order."""
    root = Path(str(resources.files(RULES_PACKAGE)))
    h = hashlib.sha256()
    for p in sorted(root.glob(f"*/{lang}/*.yaml")):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]
