"""An Input whose cursor blink follows the app's settings (off in tests and snapshots, where a
blinking cursor would make every screenshot differ)."""

from __future__ import annotations

from textual.widgets import Input


class TextInput(Input):
    def on_mount(self) -> None:
        settings = getattr(self.app, "settings", None)
        if settings is not None and not getattr(settings, "cursor_blink", True):
            self.cursor_blink = False
