"""SQLite writers of one process take turns in Python (baryon.store.db): every write lands, a turn is given
back however its transaction ends, and reads never take one."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from baryon.store.db import Store


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'baryon.db'}")
    with store.session() as db:
        db.execute(text("CREATE TABLE notes (writer INTEGER, n INTEGER)"))
    return store


def count(store: Store) -> int:
    with store.session() as db:
        return int(db.execute(text("SELECT count(*) FROM notes")).scalar_one())


def test_writes_from_many_threads_all_land_and_the_turn_is_free_after(store: Store) -> None:
    def write(writer: int) -> None:
        for n in range(25):
            with store.session() as db:
                db.execute(text("INSERT INTO notes VALUES (:w, :n)"), {"w": writer, "n": n})

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count(store) == 200
    assert store.writer_turns is not None and not store.writer_turns.taken


def test_a_rolled_back_write_gives_its_turn_back(store: Store) -> None:
    assert store.writer_turns is not None
    with pytest.raises(RuntimeError), store.session() as db:
        db.execute(text("INSERT INTO notes VALUES (1, 1)"))
        assert store.writer_turns.taken
        raise RuntimeError("the request failed")
    assert not store.writer_turns.taken
    assert count(store) == 0


def test_reads_take_no_turn(store: Store) -> None:
    assert store.writer_turns is not None
    with store.session() as db:
        db.execute(text("SELECT count(*) FROM notes")).scalar_one()
        assert not store.writer_turns.taken


def test_a_second_writer_waits_for_the_first_to_commit(store: Store) -> None:
    first = store.begin()
    first.execute(text("INSERT INTO notes VALUES (1, 1)"))
    done = threading.Event()

    def second_writer() -> None:
        with store.session() as db:
            db.execute(text("INSERT INTO notes VALUES (2, 1)"))
        done.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    assert not done.wait(0.3), "the second writer went ahead while the first held the turn"
    store.commit(first)
    thread.join()
    assert done.is_set() and count(store) == 2
    assert store.writer_turns is not None and not store.writer_turns.taken


def test_postgresql_stores_need_no_turns() -> None:
    assert Store("postgresql+psycopg://127.0.0.1/test").writer_turns is None
