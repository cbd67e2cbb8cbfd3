"""The VigilError family: every user-facing failure, named for who must act.

A message names the failure, the value at fault, its location (file and line,
setting, or document id) and the next step for the user. Each carries a stable code such as ``V101``.
"""

from __future__ import annotations


class VigilError(Exception):
    """Base of all errors vigil raises on purpose; the CLI prints ``Error: <message>``."""

    code = "V000"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        if code:
            self.code = code
        super().__init__(message)

    def __str__(self) -> str:
        return f"[{self.code}] {super().__str__()}"


class ConfigError(VigilError):
    """A setting, flag or config value is invalid."""

    code = "V001"


class RuleError(VigilError):
    """A rule or lexicon file is invalid (names the file, the rule id and the allowed values)."""

    code = "V010"


class InputError(VigilError):
    """One input (file, line, document) cannot be processed; the run goes on with the rest."""

    code = "V100"

    def __init__(self, message: str, *, source: str, line: int | None = None, code: str | None = None):
        self.source = source
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}", code=code)
        self.reason = message


class StoreError(VigilError):
    """The store cannot be opened, migrated or written."""

    code = "V200"


class StageError(VigilError):
    """A bug inside a stage: carries the stage name and the document id."""

    code = "V300"

    def __init__(self, message: str, *, stage: str, doc_id: str | None = None):
        self.stage = stage
        self.doc_id = doc_id
        super().__init__(f"stage {stage} failed on document {doc_id!r}: {message}")
