"""Load generation with the standard library: one thread and one HTTP connection per client.

A client keeps its cookies (session, CSRF) like a browser; the connection is reused while
the server keeps it open and reopened when it closes it (gunicorn's sync workers close it
after every response, so each request pays a loopback connect, as in production behind a
proxy that does not pool upstream connections).
"""

from __future__ import annotations

import dataclasses
import http.client
import itertools
import random
import re
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

LOGIN_PATH = "/compte/connexion/"
_CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True)
class Result:
    """One request as the client saw it. ``status`` 0: no HTTP answer (refused, time-out).

    ``seconds`` runs from sending the request to the last byte of its answer; in an open
    loop (``run_open_phase``) from the time the request was due, ``waited`` being the part
    spent behind the client's previous request, still running when this one was due."""

    kind: str
    status: int
    seconds: float
    ok: bool
    detail: str = ""
    waited: float = 0.0
    at: float = 0.0  # perf_counter when it was sent, where kept (bench.tablets)

    @property
    def service(self) -> float:
        """Seconds from when the request could go (due, or the client's previous one
        answered) to the last byte of its answer."""
        return self.seconds - self.waited


class Client:
    """One simulated tablet: a connection to the server and a cookie jar."""

    def __init__(self, host: str, port: int, *, timeout: float, name: str = "") -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout)
        self.cookies: dict[str, str] = {}
        self.name = name

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        *,
        anonymous: bool = False,
    ) -> tuple[int, bytes, float]:
        """(status, body, seconds): from sending the request to the last byte of the answer."""
        sent = dict(headers or {})
        if self.cookies and not anonymous:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        elapsed = time.perf_counter() - start
        if not anonymous:
            for header in response.msg.get_all("Set-Cookie") or []:
                jar: SimpleCookie = SimpleCookie()
                jar.load(header)
                self.cookies.update({key: morsel.value for key, morsel in jar.items()})
        return response.status, data, elapsed

    def login(self, username: str, password: str, *, timeout: float = 120) -> None:
        """Through the login form, CSRF token included, as a person would.

        With its own time-out: each login costs the server a password hash (10^6 PBKDF2
        iterations), and twenty at once queue behind a few workers.
        """
        usual, self.connection.timeout = self.connection.timeout, timeout
        try:
            self._login(username, password)
        finally:
            self.connection.close()
            self.connection.timeout = usual

    def _login(self, username: str, password: str) -> None:
        status, page, _ = self.request("GET", LOGIN_PATH)
        token = _CSRF_FIELD.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"page de connexion : statut {status}, jeton CSRF absent")
        form = {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": token.group(1).decode(),
        }
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status, _, _ = self.request("POST", LOGIN_PATH, urlencode(form).encode(), headers)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"connexion de {username} refusée (statut {status})")

    def json_headers(self) -> dict[str, str]:
        """Headers of a JSON POST from a logged-in page: Django's CSRF check wants the token."""
        return {
            "Content-Type": "application/json",
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
        }


Action = Callable[[int, Client], Result]


@dataclass
class Phase:
    name: str
    results: list[Result]
    seconds: float
    stuck: int = 0  # clients still busy when the phase had to end
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by process group
    started: float = 0.0  # perf_counter at its start, where kept (bench.tablets)

    def of(self, *kinds: str) -> list[Result]:
        return [r for r in self.results if r.kind in kinds]


def run_phase(
    name: str,
    clients: Sequence[Client],
    action: Action,
    *,
    requests: int,
    duration: float,
    request_timeout: float,
) -> Phase:
    """All ``clients`` at once, each calling ``action(client index, client)`` in a loop,
    until ``requests`` calls were started or ``duration`` seconds have passed."""
    tickets = itertools.count()
    lock = threading.Lock()
    start_line = threading.Barrier(len(clients) + 1)
    per_client: list[list[Result]] = [[] for _ in clients]
    deadline = 0.0

    def work(index: int) -> None:
        start_line.wait()
        while True:
            with lock:
                ticket = next(tickets)
            if ticket >= requests or time.perf_counter() >= deadline:
                return
            try:
                per_client[index].append(action(index, clients[index]))
            except Exception as error:  # anything a client meets is a failed request
                per_client[index].append(Result(name, 0, 0.0, False, repr(error)))

    threads = [
        threading.Thread(target=work, args=(i,), name=f"{name}-{i}", daemon=True)
        for i in range(len(clients))
    ]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    deadline = start + duration
    start_line.wait()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline + request_timeout + 5 - time.perf_counter()))
    seconds = time.perf_counter() - start
    stuck = sum(thread.is_alive() for thread in threads)
    return Phase(name, [r for results in per_client for r in results], seconds, stuck)


