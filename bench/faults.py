"""Faults injected while the tablets send: the application's database connections
terminated (pg_terminate_backend), a gunicorn worker killed (SIGKILL; its master starts
another). Each strike aims at a busy moment: it waits, a little, for a connection in the
middle of a statement or of a transaction, for a worker in the middle of a request.

Only what bench.load started is touched: backends of the benchmark's database whose
application_name is the one given to gunicorn (PGAPPNAME), and children of its master.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

DATABASE, WORKER = "database", "worker"
APPLICATION_NAME = "bench-gunicorn"  # PGAPPNAME of gunicorn's workers
BUSY = ("active", "idle in transaction", "idle in transaction (aborted)")


@dataclass(frozen=True)
class Strike:
    offset: float  # seconds from the start of the phase
    kind: str  # DATABASE or WORKER


def schedule(
    duration: float, *, database_every: float, worker_every: float, rng: random.Random
) -> list[Strike]:
    """Strikes of each kind about every ``*_every`` seconds (±25 %), the first after a
    random part of its period, none in the last 10 % of ``duration`` (the load must still
    be running when it lands), in time order. ``*_every`` ≤ 0: none of that kind."""
    strikes = []
    for kind, every in ((DATABASE, database_every), (WORKER, worker_every)):
        if every <= 0:
            continue
        offset = rng.uniform(0.25, 1.0) * every
        while offset < 0.9 * duration:
            strikes.append(Strike(round(offset, 3), kind))
            offset += every * rng.uniform(0.75, 1.25)
    return sorted(strikes, key=lambda strike: (strike.offset, strike.kind))


@dataclass(frozen=True)
class Blow:
    """What a strike did: ``hit`` processes or connections, ``busy`` of them working."""

    offset: float
    kind: str
    hit: int
    busy: int
    detail: str = ""


# -- the database: every connection of the application -----------------------------------------


class Terminator:
    """Terminates the application's backends, on its own connection (autocommit)."""

    def __init__(self, database_url: str, aim: float = 2.0) -> None:
        import psycopg2

        self.database = database_url.rpartition("/")[2]
        self.aim = aim
        self.connection = psycopg2.connect(database_url, connect_timeout=10)
        self.connection.autocommit = True

    def backends(self) -> list[tuple[int, str, int]]:
        """(pid, state, client port) of the application's backends."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, coalesce(state, ''), coalesce(client_port, 0) "
                "FROM pg_stat_activity WHERE datname = %s AND application_name = %s "
                "AND pid <> pg_backend_pid()",
                (self.database, APPLICATION_NAME),
            )
            return list(cursor.fetchall())

    def strike(self, offset: float) -> Blow:
        """Wait up to ``aim`` seconds for a busy backend, then terminate them all."""
        deadline = time.monotonic() + self.aim
        while True:
            backends = self.backends()
            busy = [pid for pid, state, _ in backends if state in BUSY]
            if busy or time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND application_name = %s AND pid <> pg_backend_pid()",
                (self.database, APPLICATION_NAME),
            )
            row = cursor.fetchone()
        return Blow(offset, DATABASE, int(row[0]) if row else 0, len(busy))

    def close(self) -> None:
        self.connection.close()


# -- gunicorn: one worker ----------------------------------------------------------------------


def workers(master: int) -> list[int]:
    """Pids of the children of gunicorn's ``master``."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == master:
            found.append(int(entry.name))
    return found


def _socket_ports() -> dict[int, int]:
    """Inode of every IPv4 TCP socket of the machine: its local port."""
    ports = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            ports[int(fields[9])] = int(fields[1].rsplit(":", 1)[1], 16)
    return ports


def _ports_of(pid: int, ports: dict[int, int]) -> set[int]:
    """Local ports of the TCP sockets ``pid`` holds open."""
    held = set()
    with contextlib.suppress(OSError):
        for fd in os.scandir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(fd.path)
                if target.startswith("socket:["):
                    port = ports.get(int(target[8:-1]))
                    if port is not None:
                        held.add(port)
    return held


def busy_worker(master: int, terminator: Terminator) -> int | None:
    """A worker whose database connection is busy (it is in the middle of a request)."""
    busy_ports = {port for _, state, port in terminator.backends() if state in BUSY}
    if not busy_ports:
        return None
    ports = _socket_ports()
    for pid in workers(master):
        if _ports_of(pid, ports) & busy_ports:
            return pid
    return None


def kill_worker(master: int, terminator: Terminator, rng: random.Random, offset: float) -> Blow:
    """SIGKILL a busy worker, waiting up to the terminator's ``aim`` for one; else any."""
    deadline = time.monotonic() + terminator.aim
    while (pid := busy_worker(master, terminator)) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    busy = pid is not None
    if pid is None:
        candidates = workers(master)
        if not candidates:
            return Blow(offset, WORKER, 0, 0, "aucun processus")
        pid = rng.choice(candidates)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return Blow(offset, WORKER, 0, 0, f"processus {pid} déjà terminé")
    return Blow(offset, WORKER, 1, int(busy), f"processus {pid}")


# -- the thread that strikes -------------------------------------------------------------------


@dataclass
class Faults:
    """Runs ``strikes`` in a thread, their offsets counted from entering ``running``."""

    strikes: list[Strike]
    actions: dict[str, Callable[[float], Blow]]
    blows: list[Blow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @contextlib.contextmanager
    def running(self) -> Iterator[Faults]:
        stop = threading.Event()
        start = time.perf_counter()

        def work() -> None:
            for strike in self.strikes:
                if stop.wait(max(0.0, start + strike.offset - time.perf_counter())):
                    return
                try:
                    self.blows.append(self.actions[strike.kind](strike.offset))
                except Exception as error:  # a fault that failed is said, not hidden
                    self.errors.append(f"{strike.kind} à {strike.offset:.1f} s : {error!r}")

        thread = threading.Thread(target=work, name="faults", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join(timeout=10)
