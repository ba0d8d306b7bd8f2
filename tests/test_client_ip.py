from __future__ import annotations

from django.test import RequestFactory

from config.client_ip import forwarded_client_ip


def test_the_address_appended_by_our_proxy_wins_over_a_forged_one() -> None:
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="127.0.0.1"
    )

    assert forwarded_client_ip(request) == "203.0.113.7"


def test_without_a_forwarded_header_the_socket_address_is_used() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.2")

    assert forwarded_client_ip(request) == "198.51.100.2"
