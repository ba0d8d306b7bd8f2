"""Login throttling: five wrong passwords lock an account from an address, twenty from one
address lock the address whatever the usernames (password spraying)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from .factories import UserFactory

pytestmark = pytest.mark.django_db

SPRAYER = "203.0.113.66"
ELSEWHERE = "198.51.100.7"


@pytest.fixture(autouse=True)
def _fast_hashes(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def attempt(username: str, password: str, address: str) -> Any:
    return Client(REMOTE_ADDR=address).post(
        reverse("login"), {"username": username, "password": password}
    )


def refused(response: Any) -> bool:
    """The form again, with its error: a wrong password, nothing locked."""
    return response.status_code == 200 and "Connexion impossible" in response.content.decode()


def locked(response: Any) -> bool:
    return response.status_code == 429 and "Connexion bloquée" in response.content.decode()


def logged_in(response: Any) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


def test_the_limits_are_five_per_account_and_twenty_per_address() -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS == 20


def test_four_passwords_on_each_of_ten_accounts_lock_the_address() -> None:
    accounts = [UserFactory(username=f"agent{index}").username for index in range(10)]
    answers = [
        attempt(username, f"essai{guess}", SPRAYER) for username in accounts for guess in range(4)
    ]

    # Nineteen plain refusals, then the twentieth failure locks the address.
    assert all(refused(response) for response in answers[:19])
    assert all(locked(response) for response in answers[19:])
    assert "depuis cette adresse réseau" in answers[19].content.decode()
    # Even the right password is refused from that address...
    assert locked(attempt(accounts[0], "secret", SPRAYER))
    assert locked(attempt(UserFactory(username="epargne").username, "secret", SPRAYER))
    # ...while the accounts, each below its own limit, still open from elsewhere.
    assert logged_in(attempt(accounts[9], "secret", ELSEWHERE))


def test_a_successful_login_does_not_reset_the_count_of_the_address() -> None:
    accounts = [UserFactory(username=f"agent{index}").username for index in range(5)]
    tries = [(username, f"essai{guess}") for username in accounts for guess in range(4)][:19]
    assert all(refused(attempt(username, password, SPRAYER)) for username, password in tries)
    own = UserFactory(username="complice").username

    assert logged_in(attempt(own, "secret", SPRAYER))  # 19 failures so far, then a success
    assert locked(attempt(accounts[0], "essai9", SPRAYER))  # the twentieth


def test_five_wrong_passwords_still_lock_the_account_from_that_address() -> None:
    username = UserFactory(username="stagiaire").username
    answers = [attempt(username, f"essai{guess}", SPRAYER) for guess in range(5)]

    assert all(refused(response) for response in answers[:4])
    assert locked(answers[4])
    assert "avec cet identifiant depuis cet appareil" in answers[4].content.decode()
    assert locked(attempt(username, "secret", SPRAYER))
    # Another account from the same address is not locked by this one.
    assert logged_in(attempt(UserFactory(username="voisin").username, "secret", SPRAYER))
