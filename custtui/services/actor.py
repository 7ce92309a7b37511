"""Who is acting: the staff member behind every service call, for permissions and the audit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The staff member a service call is made for (or the system itself, id ``None``)."""

    staff_id: int | None
    username: str
    role: str = "admin"

    @property
    def is_system(self) -> bool:
        return self.staff_id is None


SYSTEM = Actor(staff_id=None, username="system", role="admin")
"""Changes made by custtui itself (migrations, demo data, maintenance)."""

STOREFRONT = Actor(staff_id=None, username="storefront", role="storefront")
"""Changes the customers make themselves through the shop (register, sign in, reset)."""
