"""The API's database threads: many writers at once all get through, and a transaction that
fails hands SQLite's write turn on (the in-process write queue is never left held)."""

from __future__ import annotations

import asyncio

import pytest
from peewee import IntegrityError

from custtui.api.dbthreads import DbThreads
from custtui.models import Visit
from custtui.models.db import database
from custtui.services import sessions


def _queue_is_free() -> bool:
    queue = vars(database.obj).get("_custtui_write_queue")
    return queue is None or not queue.lock.locked()


def test_concurrent_events_all_commit_and_the_queue_ends_free(any_shop):
    visits = [sessions.start_visit(1) for _ in range(5)]

    async def main() -> None:
        pool = DbThreads(4)
        try:
            await asyncio.gather(
                *(
                    pool.run(sessions.record_event, visits[n % 5], "add_to_cart", url=f"/p/{n}")
                    for n in range(60)
                )
            )
        finally:
            pool.close()

    asyncio.run(main())
    assert Visit.select().where(Visit.last_url.startswith("/p/")).count() == 5
    assert _queue_is_free()


def test_a_failed_transaction_lets_the_next_writer_in(shop):
    visit = sessions.start_visit(1)

    def clash() -> None:
        with database.obj.atomic():
            Visit.update(last_url="/before").where(Visit.id == visit).execute()
            Visit.insert(
                id=visit,
                website=1,
                created_at=Visit.get_by_id(visit).created_at,
                last_visit_at=Visit.get_by_id(visit).last_visit_at,
            ).execute()

    async def main() -> None:
        pool = DbThreads(2)
        try:
            for _ in range(3):
                with pytest.raises(IntegrityError):
                    await pool.run(clash)
            await asyncio.gather(
                *(
                    pool.run(sessions.record_event, visit, "checkout", url="/after")
                    for _ in range(4)
                )
            )
        finally:
            pool.close()

    asyncio.run(main())
    assert Visit.get_by_id(visit).last_url == "/after"
    assert _queue_is_free()
