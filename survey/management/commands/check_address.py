"""`make run` asks this before it migrates and starts the server: when the address is taken
(another `make run`, another project on port 8000), the user reads which variable to change
instead of runserver's "That port is already in use" after the demo has loaded."""

from __future__ import annotations

import errno
import socket
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def split_address(address: str) -> tuple[str, int]:
    """'127.0.0.1:8000', '8000' or '[::1]:8000' as runserver reads them."""
    host, _, port = address.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(
            f"Adresse invalide : « {address} ». Exemple : RUNSERVER_ADDR=127.0.0.1:8001."
        )
    return host, int(port)


class Command(BaseCommand):
    help = "Vérifie que l'adresse du serveur de développement est libre (make run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address", help="hôte:port, comme RUNSERVER_ADDR")

    def handle(self, *args: Any, address: str, **options: Any) -> None:
        host, port = split_address(address)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    raise CommandError(
                        f"Le port {port} est déjà occupé sur {host}. Lancez le serveur sur un "
                        f"autre port : make run RUNSERVER_ADDR={host}:{port + 1}"
                    ) from error
                raise CommandError(
                    f"Impossible d'écouter sur {host}:{port} : {error.strerror}."
                ) from error
