"""Where a writer's COMMIT runs: on the event loop while commits are fast, in a worker
thread once their moving average passes the connection's `slow_commit`."""

import sqlite3
import threading

from storage.sqlite_inline import InlineConnection


def _connection(path, slow_commit):
    raw = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
    committed_on: list[int] = []
    raw.set_trace_callback(
        lambda sql: committed_on.append(threading.get_ident()) if sql == "COMMIT" else None)
    return InlineConnection(raw, slow_commit), raw, committed_on


async def _write(conn: InlineConnection, raw: sqlite3.Connection, n: int) -> None:
    raw.execute("BEGIN IMMEDIATE")
    raw.execute("INSERT INTO t VALUES (?)", (n,))
    await conn.commit()


async def test_fast_commits_run_on_the_event_loop(tmp_path):
    conn, raw, committed_on = _connection(tmp_path / "a.db", slow_commit=60.0)
    for n in range(3):
        await _write(conn, raw, n)
    assert committed_on == [threading.get_ident()] * 3
    assert raw.execute("SELECT count(*) FROM t").fetchone() == (3,)
    conn.stop()


async def test_commits_go_to_a_thread_once_they_average_slow(tmp_path):
    # Any commit takes longer than no time: the first, made on the loop, makes the
    # average slow, and the next ones go to a worker thread.
    conn, raw, committed_on = _connection(tmp_path / "b.db", slow_commit=0.0)
    for n in range(3):
        await _write(conn, raw, n)
    loop_thread = threading.get_ident()
    assert committed_on[0] == loop_thread
    assert len(committed_on) == 3 and loop_thread not in committed_on[1:]
    assert raw.execute("SELECT count(*) FROM t").fetchone() == (3,)
    conn.stop()


async def test_a_reader_commits_on_the_event_loop(tmp_path):
    conn, raw, committed_on = _connection(tmp_path / "c.db", slow_commit=None)
    await _write(conn, raw, 1)
    assert committed_on == [threading.get_ident()]
    conn.stop()
