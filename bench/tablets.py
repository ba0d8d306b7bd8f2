"""Tablets that send their questionnaires as static/entry/queue.js does, for bench.load.

The rule copied from queue.js: a questionnaire leaves the queue only when the server
answers 200 or 201 (with JSON; a page served in its place means the session is gone); a
4xx refusal (but 408, 425, 429: "try again later") marks it "à corriger", never retried;
401, 403 or a redirect stop the flush until the user logs in again, and so does a 409
"other_interviewer" (the session is another account's: it waits for its owner's); a
network error or any other status (5xx) is retried under the same uuid after a growing
delay (5 s, doubled at each failure, at most 5 min, ±20 %); after a network error the rest
of the queue waits too. A forced flush (network back, the "Envoyer" button) ignores the
delays and starts them over. If queue.js changes, change ``classify`` and ``backoff`` with
it (tests/test_bench_faults.py pins them).
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bench.load import Client, Phase, Result, arrivals

BACKOFF_FIRST = 5.0  # seconds, queue.js's BACKOFF_FIRST
BACKOFF_MAX = 300.0  # queue.js's BACKOFF_MAX

STORED, INVALID, AUTH, SERVER, NETWORK = "stored", "invalid", "auth", "server", "network"
RETRY_LATER = (408, 425, 429)  # queue.js's RETRY_LATER: 4xx that are retried


def backoff(attempts: int, rng: random.Random) -> float:
    """Seconds before the next try of a questionnaire that failed ``attempts`` times."""
    delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, attempts - 1))
    return delay * (0.8 + rng.random() * 0.4)


def classify(status: int, body: bytes) -> str:
    """What queue.js's ``send`` makes of an answer; status 0: no answer (network)."""
    if status == 0:
        return NETWORK
    if 300 <= status < 400 or status in (401, 403):
        return AUTH
    if status in (200, 201):
        try:
            json.loads(body)
        except ValueError:
            return AUTH  # a login page served in place of the API
        return STORED
    if 400 <= status < 500 and status not in RETRY_LATER:
        return AUTH if status == 409 and _code(body) == "other_interviewer" else INVALID
    return SERVER


def _code(body: bytes) -> object:
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    return answer.get("code") if isinstance(answer, dict) else None


@dataclass
class Item:
    """A questionnaire in a tablet's queue."""

    uuid: str
    body: bytes
    queued: float  # perf_counter time it entered the queue
    replay: bool = False  # an already stored questionnaire, sent again
    attempts: int = 0
    next_try: float = 0.0


@dataclass
class Tablet:
    """One tablet: its queue, and what it learnt from the server."""

    index: int
    rng: random.Random
    pending: dict[str, Item] = field(default_factory=dict)  # in queue order
    invalid: dict[str, str] = field(default_factory=dict)  # uuid: the server's answer
    accepted: dict[str, int] = field(default_factory=dict)  # uuid: the id the server gave
    bodies: dict[str, bytes] = field(default_factory=dict)  # every uuid sent, and its body
    results: list[Result] = field(default_factory=list)  # one per HTTP attempt
    acceptance: list[float] = field(default_factory=list)  # seconds from queued to stored
    anomalies: list[str] = field(default_factory=list)  # answers that contradict each other

    def add(self, item: Item) -> None:
        if item.uuid not in self.pending:
            self.pending[item.uuid] = item
            self.bodies.setdefault(item.uuid, item.body)

    def due(self, now: float, *, force: bool) -> list[Item]:
        return [item for item in self.pending.values() if force or item.next_try <= now]

    def next_try(self) -> float | None:
        return min((item.next_try for item in self.pending.values()), default=None)

    def record(self, item: Item, status: int, body: bytes, now: float, *, force: bool) -> str:
        """Apply one answer to ``item`` as queue.js does; return its outcome."""
        outcome = classify(status, body)
        if outcome == STORED:
            del self.pending[item.uuid]
            self._acknowledge(item, status, json.loads(body))
            self.acceptance.append(now - item.queued)
        elif outcome == INVALID:
            del self.pending[item.uuid]
            self.invalid[item.uuid] = body[:300].decode(errors="replace")
        elif outcome in (SERVER, NETWORK):
            item.attempts = 1 if force else item.attempts + 1
            item.next_try = now + backoff(item.attempts, self.rng)
        return outcome

    def _acknowledge(self, item: Item, status: int, answer: object) -> None:
        """Keep the id the server gave; note any answer that contradicts an earlier one."""
        if not isinstance(answer, dict) or answer.get("uuid") != item.uuid:
            self.anomalies.append(f"{item.uuid} : réponse {status} sans cet identifiant")
            return
        known = self.accepted.get(item.uuid)
        if known is not None and answer.get("id") != known:
            self.anomalies.append(f"{item.uuid} : identifiant {answer.get('id')} puis {known}")
        if item.replay and (status != 200 or answer.get("created") is not False):
            self.anomalies.append(f"{item.uuid} : rejeu d'un questionnaire enregistré créé")
        self.accepted.setdefault(item.uuid, answer.get("id", 0))


