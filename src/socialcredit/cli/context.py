"""What every command gets from the top-level options: the settings and the clock, built once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import typer

from socialcredit.dates import CHINA_STANDARD_TIME
from socialcredit.service.clock import Clock, check_and_note, clock_from
from socialcredit.settings import Settings

if TYPE_CHECKING:
    from socialcredit.store import Store


@dataclass(frozen=True)
class Run:
    """One command's settings and clock (moved to another day by ``--today`` / ``SOCIALCREDIT_TODAY``)."""

    settings: Settings
    clock: Clock

    @classmethod
    def of(cls, settings: Settings) -> Run:
        """The run of ``settings``: its clock from ``settings.today``."""
        return cls(settings, clock_from(settings))

    def today(self) -> date:
        """Today on the run's clock, in China Standard Time."""
        return self.clock().astimezone(CHINA_STANDARD_TIME).date()

    def open_store(self, *, job: str) -> Store:
        """The store, on the run's clock; a clock set by the operator is written in its audit log, and a clock
        behind the store's last write is refused (:mod:`socialcredit.service.clock`)."""
        from socialcredit.store import open_store_for  # a command that scores a file never loads the store

        store = open_store_for(self.settings, clock=self.clock)
        try:
            if store.is_initialised():
                check_and_note(store, self.settings, self.clock, job=job)
        except BaseException:
            store.close()
            raise
        return store


def run_from(ctx: typer.Context) -> Run:
    """The Run built by the top-level callback."""
    obj = ctx.find_root().obj
    if not isinstance(obj, Run):  # pragma: no cover - the callback always sets it
        raise RuntimeError("settings were not built")
    return obj


def settings_from(ctx: typer.Context) -> Settings:
    """The Settings built by the top-level callback."""
    return run_from(ctx).settings


def open_store_from(ctx: typer.Context, *, job: str | None = None) -> Store:
    """The store for a command (see :meth:`Run.open_store`); ``job`` names it in the audit log."""
    return run_from(ctx).open_store(job=job or ctx.command_path)
