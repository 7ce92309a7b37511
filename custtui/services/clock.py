"""The injectable clock: every "now" in custtui comes from here, so tests and snapshots are
deterministic and all stored times are UTC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time, truncated to whole seconds (what the database stores)."""

    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)


@dataclass
class FixedClock:
    """A clock that stands still until told to move: for tests, snapshots and the demo."""

    current: datetime = field(default_factory=lambda: datetime(2026, 12, 6, 9, 30, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current = self.current + timedelta(**delta)
        return self.current


_clock: Clock = SystemClock()


def now() -> datetime:
    """The current time from the installed clock."""
    return _clock.now()


def install(clock: Clock) -> Clock:
    """Make *clock* the process's clock; returns the one it replaced."""
    global _clock
    previous, _clock = _clock, clock
    return previous


def current() -> Clock:
    return _clock
