"""Properties, checked on generated payloads: whatever a client sends, the submission API and
the main form posts answer it without a 500, a refusal says what is wrong (by field, for the
API) and stores nothing.

Bounded so that CI stays short and repeatable: a fixed number of examples, derandomised,
no example database, no deadline (the machines running CI are slow and shared).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from mystery.models import Mailbox, MysteryCall, MysteryEmail
from reports import remarks
from reports.models import PublishedFigure, WebFigure, WebMetric
from survey.models import Answer, Campaign, Organisation, Questionnaire, Response
from survey.services.responses import QuestionnaireSpec

from .factories import (
    EmailThemeFactory,
    MysteryServiceFactory,
    ResponseFactory,
    SiteFactory,
)
from .helpers import payload_for
from .helpers_answers import complete_answers
from .helpers_mystery import call

pytestmark = pytest.mark.django_db

BOUNDED = hypothesis_settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# A form post renders its page again: ten times the cost of an API call, so fewer examples.
BOUNDED_FORMS = hypothesis_settings(BOUNDED, max_examples=40)

# --- what a hostile client sends ---------------------------------------------------------------

# Text that no column can hold nor any page show back, mixed into ordinary text.
POISON = st.sampled_from(["\x00", "\ud800", "\udfff", "\udbff\u0041", "\ufffe", "\u202e"])
TEXT = st.one_of(
    st.text(max_size=12),
    st.builds(lambda a, p, b: a + p + b, st.text(max_size=4), POISON, st.text(max_size=4)),
    st.sampled_from(["", " ", "²", "٣", "1e400", "NaN", "-0", "9" * 30, "null", "oui"]),
)


def _moment(y: int, mo: int, d: int, h: int, mi: int, offset: int, sign: str) -> str:
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:00{sign}{offset // 60:02d}:{offset % 60:02d}"


# Moments around and beyond every edge: 30 February, hour 25, offset +25:00, years 1 and 9999.
MOMENT = st.one_of(
    st.builds(
        _moment,
        st.sampled_from([1, 2, 2016, 2090, 9999]),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.integers(0, 25 * 60),
        st.sampled_from(["+", "-"]),
    ),
    st.sampled_from(
        ["2016-10-10T09:00:00Z", "2016-10-10T09:00:00", "2016-10-10", "10000-01-01T00:00:00Z"]
    ),
)
NUMBER = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 2**31, 2**63, 10**400]),
)
SCALAR = st.one_of(st.none(), st.booleans(), NUMBER, TEXT, MOMENT)
JSON_VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=6,
)


# Lists nested this deep, written into the body as text (neither Hypothesis nor json.dumps
# would walk them): the value is a marker that _body replaces.
NESTED = st.integers(15, 3_000).map(lambda depth: f"<<nested:{depth}>>")
_NESTED_MARK = re.compile(r'"<<nested:(\d+)>>"')


HOSTILE = st.one_of(SCALAR, JSON_VALUE, NESTED)

API_KEYS = [
    "uuid",
    "questionnaire",
    "site",
    "mode",
    "device_id",
    "started_at",
    "submitted_at",
    "answers",
]


@st.composite
def api_changes(draw: Any) -> list[tuple[tuple[str, ...], Any]]:
    """One to three changes to a valid payload: (path, new value); a value of ``...`` deletes."""
    changes = []
    for _ in range(draw(st.integers(1, 3))):
        where = draw(
            st.one_of(
                st.sampled_from(API_KEYS).map(lambda key: (key,)),
                st.sampled_from(
                    ["remarques", "profil_commune", "profil_statut", "profil_motif", "x"]
                ).map(lambda code: ("answers", code)),
                st.just(("answers", "profil_commune", "outside")),
                TEXT.map(lambda key: (key,)),
            )
        )
        changes.append((where, draw(st.one_of(HOSTILE, st.just(...)))))
    return changes


def _apply(payload: dict[str, Any], changes: list[tuple[tuple[str, ...], Any]]) -> None:
    for where, value in changes:
        target = payload
        for step in where[:-1]:
            if not isinstance(target.get(step), dict):
                target[step] = {}
            target = target[step]
        if value is ...:
            target.pop(where[-1], None)
        else:
            target[where[-1]] = value


def _body(payload: Any) -> bytes:
    # Python's json writes NaN and Infinity, as some clients do: the server must refuse them.
    text = json.dumps(payload)
    return _NESTED_MARK.sub(lambda m: "[" * int(m[1]) + "]" * int(m[1]), text).encode()


def _is_error_body(data: Any) -> bool:
    errors = data.get("errors") if isinstance(data, dict) else None
    return (
        isinstance(errors, dict)
        and bool(errors)
        and all(
            isinstance(key, str)
            and isinstance(messages, list)
            and messages
            and all(isinstance(m, str) and m for m in messages)
            for key, messages in errors.items()
        )
    )


# --- the submission API --------------------------------------------------------------------------


def test_the_submission_api_never_answers_500_and_a_refusal_stores_nothing(
    hall: Questionnaire,
    interviewer_client: Client,
) -> None:
    base = payload_for(hall)
    url = reverse("survey:api_submit")
    interviewer_client.raise_request_exception = False

    @BOUNDED
    @given(changes=api_changes(), fresh_uuid=st.uuids())
    def check(changes: list[tuple[tuple[str, ...], Any]], fresh_uuid: Any) -> None:
        payload = json.loads(json.dumps(base))
        payload["uuid"] = str(fresh_uuid)
        _apply(payload, changes)
        before = (Response.objects.count(), Answer.objects.count())

        response = interviewer_client.post(url, _body(payload), content_type="application/json")

        assert response.status_code in {200, 201, 400, 404}, response.content[:500]
        stored = (Response.objects.count(), Answer.objects.count())
        if response.status_code == 201:
            assert stored[0] == before[0] + 1
        else:
            assert stored == before
        if response.status_code == 400:
            assert _is_error_body(response.json()), response.content[:500]

    check()


def test_a_body_that_is_not_even_json_never_brings_a_500(interviewer_client: Client) -> None:
    url = reverse("survey:api_submit")
    interviewer_client.raise_request_exception = False

    @BOUNDED
    @given(body=st.one_of(st.binary(max_size=64), TEXT.map(lambda t: t.encode("utf-8", "replace"))))
    def check(body: bytes) -> None:
        response = interviewer_client.post(url, body, content_type="application/json")

        assert response.status_code == 400
        assert _is_error_body(response.json())
        assert Response.objects.count() == 0

    check()


# --- the main form posts -------------------------------------------------------------------------

FORM_VALUE = st.one_of(
    TEXT,
    MOMENT,
    NUMBER.map(str),
    st.sampled_from(["True", "False", "on", "0001-01-01T00:00", "9999-12-31T23:59", "2016-02-30"]),
    st.lists(TEXT, min_size=2, max_size=3),  # a field sent several times
)


@st.composite
def form_changes(draw: Any, fields: list[str]) -> dict[str, Any]:
    """New values for one to four of ``fields`` (or an unknown one); None drops the field."""
    names = st.one_of(st.sampled_from(fields), TEXT)
    return draw(st.dictionaries(names, st.one_of(FORM_VALUE, st.none()), min_size=1, max_size=4))


def _form_post(client: Client, url: str, valid: dict[str, Any], changes: dict[str, Any]) -> Any:
    """Posts the form as a client may, raw: a lone surrogate goes as its 3 bytes, which no
    UTF-8 decoder accepts (the test client's own encoder would refuse them)."""
    data = {key: value for key, value in {**valid, **changes}.items() if value is not None}
    body = urlencode(data, doseq=True, encoding="utf-8", errors="surrogatepass")
    return client.post(url, body.encode(), content_type="application/x-www-form-urlencoded")


def _check_form(
    client: Client, url: str, valid: dict[str, Any], counted: Any, changes: dict[str, Any]
) -> None:
    before = counted()
    response = _form_post(client, url, valid, changes)
    assert response.status_code in {200, 302, 400}, response.content[:500]
    if response.status_code != 302:
        assert counted() == before


def test_the_mystery_call_form_never_answers_500(
    staff_client: Client,
    open_campaign: Campaign,
    organisation: Organisation,
) -> None:
    url = reverse("mystery:call_create", args=[open_campaign.pk])
    valid = call(MysteryServiceFactory(organisation=organisation))
    staff_client.raise_request_exception = False

    @BOUNDED_FORMS
    @given(changes=form_changes([*valid, "greeting_missing", "again"]))
    def check(changes: dict[str, Any]) -> None:
        _check_form(staff_client, url, valid, MysteryCall.objects.count, changes)

    check()
    assert (
        staff_client.get(reverse("mystery:call_list", args=[open_campaign.pk])).status_code == 200
    )


def test_the_mystery_email_form_never_answers_500(
    staff_client: Client,
    open_campaign: Campaign,
    organisation: Organisation,
) -> None:
    valid = {
        "theme": str(EmailThemeFactory(organisation=organisation).pk),
        "service": str(MysteryServiceFactory(organisation=organisation).pk),
        "mailbox": str(
            Mailbox.objects.create(organisation=organisation, address="usager@example.org").pk
        ),
        "question": "Quels papiers pour une carte grise ?",
        "sent_at": "2016-10-04T10:15",
        "acknowledged_at": "2016-10-04T10:20",
        "answered_at": "2016-10-05T09:00",
        "answer_content_ok": "True",
        "answer_form_ok": "True",
        "observations": "",
    }
    url = reverse("mystery:email_create", args=[open_campaign.pk])
    staff_client.raise_request_exception = False

    @BOUNDED_FORMS
    @given(changes=form_changes(list(valid)))
    def check(changes: dict[str, Any]) -> None:
        _check_form(staff_client, url, valid, MysteryEmail.objects.count, changes)

    check()
    assert (
        staff_client.get(reverse("mystery:email_list", args=[open_campaign.pk])).status_code == 200
    )


def test_the_campaign_form_never_answers_500(manager_client: Client) -> None:
    valid = {
        "year": "2017",
        "title": "Enquête 2017",
        "start_date": "2017-10-02",
        "end_date": "2017-10-13",
        "objective": "75",
        "orange_band": "5",
        "questionnaires_from": "",
    }
    url = reverse("survey:campaign_create")
    manager_client.raise_request_exception = False

    @BOUNDED_FORMS
    @given(changes=form_changes(list(valid)))
    def check(changes: dict[str, Any]) -> None:
        _check_form(manager_client, url, valid, Campaign.objects.count, changes)

    check()


def test_the_login_never_answers_500(settings: Any) -> None:
    # Each refused login hashes the password given: the fast hasher keeps the test short.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client(raise_request_exception=False)
    url = reverse("login")
    from axes.models import AccessAttempt

    @BOUNDED_FORMS
    @given(changes=form_changes(["username", "password", "next"]))
    def check(changes: dict[str, Any]) -> None:
        response = _form_post(client, url, {"username": "x", "password": "y"}, changes)
        assert response.status_code in {200, 302, 400, 403, 429}, response.content[:300]
        AccessAttempt.objects.all().delete()  # no lockout between examples

    check()


def test_the_figure_forms_never_answer_500(
    hall: Questionnaire,
    manager_client: Client,
) -> None:
    """The published figure of an earlier year, and the grid of website figures."""
    figure = {
        "year": "2015",
        "code": "connait_reseaux",
        "choice_code": "",
        "channel": "hall",
        "favourable": "",
        "base": "",
        "rate": "9,6",
        "source": "Rapport 2015, p. 12",
    }
    cells = [f"{metric}_{month:02d}" for metric in WebMetric for month in (1, 2, 12)]
    figure_url = reverse("reports:published_figure_create")
    grid_url = reverse("reports:web_figures") + "?annee=2016"
    manager_client.raise_request_exception = False

    @BOUNDED_FORMS
    @given(changes=form_changes(list(figure)), typed=form_changes(cells))
    def check(changes: dict[str, Any], typed: dict[str, Any]) -> None:
        _check_form(manager_client, figure_url, figure, PublishedFigure.objects.count, changes)
        _check_form(manager_client, grid_url, {}, WebFigure.objects.count, typed)

    check()


def test_the_remark_coding_form_never_answers_500(
    hall: Questionnaire,
    manager_client: Client,
    organisation: Organisation,
) -> None:
    remarks.load_taxonomy(organisation)
    response = ResponseFactory(questionnaire=hall, site=SiteFactory(organisation=organisation))
    remark = Answer.objects.create(
        response=response, question=hall.questions.get(code="remarques"), text="Trop d'attente."
    )
    url = reverse("reports:remark_code", args=[remark.pk])
    valid = {"keys": "1 2", "action": "save", "filtre": ""}
    manager_client.raise_request_exception = False

    @BOUNDED_FORMS
    @given(changes=form_changes([*valid, "categories"]))
    def check(changes: dict[str, Any]) -> None:
        _check_form(manager_client, url, valid, lambda: None, changes)

    check()
    assert (
        manager_client.get(reverse("reports:remarks", args=[hall.campaign.pk])).status_code == 200
    )


def test_the_answers_to_a_stored_questionnaire_are_readable_whatever_was_sent(
    hall: Questionnaire,
    manager_client: Client,
) -> None:
    """What the API accepted, the responses list shows: no accepted value breaks a page."""
    client = Client(raise_request_exception=False)
    client.force_login(manager_client.user)  # type: ignore[attr-defined]
    answers = complete_answers(QuestionnaireSpec.load(hall))

    @hypothesis_settings(BOUNDED, max_examples=20)
    @given(remark=TEXT, outside=TEXT)
    def check(remark: str, outside: str) -> None:
        payload = payload_for(
            hall,
            answers={**answers, "remarques": remark, "profil_commune": {"outside": outside}},
        )
        client.post(reverse("survey:api_submit"), _body(payload), content_type="application/json")

    check()
    campaign = hall.campaign
    assert client.get(reverse("survey:response_list", args=[campaign.pk])).status_code == 200
    assert client.get(reverse("reports:remarks", args=[campaign.pk])).status_code == 200
