"""custtui — a terminal back office for the customers of a web shop."""

from __future__ import annotations

__version__ = "0.1.0"
