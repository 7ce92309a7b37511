"""How this session of the app is set up (database, who, look), independent of Textual."""

from __future__ import annotations

from dataclasses import dataclass

THEMES = ("textual-dark", "textual-light")


@dataclass
class Settings:
    """Options from the command line and environment that shape one app session."""

    staff: str | None = None
    theme: str = "textual-dark"
    cursor_blink: bool = True
    online_refresh_seconds: float = 5.0
    """How often Now Online refreshes itself while it is on screen."""
