"""Countries and regions from pycountry (ISO 3166), not a hand-typed list."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def country_names() -> dict[str, str]:
    """ISO alpha-2 code → English short name, sorted by name."""
    names = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    return dict(sorted(names.items(), key=lambda item: item[1]))


def country_name(code: str | None) -> str:
    """The country's name, or the code itself when it is unknown (never raises)."""
    if not code:
        return ""
    return country_names().get(code.upper(), code)


@cache
def regions(country_code: str) -> dict[str, str]:
    """ISO 3166-2 subdivision code → name for countries that have regions (may be empty)."""
    subdivisions = pycountry.subdivisions.get(country_code=country_code.upper()) or []
    return dict(sorted(((s.code, s.name) for s in subdivisions), key=lambda item: item[1]))
