"""The README's quick start is the first thing a new engineer or a prefecture's IT reads:
what it says of the project's state and of `make run` must stay true."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def status_paragraph() -> str:
    match = re.search(r"\*\*État\*\* :(.*?)\n\n", README, re.S)
    assert match, "the README has lost its status paragraph"
    return " ".join(match.group(1).split())


def test_the_status_does_not_announce_what_is_already_there() -> None:
    status = status_paragraph()
    # The report and the evidence pack have their apps, views and tests.
    assert (ROOT / "reports" / "audit" / "pdf.py").exists()
    assert (ROOT / "reports" / "audit" / "evidence.py").exists()
    assert "rapport d'audit en PDF" in status
    assert "dossier de preuves" in status
    said_to_come = status.split("Restent à venir")[-1] if "Restent à venir" in status else ""
    assert "rapport" not in said_to_come
    assert "dossier de preuves" not in said_to_come
    assert "suivent" not in status


def test_the_readme_says_how_to_serve_on_another_port() -> None:
    assert re.search(r"^RUNSERVER_ADDR \?= 127\.0\.0\.1:8000$", MAKEFILE, re.M)
    assert "runserver $(RUNSERVER_ADDR)" in MAKEFILE
    assert "check_address $(RUNSERVER_ADDR)" in MAKEFILE
    assert "make run RUNSERVER_ADDR=127.0.0.1:8001" in README


def test_the_readme_says_how_long_the_tests_take() -> None:
    text = " ".join(README.split())
    assert re.search(r"dure environ \d+ minutes sur SQLite et \d+ minutes sur PostgreSQL", text)


def test_a_taken_port_is_named_with_the_way_out() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=rf"Le port {port} est déjà occupé") as error:
            call_command("check_address", f"127.0.0.1:{port}")
    assert f"RUNSERVER_ADDR=127.0.0.1:{port + 1}" in str(error.value)


def test_a_free_port_passes() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    call_command("check_address", f"127.0.0.1:{port}")


@pytest.mark.parametrize("address", ["127.0.0.1:", "127.0.0.1:huit", "127.0.0.1:70000"])
def test_a_malformed_address_is_explained(address: str) -> None:
    with pytest.raises(CommandError, match="Adresse invalide"):
        call_command("check_address", address)
