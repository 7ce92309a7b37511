"""CSV export (formula-injection safe, streaming, never overwrites) and saved views."""

from __future__ import annotations

import csv

import pytest

from custtui.models import AuditLog, Staff
from custtui.services import clock, export, views
from custtui.services.actor import SYSTEM, Actor
from custtui.services.errors import PermissionDenied, ValidationError
from custtui.services.grid import GridQuery, Selection, Sort
from tests.factories import make_customer

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+1",
    "-2",
    "@SUM(A1)",
    "\tTab",
    "[/]",
    "[@click=app.quit]",
    "😀",
    "مرحبا",
]


def actor(role: str = "admin", name: str = "alice") -> Actor:
    row = Staff.create(username=name, role=role, created_at=clock.now())
    return Actor(row.id, row.username, row.role)


def read(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_export_reads_like_the_grid_and_neutralises_formulas(shop, tmp_path):
    admin = actor()
    people = [make_customer(name, "X", f"p{i}@example.com") for i, name in enumerate(HOSTILE)]
    result = export.export_csv(admin, GridQuery(), ["id", "name", "group_id"], tmp_path / "a.csv")
    rows = read(result.path)
    assert result.rows == len(HOSTILE)
    assert rows[0] == ["ID", "Name", "Group"]
    names = [r[1] for r in rows[1:]]
    assert names[0] == "'=cmd|' /C calc'!A0 X"
    assert names[1:5] == ["'+1 X", "'-2 X", "'@SUM(A1) X", "'\tTab X"]
    assert names[5:] == ["[/] X", "[@click=app.quit] X", "😀 X", "مرحبا X"]
    assert [r[0] for r in rows[1:]] == [str(p.id) for p in people]
    assert {r[2] for r in rows[1:]} == {"General"}
    assert AuditLog.select().where(AuditLog.action == "customers_exported").count() == 1


def test_export_respects_filters_sort_and_selection(shop, tmp_path):
    admin = actor()
    a = make_customer("Ann", "Zed", group=2)
    b = make_customer("Bob", "Young", group=2)
    make_customer("Cy", "Xu", group=1)
    query = GridQuery(filters={"group_id": 2}, sort=Sort("name"))
    rows = read(export.export_csv(admin, query, ["id"], tmp_path / "f.csv").path)
    assert rows[1:] == [[str(b.id)], [str(a.id)]]
    rows = read(export.export_csv(admin, Selection.of([a.id]), ["email"], tmp_path / "s.csv").path)
    assert rows[1:] == [[a.email]]


def test_export_never_overwrites_and_streams_many_rows(shop, tmp_path):
    admin = actor()
    from custtui.services import grid_index

    ids = [make_customer(f"N{i}", "Many", reindex=False).id for i in range(4500)]
    grid_index.reindex(ids)
    target = tmp_path / "out.csv"
    target.write_text("keep me")
    result = export.export_csv(admin, GridQuery(), ["id"], target)
    assert target.read_text() == "keep me"
    assert result.path.name == "out-2.csv"
    assert result.rows == 4500 and len(read(result.path)) == 4501
    assert not list(tmp_path.glob(".export-*"))


def test_export_needs_permission_and_columns(shop, tmp_path):
    viewer = actor("viewer", "vic")
    with pytest.raises(PermissionDenied):
        export.export_csv(viewer, GridQuery(), ["id"], tmp_path / "x.csv")
    with pytest.raises(ValidationError) as error:
        export.export_csv(actor(), GridQuery(), ["nope"], tmp_path / "x.csv")
    assert error.value.field == "columns"
    assert not (tmp_path / "x.csv").exists()


def test_default_export_path_uses_the_clock(shop):
    assert str(export.default_path()) == "data/exports/customers-20261206-093000.csv"


def test_saved_views_per_staff(shop):
    alice, bob = actor(name="alice"), actor(name="bob")
    state = {
        "columns": ["id", "email"],
        **GridQuery("ada", {"group_id": 1}, Sort("email", True)).to_state(),
    }
    views.save_view(alice, "customers", "  Wholesale EU ", state)
    assert [v.name for v in views.list_views(alice, "customers")] == ["Wholesale EU"]
    assert views.list_views(bob, "customers") == []
    saved = views.list_views(alice, "customers")[0]
    assert GridQuery.from_state(saved.state) == GridQuery(
        "ada", {"group_id": 1}, Sort("email", True)
    )
    assert saved.state["columns"] == ["id", "email"]
    views.save_view(alice, "customers", "Wholesale EU", {**state, "columns": ["id"]})
    assert views.list_views(alice, "customers")[0].state["columns"] == ["id"]
    assert views.default_view(alice, "customers") is None
    views.set_default(alice, "customers", "Wholesale EU")
    assert views.default_view(alice, "customers").name == "Wholesale EU"
    views.set_default(alice, "customers", None)
    assert views.default_view(alice, "customers") is None
    views.delete_view(alice, "customers", "Wholesale EU")
    assert views.list_views(alice, "customers") == []


@pytest.mark.parametrize(
    ("name", "state", "field"),
    [
        ("", {"columns": ["id"]}, "name"),
        ("x" * 65, {"columns": ["id"]}, "name"),
        ("bad\x07", {"columns": ["id"]}, "name"),
        ("ok", {"columns": ["id", "evil; drop"]}, "columns"),
        ("ok", {"columns": []}, "columns"),
    ],
)
def test_saved_view_validation(shop, name, state, field):
    with pytest.raises(ValidationError) as error:
        views.save_view(actor(), "customers", name, state)
    assert error.value.field == field


def test_system_actor_has_no_views(shop):
    with pytest.raises(ValidationError):
        views.list_views(SYSTEM, "customers")