Body = Callable[[Tablet, str], bytes]  # the JSON of a new questionnaire of this uuid


@dataclass(frozen=True)
class Load:
    """What every tablet does during a phase."""

    path: str
    interval: float  # seconds between two new questionnaires of one tablet, on average
    duration: float  # seconds during which questionnaires are filled in
    drain: float  # seconds after that to empty the queues, faults over
    replay_share: float
    seed: int
    relogin: Callable[[int, Client], None]  # tablet index, its client: log in again


def new_item(tablet: Tablet, body: Body, now: float, replay_share: float) -> Item:
    """A new questionnaire or, for ``replay_share`` of them, an accepted one sent again."""
    if tablet.accepted and tablet.rng.random() < replay_share:
        again = tablet.rng.choice(sorted(tablet.accepted))
        return Item(again, tablet.bodies[again], now, replay=True)
    client_uuid = str(uuid.UUID(int=tablet.rng.getrandbits(128), version=4))
    return Item(client_uuid, body(tablet, client_uuid), now)


def send(tablet: Tablet, client: Client, item: Item, load: Load, *, force: bool) -> str:
    """One attempt at ``item``; its result is kept; returns the queue's outcome."""
    kind = "replay" if item.replay else ("retry" if item.attempts else "create")
    sent_at = time.perf_counter()
    try:
        status, data, seconds = client.request("POST", load.path, item.body, client.json_headers())
    except (OSError, http.client.HTTPException) as error:
        status, data, seconds, detail = 0, b"", 0.0, repr(error)
    else:
        detail = "" if status in (200, 201) else data[:160].decode(errors="replace")
    outcome = tablet.record(item, status, data, time.perf_counter(), force=force)
    tablet.results.append(Result(kind, status, seconds, outcome == STORED, detail, at=sent_at))
    return outcome


def flush(tablet: Tablet, client: Client, load: Load, *, force: bool = False) -> None:
    """queue.js's sendDue: every due questionnaire in queue order; stop at a network error
    or when the session is refused (the tablet then logs in again, as its user would)."""
    for item in tablet.due(time.perf_counter(), force=force):
        outcome = send(tablet, client, item, load, force=force)
        if outcome == AUTH:
            try:
                load.relogin(tablet.index, client)
            except Exception as error:  # the server may be down: the next flush tries again
                tablet.anomalies.append(f"nouvelle connexion impossible : {error!r}")
                time.sleep(BACKOFF_FIRST)  # as a person would, not in a loop
            return
        if outcome == NETWORK:
            return


def run_tablet(tablet: Tablet, client: Client, body: Body, load: Load, start: float) -> None:
    """New questionnaires on a Poisson schedule until ``duration``, each flush when one
    comes or a retry is due; then, until ``drain`` more seconds, a forced flush (the
    network is back) and the retries it leaves, until the queue is empty."""
    end, give_up = start + load.duration, start + load.duration + load.drain
    schedule = (start + offset for offset in arrivals(tablet.rng, load.interval, poisson=True))
    arrival = next(schedule)
    while (now := time.perf_counter()) < end:
        if arrival <= now:
            tablet.add(new_item(tablet, body, now, load.replay_share))
            arrival = next(schedule)
        if tablet.due(now, force=False):
            flush(tablet, client, load)
            continue
        retry = tablet.next_try()
        wake = min(arrival, end, retry if retry is not None else end)
        time.sleep(max(0.0, min(wake - now, 1.0)))
    force = True
    while tablet.pending and (now := time.perf_counter()) < give_up:
        if force or tablet.due(now, force=False):
            flush(tablet, client, load, force=force)
            force = False
            continue
        retry = tablet.next_try() or give_up
        time.sleep(max(0.0, min(retry, give_up) - now))


def run_tablets(
    name: str, tablets: Sequence[Tablet], clients: Sequence[Client], body: Body, load: Load
) -> Phase:
    """Every tablet in its own thread; a Phase of every HTTP attempt."""
    start_line = threading.Barrier(len(tablets) + 1)
    start = 0.0

    def work(tablet: Tablet, client: Client) -> None:
        start_line.wait()
        try:
            run_tablet(tablet, client, body, load, start)
        except Exception as error:  # a bug of this script: shown, never taken for the server's
            tablet.anomalies.append(f"tablette arrêtée : {error!r}")

    threads = [
        threading.Thread(target=work, args=pair, name=f"{name}-{i}", daemon=True)
        for i, pair in enumerate(zip(tablets, clients, strict=True))
    ]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    start_line.wait()
    for thread in threads:
        thread.join(timeout=max(0.0, start + load.duration + load.drain + 30 - time.perf_counter()))
    seconds = time.perf_counter() - start
    stuck = sum(thread.is_alive() for thread in threads)
    results = [r for tablet in tablets for r in tablet.results]
    return Phase(name, results, seconds, stuck, started=start)
