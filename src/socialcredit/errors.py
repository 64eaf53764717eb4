"""One error hierarchy for the whole package.

Every error the system raises on purpose derives from :class:`SocialCreditError`. Errors about input carry
where the problem is (file, row or line, field) and why, so that a person can fix the input.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class SocialCreditError(Exception):
    """Root of every error raised by socialcredit on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and why."""

    reason: str
    field: str | None = None
    value: str | None = None
    file: str | None = None
    row: int | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        prefix = ", ".join(where)
        value = f" (value {self.value!r})" if self.value is not None else ""
        return f"{prefix}: {self.reason}{value}" if prefix else f"{self.reason}{value}"


@dataclass
class InputError(SocialCreditError):
    """Input was refused; nothing was changed. Carries every problem found (at least one)."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        if not self.problems:
            return "invalid input"
        head = str(self.problems[0])
        more = len(self.problems) - 1
        return head if more == 0 else f"{head} (and {more} more problem{'s' if more > 1 else ''})"


class InvalidIdentifier(InputError):
    """An identity number, credit code or passport reference failed validation."""


class SchemeError(InputError):
    """A scheme document failed to load or validate."""


class CatalogueError(InputError):
    """The catalogue of record types or the list of measures failed to load or validate."""


class ScenarioError(InputError):
    """A lab scenario document failed to load or validate."""


class RecordError(InputError):
    """A record or a record file was refused."""


class ConflictError(SocialCreditError):
    """A write conflicts with what is stored (e.g. a record id reused with different content)."""


class NotFound(SocialCreditError):
    """A named thing (scheme, authority, subject) does not exist."""


class StoreError(SocialCreditError):
    """The store is missing, not initialised, or at the wrong migration."""


class ConfigurationError(SocialCreditError):
    """The platform is set up wrongly (e.g. a saved decision index that does not belong to the store)."""


class TooManyRequests(SocialCreditError):
    """A client asked more often than the platform answers (HTTP 429); try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FederationError(SocialCreditError):
    """Another platform could not be pulled from: down, slow, or answering what is not a feed (HTTP 502)."""


class ForgedFeed(FederationError):
    """Another platform's feed contradicts what it showed before: a record changed after it was shared, a
    truncated history, or a fork shown to two receivers. The feed is quarantined; what was received stays."""
