"""What a benchmark needs around it: a throw-away PostgreSQL database, Django configured
against it in this process, gunicorn serving it on a free loopback port, and a time limit.

Every context manager undoes what it did on the way out, after a failure or a time-out too:
gunicorn is stopped (its whole process group, which only it and its workers are in) and
the database is dropped.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432"
# A benchmark drops its database first: the prefix keeps it away from any real one. A
# shared server may want names of its own before it (h_load_bench_load).
DATABASE_PREFIX = "bench_"


class BenchError(RuntimeError):
    """The benchmark could not run (setup failed); its message says why, in French."""


def cores() -> int:
    """The CPUs this process may run on, as config/gunicorn.conf.py counts them."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# -- time limit ------------------------------------------------------------------------------


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise TimeoutError in the main thread after ``seconds``; SIGTERM raises SystemExit.

    Both unwind through the ``finally`` clauses of the context managers below.
    """

    def on_alarm(signum: int, _frame: FrameType | None) -> None:
        raise TimeoutError(f"mesure interrompue : plus de {seconds} s au total")

    def on_term(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(f"mesure interrompue par le signal {signum}")

    previous_alarm = signal.signal(signal.SIGALRM, on_alarm)
    previous_term = signal.signal(signal.SIGTERM, on_term)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous_alarm)
        signal.signal(signal.SIGTERM, previous_term)


def bounded(run: Callable[[], T], seconds: int, say: Callable[[str], None]) -> T:
    """``run()`` within ``seconds``. A measure that could not be made ends the program with
    code 2, an interruption with 130, after saying why."""
    try:
        with time_limit(seconds):
            return run()
    except (BenchError, TimeoutError) as error:
        say(f"échec : {error}")
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        say("interrompu")
        raise SystemExit(130) from None


# -- database --------------------------------------------------------------------------------


def _execute(server_url: str, database: str, statement: Any) -> Any:
    """Run one statement on its own connection (autocommit); return the first row, if any."""
    import psycopg2

    dsn = f"{server_url.rstrip('/')}/{database}"
    with contextlib.closing(psycopg2.connect(dsn, connect_timeout=10)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchone() if cursor.description else None


def _drop(server_url: str, name: str) -> None:
    from psycopg2 import sql

    # FORCE ends the sessions still open on it (gunicorn workers killed mid-request).
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    _execute(server_url, "postgres", drop)


@contextlib.contextmanager
def temporary_database(server_url: str, name: str) -> Iterator[str]:
    """A new, empty database ``name`` (dropped first if it exists); yields its URL."""
    if not re.fullmatch(rf"(?:[a-z0-9_]*_)?{DATABASE_PREFIX}[a-z0-9_]+", name):
        raise BenchError(f"nom de base refusé : {name!r} (attendu : {DATABASE_PREFIX}…)")
    from psycopg2 import sql

    _drop(server_url, name)
    _execute(server_url, "postgres", sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{server_url.rstrip('/')}/{name}"
    finally:
        _close_django_connections()
        _drop(server_url, name)


def postgres_version(database_url: str) -> str:
    server_url, _, name = database_url.rpartition("/")
    return str(_execute(server_url, name, "SHOW server_version")[0]).split()[0]


# -- Django in this process --------------------------------------------------------------------


def production_env(database_url: str, static_root: Path) -> dict[str, str]:
    """Production settings (docs/deployment.md), minus what a loopback run cannot have: TLS."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(static_root),
    }


def configure_django(env: dict[str, str]) -> None:
    """Set up Django in this process with ``env`` (once: settings are read at import)."""
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextlib.contextmanager
def django_on_new_database(
    server_url: str, name: str, *, folder_prefix: str
) -> Iterator[tuple[Path, dict[str, str]]]:
    """A temporary folder and a new database ``name``, Django configured in this process
    against it with the production settings (``STATIC_ROOT`` in the folder); yields the
    folder and those settings, for gunicorn. Both are gone on the way out."""
    with (
        tempfile.TemporaryDirectory(prefix=folder_prefix) as folder,
        temporary_database(server_url, name) as database_url,
    ):
        env = production_env(database_url, Path(folder) / "static")
        configure_django(env)
        yield Path(folder), env


def run_client_bench(
    doc: str,
    *,
    rows: int,
    database: str,
    measure: Callable[[int, str], str],
    section: str,
    owner: str,
) -> None:
    """The command line of a bench that drives the application through Django's test client
    in this process: ``--rows``, ``--database`` (created, then dropped), ``--timeout`` and
    ``--no-report``. ``measure(rows, postgres_version)`` returns the block written under
    ``section`` of docs/benchmarks.md."""
    import argparse

    from . import report

    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--rows", type=int, default=rows)
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--database", default=database, help="created, dropped")
    options = parser.parse_args()
    with (
        time_limit(options.timeout),
        temporary_database(DEFAULT_POSTGRES, options.database) as url,
        tempfile.TemporaryDirectory() as static_root,
    ):
        env = production_env(url, Path(static_root))
        # load_demo wants DEBUG; the test client's host is "testserver".
        env.update(DEBUG="true", ALLOWED_HOSTS="testserver", AXES_ENABLED="false")
        configure_django(env)
        block = measure(options.rows, postgres_version(url))
    print(block)
    if not options.no_report:
        report.write_section(Path(ROOT) / "docs" / "benchmarks.md", section, owner, block)


