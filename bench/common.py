"""Helpers shared by the benchmarks: throwaway databases, servers as subprocesses, RSS."""

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("TANDEM_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def admin_sql(sql: str, server: str = PG_ADMIN) -> None:
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def create_pg(server: str) -> tuple[str, str]:
    """A fresh database on the PostgreSQL server at `server`: its URL and name."""
    name = f"tandem_bench_{uuid.uuid4().hex[:8]}"
    await admin_sql(f"CREATE DATABASE {name}", server)
    return server.rsplit("/", 1)[0] + f"/{name}", name


async def drop_pg(server: str, name: str) -> None:
    await admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", server)


@contextmanager
def database(kind: str, workdir: Path):
    """A fresh database URL of `kind` (sqlite|pg), dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:6]}.db'}"
        return
    name = f"tandem_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(admin_sql(f"CREATE DATABASE {name}"))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def wait_http(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on port {port}")


@contextmanager
def process(args: list[str], env: dict, port: int):
    proc = subprocess.Popen(args, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        wait_http(port)
        yield proc
    finally:
        proc.terminate()
        proc.wait(20)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def python() -> str:
    return sys.executable
