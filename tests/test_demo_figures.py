"""The demo's questionnaires give back the Charente 2016 report's published figures.

Every figure of fixtures/demo/charente_2016_figures.json is counted again here, with the
ORM, from the stored answers (voided questionnaires left out, "non concerné(e)" and "sans
réponse" out of the base, a question not asked not stored), and must give the file's k
out of n and the published percentage, rounded half up to one decimal. Then the same
figures are read through reports.indicators, the dashboard's own computation.

The demo is loaded once for the module (it takes about a second) and rolled back at the
end; each test runs in its own savepoint inside it.
"""

from __future__ import annotations

import copy
import datetime
import json
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet

from demo.loader import DemoResult, load_demo
from reports.figures import french_number
from reports.models import PublishedFigure
from survey.demo.plan import plan_responses
from survey.models import Answer, Campaign, Membership, Polarity, Response, Role
from survey.selectors import answer_values
from survey.services.responses import QuestionnaireSpec, build_answers

try:
    from reports import indicators
except ImportError as error:  # written by another engineer: may not exist yet
    indicators = None  # type: ignore[assignment]
    INDICATORS_MISSING = f"reports.indicators ne s'importe pas ({error})"
else:
    INDICATORS_MISSING = ""

FIGURES_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "charente_2016_figures.json"
DATA: dict[str, Any] = json.loads(FIGURES_FILE.read_text(encoding="utf-8"))
FIGURES: list[dict[str, Any]] = DATA["figures"]
PARIS = ZoneInfo("Europe/Paris")

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(demo: DemoResult) -> Campaign:
    return demo.campaign


