"""A streamed CSV export that fails midway does not end as a shorter file that looks
complete: its last line says it is incomplete, and the error goes on to the server, which
drops the connection (the browser reports a failed download)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from survey.models import Organisation
from survey.services import exchange
from survey.spreadsheets import csv_pieces

from .helpers import open_canonical_campaign


class Broken(Exception):
    pass


def rows_failing_after(count: int) -> Iterator[list[str]]:
    for index in range(count):
        yield [f"r{index}", "texte"]
    raise Broken("une date illisible")


def lines(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_a_stream_that_fails_ends_with_a_line_saying_it_is_incomplete() -> None:
    pieces: list[bytes] = []

    with pytest.raises(Broken):
        pieces.extend(csv_pieces(["uuid", "remarques"], rows_failing_after(3), piece_rows=2))

    read = lines(b"".join(pieces))
    assert read[:4] == [["uuid", "remarques"], ["r0", "texte"], ["r1", "texte"], ["r2", "texte"]]
    assert read[-1][0].startswith("EXPORT INCOMPLET : une erreur a interrompu l'export après 3")
    assert len(read) == 5


def test_the_download_that_fails_midway_says_so_and_does_not_end_cleanly(
    organisation: Organisation, manager_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = open_canonical_campaign(organisation).questionnaires.get(channel="hall")
    monkeypatch.setattr(
        exchange, "export_rows", lambda questionnaire: (["uuid", "site"], rows_failing_after(2))
    )

    response = manager_client.get(reverse("survey:export", args=[hall.pk, "csv"]))
    received: list[bytes] = []
    with pytest.raises(Broken):  # the server sees the error: it ends the connection
        received.extend(response.streaming_content)  # type: ignore[attr-defined]

    assert response.status_code == 200  # sent before the first row was read
    assert "EXPORT INCOMPLET" in lines(b"".join(received))[-1][0]