def _close_django_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


# -- gunicorn --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    workers: int
    log: Path
    pid: int  # of the master, also the id of the process group of master and workers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(journal illisible)"


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], *, workers: int, log: Path, ready_path: str, start_timeout: float = 60
) -> Iterator[Server]:
    """gunicorn with config/gunicorn.conf.py on 127.0.0.1:<free port>, until ``ready_path``
    answers; stopped (SIGTERM, then SIGKILL to its process group) on the way out."""
    executable = Path(sys.executable).parent / "gunicorn"
    port = free_port()
    server_env = {
        **os.environ,
        **env,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_LOG_LEVEL": "warning",
    }
    command = [str(executable), "config.wsgi", "-c", "config/gunicorn.conf.py"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=server_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one below
        )
    try:
        _wait_ready(process, port, ready_path, log, start_timeout)
        yield Server("127.0.0.1", port, workers, log, process.pid)
    finally:
        _stop(process)


def _wait_ready(
    process: subprocess.Popen[bytes], port: int, path: str, log: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn s'est arrêté au démarrage :\n{_log_tail(log)}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", path)
            status = connection.getresponse().status
        except OSError:
            time.sleep(0.2)
            continue
        finally:
            connection.close()
        if status == 200:
            return
        raise BenchError(f"gunicorn répond {status} sur {path} :\n{_log_tail(log)}")
    raise BenchError(f"gunicorn ne répond pas après {timeout:.0f} s :\n{_log_tail(log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # graceful: the master lets its workers finish, then exits
    try:
        process.wait(timeout=35)
    except subprocess.TimeoutExpired:
        # A hung master: kill it and its workers, its own process group (still valid, since
        # the master is not reaped yet).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# -- CPU accounting --------------------------------------------------------------------------
# The machine may be shared: what other processes used during a phase is measured, not guessed.

CPU_GROUPS = ("gunicorn", "postgres", "clients", "autres")
# A client backend is titled "postgres: 15/main: user database 127.0.0.1(port) state"; the
# server and its background processes (WAL writer, checkpointer…) work for every database.
_CLIENT_BACKEND = re.compile(r"\(\d+\)|\[local\]")


def _machine_busy() -> float:
    """CPU seconds the whole machine has used since boot, all cores together."""
    # user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


class CpuMonitor:
    """CPU used during a phase by gunicorn (its process group), PostgreSQL (the server, its
    background processes and the backends of ``database``), the clients (this process) and
    everything else on the machine. Linux only: reads /proc.

    A thread scans /proc every ``interval`` seconds, so that a process which ends during the
    phase still counts (gunicorn recycles a worker every ~1,000 requests, and its database
    backend goes with it): only its last ``interval`` is lost.
    """

    def __init__(self, server: Server, database: str, interval: float = 0.5) -> None:
        self.server, self.database, self.interval = server, database, interval
        self.first: dict[tuple[int, str], float] = {}
        self.last: dict[tuple[int, str], tuple[str, float]] = {}
        self.use: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-monitor", daemon=True)

    def __enter__(self) -> CpuMonitor:
        self._started, self._busy = time.monotonic(), _machine_busy()
        self._scan(initial=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._scan(initial=False)
        use = dict.fromkeys(CPU_GROUPS[:3], 0.0)
        for key, (group, seconds) in self.last.items():
            use[group] += seconds - self.first.get(key, 0.0)
        use["autres"] = max(0.0, _machine_busy() - self._busy - sum(use.values()))
        use["capacité"] = (time.monotonic() - self._started) * cores()
        self.use = use

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._scan(initial=False)

    def _scan(self, *, initial: bool) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        me = os.getpid()
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
                title = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:  # gone meanwhile
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()  # fields 3 onwards of proc(5)
            pid = int(entry.name)
            if pid == me:
                group = "clients"
            elif int(fields[2]) == self.server.pid:
                group = "gunicorn"
            elif name == "postgres" and (
                f" {self.database} " in f"{title} " or not _CLIENT_BACKEND.search(title)
            ):
                group = "postgres"
            else:
                continue
            key = (pid, fields[19])  # pid and start time: a reused pid is another process
            seconds = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
            if initial:
                self.first[key] = seconds
            self.last[key] = (group, seconds)
