"""Plain-text rendering helpers: customer data goes through here, never through markup."""

from __future__ import annotations

from rich.text import Text


def plain(text: object, style: str = "") -> Text:
    """A Rich Text that shows *text* literally (brackets, ``[/]`` and ``[@click=…]`` included)
    with control characters replaced by visible symbols."""
    value = "" if text is None else str(text)
    if not value.isprintable():
        value = "".join(ch if ch.isprintable() or ch == "\n" else "�" for ch in value)
    return Text(value, style=style, no_wrap=False)


def labelled(pairs: list[tuple[str, object]], label_width: int = 22) -> Text:
    """Rows of "Label  value" as one Text (labels bold, values literal)."""
    out = Text()
    for index, (label, value) in enumerate(pairs):
        if index:
            out.append("\n")
        out.append(f"{label:<{label_width}}", style="bold")
        out.append_text(plain(value))
    return out