def rounded(k: int, n: int) -> Decimal:
    return (Decimal(100 * k) / Decimal(n)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def counted(campaign: Campaign, scope: str) -> QuerySet[Response]:
    responses = Response.objects.filter(campaign=campaign, voided_at__isnull=True)
    return responses if scope == "all" else responses.filter(channel=scope)


def k_and_n(campaign: Campaign, figure: dict[str, Any]) -> tuple[int, int]:
    """The figure counted from the stored answers: respondents, not answer rows."""
    answers = Answer.objects.filter(
        response__in=counted(campaign, figure["scope"]), question__code=figure["question"]
    )
    if "arrondissement" in figure or "epci" in figure:
        base = answers.filter(Q(commune__isnull=False) | ~Q(text=""))
        if "arrondissement" in figure:
            hits = base.filter(commune__arrondissement_id=figure["arrondissement"])
        else:
            hits = base.filter(commune__epci_id=figure["epci"])
    else:
        base = answers.filter(choice__isnull=False).exclude(choice__polarity=Polarity.OUTSIDE)
        if figure["choice"] == "favourable":
            hits = base.filter(choice__polarity=Polarity.FAVOURABLE)
        else:
            hits = base.filter(choice__code__in=figure.get("choices") or [figure["choice"]])
    return (
        hits.values("response_id").distinct().count(),
        base.values("response_id").distinct().count(),
    )


# --- the file ---------------------------------------------------------------------------------


@pytest.mark.parametrize("figure", FIGURES, ids=[f["id"] for f in FIGURES])
def test_the_file_s_counts_give_the_published_percent(figure: dict[str, Any]) -> None:
    published = figure["percent"]
    assert rounded(figure["k"], figure["n"]) == Decimal(published)
    # As the report prints it: "65,8%", and "87%" for 87,0 %.
    assert french_number(100 * figure["k"] / figure["n"]) == published.replace(".", ",")
    assert f"{published.replace('.', ',')}%" in figure["wording"]
    assert figure["scope"] in {"all", "hall", "phone"}
    assert figure["base"]
    previous = figure["previous"]
    if previous and not previous.get("derived"):
        assert f"{previous['percent'].replace('.', ',')}%" in figure["wording"]


def test_the_plan_is_the_same_at_every_load(campaign: Campaign) -> None:
    first, second = plan_responses(campaign, DATA), plan_responses(campaign, DATA)

    assert [(r.started_at, r.answers) for r in first.respondents] == [
        (r.started_at, r.answers) for r in second.respondents
    ]


def test_a_figure_the_answers_no_longer_give_is_refused(campaign: Campaign) -> None:
    drifted = copy.deepcopy(DATA)
    drifted["figures"][0]["k"] += 1

    with pytest.raises(ImproperlyConfigured, match="particuliers"):
        plan_responses(campaign, drifted)


def test_answer_counts_that_do_not_add_up_are_refused(campaign: Campaign) -> None:
    drifted = copy.deepcopy(DATA)
    drifted["answers"]["profil_statut"]["hall"]["particulier"] += 1

    with pytest.raises(ImproperlyConfigured, match="profil_statut"):
        plan_responses(campaign, drifted)


# --- the stored questionnaires -----------------------------------------------------------------


def test_the_demo_holds_the_266_questionnaires_of_the_report(campaign: Campaign) -> None:
    responses = counted(campaign, "all")

    assert responses.count() == DATA["collection"]["total"] == 266
    assert dict(Counter(responses.values_list("channel", flat=True))) == {
        "hall": 202,
        "phone": 64,
    }
    assert not Response.objects.filter(campaign=campaign, voided_at__isnull=False).exists()


def local(moment: datetime.datetime | None) -> datetime.datetime:
    assert moment is not None
    return moment.astimezone(PARIS)


def test_hall_questionnaires_fall_in_the_report_s_two_weeks_and_opening_hours(
    campaign: Campaign,
) -> None:
    started = [local(s) for s in counted(campaign, "hall").values_list("started_at", flat=True)]
    weeks = Counter(s.date() - datetime.timedelta(days=s.weekday()) for s in started)

    assert weeks == {datetime.date(2016, 10, 3): 84, datetime.date(2016, 10, 10): 118}
    # Since 1 July 2016 the public is received on Monday, Tuesday and Thursday, 8:30-12:45.
    assert {s.weekday() for s in started} == {0, 1, 3}
    assert all(datetime.time(8, 30) <= s.time() < datetime.time(12, 45) for s in started)


def test_phone_questionnaires_per_day_are_the_report_s(campaign: Campaign) -> None:
    started = [local(s) for s in counted(campaign, "phone").values_list("started_at", flat=True)]
    days = Counter(s.date() for s in started)

    assert days == {
        datetime.date(2016, 10, 10): 15,
        datetime.date(2016, 10, 11): 16,
        datetime.date(2016, 10, 12): 12,
        datetime.date(2016, 10, 13): 16,
        datetime.date(2016, 10, 14): 5,
    }
    assert all(s.hour < 12 for s in started if s.date() == datetime.date(2016, 10, 14))


def test_questionnaires_are_entered_by_interviewers_on_the_right_device(
    campaign: Campaign,
) -> None:
    responses = list(counted(campaign, "all").select_related("site", "interviewer"))
    interviewers = set(
        Membership.objects.filter(
            organisation=campaign.organisation, role=Role.INTERVIEWER
        ).values_list("user_id", flat=True)
    )

    assert {r.interviewer_id for r in responses} <= interviewers
    assert {(r.channel, r.mode) for r in responses} == {("hall", "tablet"), ("phone", "phone")}
    assert all(r.started_at is not None and r.started_at < r.submitted_at for r in responses)
    assert all(r.site.organisation_id == campaign.organisation_id for r in responses)
    sites = Counter(r.site.name for r in responses)
    assert sites.most_common(1)[0][0] == "Préfecture de la Charente (Angoulême)"
    assert len(sites) == 3
    assert all(r.history.filter(history_type="+").exists() for r in responses[:5])


def test_every_stored_questionnaire_passes_the_entry_validation(campaign: Campaign) -> None:
    specs = {q.pk: QuestionnaireSpec.load(q) for q in campaign.questionnaires.all()}
    responses = counted(campaign, "all").prefetch_related("answers__choice")

    for response in responses:
        spec = specs[response.questionnaire_id]
        values = answer_values(spec, list(response.answers.all()))
        rows = build_answers(spec, values)  # raises on a skip-logic or required-answer fault
        assert len(rows) == len(response.answers.all())


def test_the_demo_s_114_remarks_are_all_coded(campaign: Campaign) -> None:
    remarks = Answer.objects.filter(response__campaign=campaign, question__code="remarques")

    assert remarks.count() == 114
    assert not remarks.filter(remark_codes__isnull=True).exists()


@pytest.mark.parametrize("figure", FIGURES, ids=[f["id"] for f in FIGURES])
def test_the_stored_answers_give_the_published_figure(
    campaign: Campaign, figure: dict[str, Any]
) -> None:
    k, n = k_and_n(campaign, figure)

    assert (k, n) == (figure["k"], figure["n"])
    assert rounded(k, n) == Decimal(figure["percent"])


# --- 2015 -------------------------------------------------------------------------------------


def test_every_2015_comparison_of_the_report_is_entered_as_published(campaign: Campaign) -> None:
    rows = {
        (f.code, f.choice_code, f.channel): f
        for f in PublishedFigure.objects.filter(organisation=campaign.organisation, year=2015)
    }
    expected = {
        (f["question"], "" if f["choice"] == "favourable" else f["choice"], f["scope"]): f
        for f in FIGURES
        if f["previous"]
    }

    assert set(rows) == set(expected) | {
        ("questionnaires", "", "hall"),
        ("questionnaires", "", "phone"),
    }
    for key, figure in expected.items():
        row = rows[key]
        assert row.rate == Decimal(figure["previous"]["percent"])
        assert (row.favourable, row.base) == (None, None)
        assert f"§ {figure['section']}" in row.source
    assert rows[("questionnaires", "", "hall")].base == 208
    assert rows[("questionnaires", "", "phone")].base == 67
    assert rows[("hall_satisfaction_globale", "", "all")].rate == Decimal("98.4")
    assert len(expected) == 17


def test_loading_the_demo_again_creates_nothing(campaign: Campaign) -> None:
    counts = (
        Response.objects.count(),
        Answer.objects.count(),
        PublishedFigure.objects.count(),
    )

    again = load_demo()

    assert (again.responses.responses, again.responses.published_figures) == (0, 0)
    assert (
        Response.objects.count(),
        Answer.objects.count(),
        PublishedFigure.objects.count(),
    ) == counts


# --- through the dashboard's computation ----------------------------------------------------------


@pytest.mark.skipif(indicators is None, reason=INDICATORS_MISSING)
@pytest.mark.parametrize("figure", FIGURES, ids=[f["id"] for f in FIGURES])
def test_the_indicators_give_the_published_figure(
    campaign: Campaign, figure: dict[str, Any]
) -> None:
    assert indicators is not None
    channel = None if figure["scope"] == "all" else figure["scope"]
    result = indicators.compute(campaign, indicators.Filter(channel=channel))

    if "arrondissement" in figure or "epci" in figure:
        places = result.arrondissements if "arrondissement" in figure else result.epcis
        place = next(place for place in places if place.code == figure["choice"])
        rate, previous = place.rate, place.previous
    else:
        question = result.question(figure["question"])
        if figure["choice"] == "favourable":
            assert question.favourable is not None
            rate, previous = question.favourable, question.previous
        else:
            rate, previous = (
                question.share(figure["choice"]),
                question.share_previous(figure["choice"]),
            )

    assert (rate.k, rate.n) == (figure["k"], figure["n"])
    assert rounded(rate.k, rate.n) == Decimal(figure["percent"])
    if figure["previous"]:
        assert previous is not None, f"the 2015 figure of {figure['id']} is not found"
        assert previous.year == 2015
        assert previous.percent == pytest.approx(float(figure["previous"]["percent"]))


@pytest.mark.skipif(indicators is None, reason=INDICATORS_MISSING)
def test_the_indicators_give_the_report_s_representativeness(campaign: Campaign) -> None:
    assert indicators is not None
    result = indicators.compute(campaign, indicators.Filter())

    assert result.total == 266
    assert result.by_channel == {"hall": 202, "phone": 64}
    assert result.by_week("hall") == [
        (datetime.date(2016, 10, 3), 84),
        (datetime.date(2016, 10, 10), 118),
    ]
    assert [n for _, n in result.by_day["phone"]] == [15, 16, 12, 16, 5]
    assert result.comparison_year == 2015
    assert result.previous_by_channel == {"hall": (208, "published"), "phone": (67, "published")}
