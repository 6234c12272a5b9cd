"""The error hierarchy and the one shape every reported problem takes.

Every problem a user sees names the file, the line where known and the
dotted field path, so the CLI never has to print a traceback.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a finding is; the order is the order of exit-code weight."""

    VIOLATION = "violation"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in one record: where it is, what it is, which rule says so."""

    file: str
    line: int | None
    field: str
    severity: Severity
    message: str
    rule: str
    record: str = ""

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        # Messages usually start with the field already ("pubDate must be …").
        named = not self.field or self.message.startswith(self.field)
        field = "" if named else f" {self.field}:"
        return f"{where}:{field} {self.message}"

    def as_dict(self) -> dict[str, object]:
        """Plain-JSON form, the keys the `--format json` contract names."""
        out = asdict(self)
        out["severity"] = self.severity.value
        return out


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Severity -> number of findings, every severity present."""
    counter = Counter(f.severity.value for f in findings)
    return {s.value: counter.get(s.value, 0) for s in Severity}


class KgError(Exception):
    """Base of every error ccus-kg raises on purpose (exit code 2 unless said)."""

    exit_code = 2


class RecordError(KgError):
    """A record cannot be read at all (no file, not a folder, …)."""


class OntologyError(KgError):
    """A shipped ontology or vocabulary file is missing or unparsable."""


class ExportError(KgError):
    """An unknown format or an output that cannot be written."""


class DataError(KgError):
    """The data has violations: exit code 1."""

    exit_code = 1

    def __init__(self, message: str, findings: list[Finding] | None = None):
        super().__init__(message)
        self.findings = findings or []


class QueryError(KgError):
    """A SPARQL query that cannot run: syntax (with line and column), parameters."""


class StoreError(KgError):
    """A store or remote endpoint that cannot be opened, read or written."""
