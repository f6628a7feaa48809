"""One exception type per meaning. cli/ turns each into a one-line message and an exit code (DESIGN §8)."""

from __future__ import annotations

from typing import Any

from . import messages


class LedgerError(Exception):
    """Base of every error a user can cause. Carries a message key and its parameters, not prose."""

    exit_code = 2

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(self.render("en"))

    def render(self, lang: str = "zh") -> str:
        return messages.render(self.key, lang, **self.params)


class BadInput(LedgerError):
    """A value given on the command line (or in an imported sheet) is not acceptable."""


class NotFound(BadInput):
    """An ID, code or name names nothing in the ledger."""


class Ambiguous(BadInput):
    """An ID prefix or a name matches more than one entry."""


class Refused(LedgerError):
    """The workflow or the actor's role does not allow this operation."""


class Busy(LedgerError):
    """Another writer holds the ledger lock."""

    exit_code = 3


class NotALedger(LedgerError):
    """The directory is not a minqing ledger repo."""

    exit_code = 4


class EnvironmentProblem(LedgerError):
    """git failed, the disk is full or read-only, a ledger file is unreadable."""

    exit_code = 4


class CorruptFile(EnvironmentProblem):
    """A file in the ledger cannot be parsed or breaks its schema (a hand edit); `minqing check` lists them."""


class Conflict(LedgerError):
    """A merge found two incompatible changes that need a person."""

    exit_code = 1


class AlreadyExists(BadInput):
    """The entry (code, ID number) is already in the ledger."""


class Unreachable(LedgerError):
    """The remote (central repo) cannot be reached, or kept moving while we pushed; nothing is lost locally."""

    exit_code = 3