UNSENT = "unsent"  # an open-loop request still not sent when the phase had to end


def arrivals(rng: random.Random, interval: float, *, poisson: bool) -> Iterator[float]:
    """Offsets (seconds from the start) of one client's requests, ``interval`` apart on
    average: a Poisson process (exponential gaps), or a fixed period from a random phase."""
    offset = rng.expovariate(1 / interval) if poisson else rng.uniform(0, interval)
    while True:
        yield offset
        offset += rng.expovariate(1 / interval) if poisson else interval


def run_open_phase(
    name: str,
    clients: Sequence[Client],
    action: Action,
    *,
    interval: float,
    duration: float,
    request_timeout: float,
    seed: int,
    poisson: bool = True,
) -> Phase:
    """Each client calls ``action`` on its own schedule (``arrivals``) for ``duration``
    seconds, whether the server keeps up or not: an open loop, like tablets that send a
    questionnaire when an interview ends.

    A client has one connection, as a tablet sends its queue one questionnaire at a time:
    a request due while the previous one is still running goes when that one ends. Its
    latency counts from the time it was due, so that this waiting is measured, not hidden
    (no "coordinated omission"). Requests due before the end and still unsent
    ``request_timeout`` seconds after it are counted as failures (kind ``unsent``).
    """
    start_line = threading.Barrier(len(clients) + 1)
    per_client: list[list[Result]] = [[] for _ in clients]
    start = 0.0

    def work(index: int) -> None:
        schedule = arrivals(random.Random(seed + index), interval, poisson=poisson)
        start_line.wait()
        end, give_up = start + duration, start + duration + request_timeout
        results = per_client[index]
        for due in (start + offset for offset in schedule):
            if due >= end:
                return
            now = time.perf_counter()
            if now >= give_up:
                results.append(Result(UNSENT, 0, now - due, False, "non envoyée : trop de retard"))
                continue
            if now < due:
                time.sleep(due - now)
            try:
                result = action(index, clients[index])
            except Exception as error:  # anything a client meets is a failed request
                result = Result(name, 0, 0.0, False, repr(error))
            # waited: behind the previous request of this client, which ended after this
            # one was due (0 if the client was idle and slept until then).
            total = time.perf_counter() - due
            waited = max(0.0, now - due)
            results.append(dataclasses.replace(result, seconds=total, waited=waited))

    threads = [
        threading.Thread(target=work, args=(i,), name=f"{name}-{i}", daemon=True)
        for i in range(len(clients))
    ]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    start_line.wait()
    for thread in threads:
        thread.join(
            timeout=max(0.0, start + duration + 2 * request_timeout + 5 - time.perf_counter())
        )
    seconds = time.perf_counter() - start
    stuck = sum(thread.is_alive() for thread in threads)
    return Phase(name, [r for results in per_client for r in results], seconds, stuck)


@dataclass(frozen=True)
class Stats:
    count: int
    errors: int
    per_second: float
    p50: float  # milliseconds
    p95: float
    p99: float
    worst: float
    statuses: dict[int, int] = field(default_factory=dict)


def stats(results: Sequence[Result], seconds: float, *, service: bool = False) -> Stats:
    """Counts and percentiles; of the time from sending (``service``) in an open loop."""
    timings = sorted((r.service if service else r.seconds) * 1000 for r in results if r.status)
    if len(timings) >= 2:
        cuts = statistics.quantiles(timings, n=100, method="inclusive")
        p50, p95, p99 = cuts[49], cuts[94], cuts[98]
    else:
        p50 = p95 = p99 = timings[0] if timings else float("nan")
    statuses: dict[int, int] = {}
    for result in results:
        statuses[result.status] = statuses.get(result.status, 0) + 1
    return Stats(
        count=len(results),
        errors=sum(not r.ok for r in results),
        per_second=len(results) / seconds if seconds else 0.0,
        p50=p50,
        p95=p95,
        p99=p99,
        worst=timings[-1] if timings else float("nan"),
        statuses=dict(sorted(statuses.items())),
    )


if __name__ == "__main__":  # python -m bench.load: the 50-tablet load and fault test
    import sys

    from bench.load_faults import main

    sys.exit(main())
