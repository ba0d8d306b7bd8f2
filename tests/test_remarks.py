"""Remarks (Q40): the seed's taxonomy, the counts of tables 5.1 to 5.3, coding one remark,
the keyboard coding screen, the taxonomy pages, and the demo's 114 coded remarks."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports import remarks
from reports.models import RemarkCategory, RemarkCode
from reports.remarks import Taxonomy
from survey.models import Answer, Campaign, CampaignStatus, Organisation, Response, Role

from .factories import UserFactory
from .helpers import (
    ESPACE,
    attente,
    category,
    client_for,
    make_remark,
    make_response,
    open_canonical_campaign,
)

pytestmark = pytest.mark.django_db

SVI = "N'apprécient pas d'avoir 1 Serveur à Reconnaissance Vocale au décrochage"
COULEURS = (
    "Indiquer sur le site que les documents à imprimer pour les démarches doivent être "
    "obligatoirement en couleurs"
)

# Seed tables 5.1 to 5.3, line by line: (level, label, count). Level 1 is the channel (its
# count is the table's "Total des remarques et suggestions").
SEED_TABLES = [
    (1, "Accueil physique", 76),
    (2, "Horaires et attente", 38),
    (3, "Temps d'attente trop long", 13),
    (3, "Horaires d'ouverture au public insuffisants", 22),
    (3, "Plus de guichets ouverts", 3),
    (2, ESPACE, 19),
    (2, "Personnel", 12),
    (3, "Manque de personnel", 5),
    (3, "Manque de courtoisie", 5),
    (3, "Plus d'explications", 2),
    (2, "Fonctionnement", 4),
    (3, "Mise à jour des horaires d'ouverture", 1),
    (3, "Plus d'informations sur les téléprocédures", 1),
    (3, "Recueil des passeports biométriques en sous-préfectures", 1),
    (3, "Indiquer le passage à l'accueil général avant d'aller au guichet", 1),
    (2, "Aménagements extérieurs", 3),
    (3, "Stationnement difficile", 1),
    (3, "Absence de parking PMR rue de la préfecture", 1),
    (3, "Absence d'abri extérieur à l'entrée de la préfecture", 1),
    (1, "Accueil téléphonique", 32),
    (2, "Horaires et attente", 7),
    (3, "Plages horaires trop courtes", 5),
    (3, "Attente trop longue", 2),
    (2, "Difficulté pour joindre le service souhaité", 10),
    (2, "Personnel", 9),
    (3, "Manque de personnel", 7),
    (3, "Manque de précisions dans les informations données", 2),
    (2, "Messagerie", 6),
    (3, "Boîtes de messagerie vocale saturées", 1),
    (3, SVI, 2),
    (3, "Absence de message d'attente ou message d'attente trop long", 3),
    (1, "Accueil site internet", 6),
    (2, "Mise à jour des informations insuffisante", 4),
    (2, "Existence de sites frauduleux", 1),
    (2, COULEURS, 1),
]


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def campaign(organisation: Organisation) -> Campaign:
    """An open campaign with the canonical questionnaires and the seed's taxonomy."""
    campaign = open_canonical_campaign(organisation)
    remarks.load_taxonomy(organisation)
    return campaign


def ouverture(organisation: Organisation) -> RemarkCategory:
    return category(
        organisation,
        "Accueil physique",
        "Horaires et attente",
        "Horaires d'ouverture au public insuffisants",
    )


def outline(taxonomy: Taxonomy) -> list[tuple[int, str, int]]:
    return [(node.depth, node.label, node.count) for node in taxonomy.walk()]


def count_of(counts: remarks.RemarkCounts, category: RemarkCategory) -> int:
    return counts.taxonomy.by_pk[category.pk].count


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


# --- taxonomy --------------------------------------------------------------------------------


def test_the_taxonomy_is_the_tree_of_the_seeds_tables_in_their_order(
    organisation: Organisation,
) -> None:
    created = remarks.load_taxonomy(organisation)

    tree = Taxonomy.load(organisation.pk)
    assert created == len(SEED_TABLES) == 35
    assert [(depth, label) for depth, label, _ in outline(tree)] == [
        (depth, label) for depth, label, _ in SEED_TABLES
    ]
    # Every active leaf has a key, numbered in the order of the tables.
    assert [node.label for node in tree.leaves()][:3] == [
        "Temps d'attente trop long",
        "Horaires d'ouverture au public insuffisants",
        "Plus de guichets ouverts",
    ]
    assert tree.by_key["4"].label == ESPACE
    assert len(tree.by_key) == 25


def test_loading_the_taxonomy_again_creates_and_changes_nothing(
    organisation: Organisation,
) -> None:
    remarks.load_taxonomy(organisation)
    personnel = category(organisation, "Accueil physique", "Personnel")
    remarks.move_category(personnel, up=True)
    before = list(RemarkCategory.objects.order_by("pk").values_list("pk", "label", "order"))

    assert remarks.load_taxonomy(organisation) == 0

    assert list(RemarkCategory.objects.order_by("pk").values_list("pk", "label", "order")) == (
        before
    )


def test_each_organisation_gets_its_own_taxonomy(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    remarks.load_taxonomy(organisation)
    remarks.load_taxonomy(other_organisation)

    assert RemarkCategory.objects.filter(organisation=other_organisation).count() == 35
    assert RemarkCategory.objects.count() == 70


# --- counts ----------------------------------------------------------------------------------


def test_a_category_counts_a_remark_once_even_if_coded_with_two_of_its_subcategories(
    campaign: Campaign, organisation: Organisation, manager_client: Client
) -> None:
    both = make_remark(campaign, "Attente trop longue et horaires trop courts.")
    one = make_remark(campaign, "Ouvrir l'après-midi.")
    remarks.code_remark(both, [attente(organisation).pk, ouverture(organisation).pk], None)
    remarks.code_remark(one, [ouverture(organisation).pk], None)

    counts = remarks.counts(campaign)

    assert count_of(counts, attente(organisation)) == 1
    assert count_of(counts, ouverture(organisation)) == 2
    assert count_of(counts, category(organisation, "Accueil physique", "Horaires et attente")) == 2
    assert count_of(counts, category(organisation, "Accueil physique")) == 2
    assert count_of(counts, category(organisation, "Accueil téléphonique")) == 0
    assert (counts.tally.total, counts.tally.uncoded) == (2, 0)


def test_a_voided_questionnaire_takes_its_remark_out_of_the_counts(
    campaign: Campaign, organisation: Organisation
) -> None:
    kept = make_remark(campaign, "Trop d'attente.")
    voided = make_remark(campaign, "Beaucoup trop d'attente.")
    make_remark(campaign, "Pas codée, annulée.")
    for remark in (kept, voided):
        remarks.code_remark(remark, [attente(organisation).pk], None)
    Response.objects.filter(
        answers__text__in=["Beaucoup trop d'attente.", "Pas codée, annulée."]
    ).update(voided_at=timezone.now())

    counts = remarks.counts(campaign)

    assert count_of(counts, attente(organisation)) == 1
    assert (counts.tally.total, counts.tally.uncoded) == (1, 0)
    assert list(remarks.remark_answers(campaign)) == [kept]


def test_uncoded_remarks_are_counted_and_empty_answers_are_no_remarks(
    campaign: Campaign, organisation: Organisation
) -> None:
    coded = make_remark(campaign, "Trop d'attente.")
    make_remark(campaign, "Rien à dire, très bien.")
    make_remark(campaign, "Parking introuvable.", channel="phone")
    make_remark(campaign, "")
    remarks.code_remark(coded, [attente(organisation).pk], None)

    tally = remarks.tally(campaign)

    assert (tally.total, tally.coded, tally.uncoded) == (3, 1, 2)


def test_counting_costs_three_queries_whatever_the_number_of_remarks(
    campaign: Campaign, organisation: Organisation, django_assert_num_queries: Any
) -> None:
    for n in range(12):
        remark = make_remark(campaign, f"Remarque {n}")
        remarks.code_remark(remark, [attente(organisation).pk, ouverture(organisation).pk], None)

    with django_assert_num_queries(3):
        counts = remarks.counts(campaign)
        tables = counts.tables

    assert [table.channel.count for table in tables] == [12, 0, 0]


# --- coding one remark -------------------------------------------------------------------------


def test_coding_a_remark_replaces_its_codes(campaign: Campaign, organisation: Organisation) -> None:
    user = UserFactory()
    remark = make_remark(campaign)
    remarks.code_remark(remark, [attente(organisation).pk], user)
    kept = RemarkCode.objects.get(answer=remark)

    remarks.code_remark(remark, [attente(organisation).pk, ouverture(organisation).pk], user)
    remarks.code_remark(remark, [ouverture(organisation).pk], user)

    codes = RemarkCode.objects.filter(answer=remark)
    assert [code.category for code in codes] == [ouverture(organisation)]
    assert codes[0].coded_by == user
    assert not RemarkCode.objects.filter(pk=kept.pk).exists()
    remarks.code_remark(remark, [], user)
    assert not RemarkCode.objects.filter(answer=remark).exists()


def test_a_category_of_another_organisation_is_refused_and_nothing_changes(
    campaign: Campaign, organisation: Organisation, other_organisation: Organisation
) -> None:
    remarks.load_taxonomy(other_organisation)
    remark = make_remark(campaign)
    remarks.code_remark(remark, [attente(organisation).pk], None)
    foreign = attente(other_organisation)

    with pytest.raises(ValidationError) as caught:
        remarks.code_remark(remark, [ouverture(organisation).pk, foreign.pk], None)

    assert "n'est pas une rubrique de remarques de votre organisation" in caught.value.messages[0]
    assert [c.category_id for c in RemarkCode.objects.filter(answer=remark)] == [
        attente(organisation).pk
    ]


def test_an_inactive_category_or_one_below_an_inactive_one_is_refused(
    campaign: Campaign, organisation: Organisation
) -> None:
    remark = make_remark(campaign)
    remarks.set_category_active(attente(organisation), False)
    remarks.set_category_active(category(organisation, "Accueil physique", "Personnel"), False)
    courtesy = category(organisation, "Accueil physique", "Personnel", "Manque de courtoisie")

    for refused in (attente(organisation), courtesy):
        with pytest.raises(ValidationError) as caught:
            remarks.code_remark(remark, [refused.pk], None)
        assert "est désactivée" in caught.value.messages[0]
    assert not RemarkCode.objects.exists()


def test_the_remarks_of_a_closed_campaign_are_not_coded_any_more(
    campaign: Campaign, organisation: Organisation
) -> None:
    remark = make_remark(campaign)
    campaign.close()

    with pytest.raises(ValidationError) as caught:
        remarks.code_remark(remark, [attente(organisation).pk], None)

    assert "clôturée" in caught.value.messages[0]


# --- the coding screen -----------------------------------------------------------------------


def test_the_screen_shows_the_first_uncoded_remark_with_the_keys_and_the_count(
    campaign: Campaign, organisation: Organisation, manager_client: Client
) -> None:
    coded = make_remark(campaign, "Déjà codée.")
    make_remark(campaign, "Le hall est trop petit.", channel="phone")
    make_remark(campaign, "Trop d'attente.")
    remarks.code_remark(coded, [attente(organisation).pk], None)

    response = manager_client.get(reverse("reports:remarks", args=[campaign.pk]))

    text = page(response)
    assert response.status_code == 200
    assert "2 remarques à coder" in text
    assert "Le hall est trop petit." in text
    assert "Questionnaire : Téléphone" in text
    assert "Déjà codée." not in text
    assert '<span class="remarks-key" aria-hidden="true">4</span>' + ESPACE in text
    assert 'name="keys"' in text
    assert "autofocus" in text
    assert "reports/remarks.js" in text


def test_the_screen_costs_as_many_queries_for_many_remarks_as_for_few(
    campaign: Campaign, organisation: Organisation, manager_client: Client
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert (
                manager_client.get(reverse("reports:remarks", args=[campaign.pk])).status_code
                == 200
            )
        return len(captured)

    for n in range(2):
        remarks.code_remark(make_remark(campaign, f"Codée {n}"), [attente(organisation).pk], None)
    make_remark(campaign, "À coder.")
    few = queries()
    for n in range(15):
        remarks.code_remark(
            make_remark(campaign, f"Codée aussi {n}"), [attente(organisation).pk], None
        )
        make_remark(campaign, f"À coder aussi {n}")

    assert queries() == few


def test_typing_keys_codes_the_remark_and_goes_to_the_next_uncoded_one(
    campaign: Campaign, organisation: Organisation, manager_client: Client
) -> None:
    first = make_remark(campaign, "Trop d'attente et fermé l'après-midi.")
    coded = make_remark(campaign, "Déjà codée.")
    third = make_remark(campaign, "Hall trop petit.")
    remarks.code_remark(coded, [attente(organisation).pk], None)

    response = manager_client.post(
        reverse("reports:remark_code", args=[first.pk]), {"keys": "1 2", "action": "save"}
    )

    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('reports:remarks', args=[campaign.pk])}?remarque={third.pk}"
    )
    assert set(RemarkCode.objects.filter(answer=first).values_list("category", flat=True)) == {
        attente(organisation).pk,
        ouverture(organisation).pk,
    }
    coders = set(RemarkCode.objects.filter(answer=first).values_list("coded_by", flat=True))
    assert coders == {manager_client.user.pk}  # type: ignore[attr-defined]


def test_ticked_boxes_code_the_remark_without_javascript(
    campaign: Campaign, organisation: Organisation, manager_client: Client
) -> None:
    remark = make_remark(campaign)
    espace = category(organisation, "Accueil physique", ESPACE)

    response = manager_client.post(
        reverse("reports:remark_code", args=[remark.pk]),
        {"categories": [str(espace.pk)], "keys": "1"},
    )

    assert response.status_code == 302
    assert set(RemarkCode.objects.values_list("category", flat=True)) == {
        espace.pk,
        attente(organisation).pk,
    }


def test_after_the_last_uncoded_remark_comes_the_counts_table(
    campaign: Campaign, organisation: Organisation, manager_client: Client
) -> None:
    remark = make_remark(campaign)

    response = manager_client.post(
        reverse("reports:remark_code", args=[remark.pk]), {"keys": "1"}, follow=True
    )

    text = page(response)
    assert response.redirect_chain[-1][0] == reverse("reports:remarks", args=[campaign.pk])
    assert "Toutes les remarques sont codées." in text
    assert "Aucune remarque à coder" in text
    assert "Total des remarques et suggestions" in text
    assert "Remarque codée : Accueil physique › Horaires et attente › Temps d'attente" in text


def test_an_unknown_key_is_refused_in_french_and_codes_nothing(
    campaign: Campaign, manager_client: Client
) -> None:
    remark = make_remark(campaign, "Trop d'attente.")

    response = manager_client.post(reverse("reports:remark_code", args=[remark.pk]), {"keys": "99"})

    assert response.status_code == 200
    assert "Touche inconnue : 99. Les touches vont de 1 à 25." in page(response)
    assert "Trop d'attente." in page(response)
    assert not RemarkCode.objects.exists()


def test_nothing_chosen_is_refused_but_a_remark_may_be_skipped(
    campaign: Campaign, manager_client: Client
) -> None:
    first = make_remark(campaign, "Première.")
    second = make_remark(campaign, "Deuxième.")
    url = reverse("reports:remark_code", args=[first.pk])

    refused = manager_client.post(url, {"keys": ""})
    skipped = manager_client.post(url, {"action": "skip"})

    assert "Choisissez au moins une rubrique" in page(refused)
    assert skipped["Location"].endswith(f"?remarque={second.pk}")
    assert not RemarkCode.objects.exists()


def test_every_remark_can_be_reviewed_and_the_review_ends_on_the_counts(
    campaign: Campaign, organisation: Organisation, manager_client: Client
) -> None:
    first = make_remark(campaign, "Déjà codée.")
    second = make_remark(campaign, "Aussi codée.")
    for remark in (first, second):
        remarks.code_remark(remark, [attente(organisation).pk], None)
    screen = reverse("reports:remarks", args=[campaign.pk])

    shown = manager_client.get(screen, {"filtre": "toutes"})
    recoded = manager_client.post(
        reverse("reports:remark_code", args=[first.pk]), {"keys": "2", "filtre": "toutes"}
    )
    last = manager_client.post(
        reverse("reports:remark_code", args=[second.pk]), {"keys": "1", "filtre": "toutes"}
    )

    assert "Déjà codée." in page(shown)
    assert "Remarque 1 sur 2" in page(shown)
    assert recoded["Location"] == f"{screen}?filtre=toutes&remarque={second.pk}"
    assert last["Location"] == reverse("reports:remark_counts", args=[campaign.pk])
    assert RemarkCode.objects.get(answer=first).category == ouverture(organisation)


def test_the_counts_page_shows_a_table_per_channel_with_totals(
    campaign: Campaign, organisation: Organisation, manager_client: Client
) -> None:
    remarks.code_remark(make_remark(campaign), [attente(organisation).pk], None)
    make_remark(campaign, "Pas encore codée.")

    response = manager_client.get(reverse("reports:remark_counts", args=[campaign.pk]))

    text = page(response)
    assert response.status_code == 200
    for channel in ("Accueil physique", "Accueil téléphonique", "Accueil site internet"):
        assert f"<caption>{channel}</caption>" in text
    assert "1 remarque ou suggestion codée" in text
    assert "1 remarque à coder" in text
    hall = category(organisation, "Accueil physique")
    assert f'<td data-total="{hall.pk}"><strong>1</strong></td>' in text


# --- access ----------------------------------------------------------------------------------


def _urls(campaign: Campaign, remark: Answer, node: RemarkCategory) -> list[tuple[str, str, bool]]:
    """(method, url, whether it names an object of the organisation)."""
    return [
        ("get", reverse("reports:remarks", args=[campaign.pk]), True),
        ("get", reverse("reports:remark_counts", args=[campaign.pk]), True),
        ("post", reverse("reports:remark_code", args=[remark.pk]), True),
        ("get", reverse("reports:remark_taxonomy"), False),
        ("post", reverse("reports:remark_taxonomy_load"), False),
        ("get", reverse("reports:remark_category_edit", args=[node.pk]), True),
        ("post", reverse("reports:remark_category_move", args=[node.pk]), True),
        ("post", reverse("reports:remark_category_toggle", args=[node.pk]), True),
        ("post", reverse("reports:remark_category_delete", args=[node.pk]), True),
    ]


@pytest.mark.parametrize("role", [Role.INTERVIEWER, Role.STAFF])
def test_interviewers_and_staff_are_refused_every_remarks_page(
    role: str, campaign: Campaign, organisation: Organisation
) -> None:
    client = client_for(role, organisation)
    remark = make_remark(campaign)

    for method, url, _ in _urls(campaign, remark, attente(organisation)):
        assert getattr(client, method)(url, {"keys": "1"}).status_code == 403, url
    assert not RemarkCode.objects.exists()


def test_another_organisations_campaign_remark_and_category_do_not_exist(
    campaign: Campaign, organisation: Organisation, other_organisation: Organisation
) -> None:
    remark = make_remark(campaign)
    client = client_for(Role.QUALITY_MANAGER, other_organisation)

    for method, url, names_an_object in _urls(campaign, remark, attente(organisation)):
        if names_an_object:
            assert getattr(client, method)(url, {"keys": "1"}).status_code == 404, url
    assert not RemarkCode.objects.exists()
    assert attente(organisation).is_active
    assert RemarkCategory.objects.filter(organisation=organisation).count() == 35


def test_a_remark_cannot_be_coded_with_a_category_of_another_organisation(
    campaign: Campaign, manager_client: Client, other_organisation: Organisation
) -> None:
    remarks.load_taxonomy(other_organisation)
    remark = make_remark(campaign)

    response = manager_client.post(
        reverse("reports:remark_code", args=[remark.pk]),
        {"categories": [str(attente(other_organisation).pk)]},
    )

    assert response.status_code == 200
    assert "Cette rubrique n'est pas proposée" in page(response)
    assert not RemarkCode.objects.exists()


# --- editing the taxonomy --------------------------------------------------------------------


def test_the_manager_adds_a_channel_a_category_and_a_subcategory(
    organisation: Organisation, manager_client: Client
) -> None:
    url = reverse("reports:remark_taxonomy")

    manager_client.post(url, {"label": "Accueil par courriel", "parent": ""})
    channel = RemarkCategory.objects.get(label="Accueil par courriel")
    manager_client.post(url, {"label": "Délais de réponse", "parent": str(channel.pk)})
    topic = RemarkCategory.objects.get(label="Délais de réponse")
    response = manager_client.post(url, {"label": "Pas de réponse", "parent": str(topic.pk)})

    assert response.status_code == 302
    leaf = RemarkCategory.objects.get(label="Pas de réponse")
    assert Taxonomy.load(organisation.pk).by_pk[leaf.pk].path_label == (
        "Accueil par courriel › Délais de réponse › Pas de réponse"
    )
    assert "Pas de réponse" in page(manager_client.get(url))


def test_no_fourth_level_and_no_twin_label(
    campaign: Campaign, organisation: Organisation, manager_client: Client
) -> None:
    url = reverse("reports:remark_taxonomy")

    deep = manager_client.post(url, {"label": "Le lundi", "parent": str(attente(organisation).pk)})
    twin = manager_client.post(url, {"label": "accueil physique", "parent": ""})

    assert "Sélectionnez un choix valide" in page(deep)
    assert "Cette rubrique existe déjà à cet endroit." in page(twin)
    with pytest.raises(ValidationError) as caught:
        remarks.add_category(organisation, label="Le lundi", parent=attente(organisation))
    assert "Trois niveaux au plus" in caught.value.messages[0]
    assert RemarkCategory.objects.filter(organisation=organisation).count() == 35


def test_renaming_and_reordering_categories(
    organisation: Organisation, campaign: Campaign, manager_client: Client
) -> None:
    personnel = category(organisation, "Accueil physique", "Personnel")

    manager_client.post(
        reverse("reports:remark_category_edit", args=[personnel.pk]), {"label": "Agents"}
    )
    manager_client.post(
        reverse("reports:remark_category_move", args=[personnel.pk]), {"direction": "up"}
    )
    refused = manager_client.post(
        reverse("reports:remark_category_edit", args=[personnel.pk]), {"label": "Fonctionnement"}
    )

    children = Taxonomy.load(organisation.pk).roots[0].children
    assert [node.label for node in children][:3] == ["Horaires et attente", "Agents", ESPACE]
    assert "Cette rubrique existe déjà à cet endroit." in page(refused)


def test_a_category_in_use_is_deactivated_not_deleted(
    campaign: Campaign, organisation: Organisation, manager_client: Client
) -> None:
    used = attente(organisation)
    remarks.code_remark(make_remark(campaign), [used.pk], None)
    unused = category(
        organisation, "Accueil physique", "Horaires et attente", "Plus de guichets ouverts"
    )

    refused = manager_client.post(
        reverse("reports:remark_category_delete", args=[used.pk]), follow=True
    )
    manager_client.post(reverse("reports:remark_category_toggle", args=[used.pk]))
    manager_client.post(reverse("reports:remark_category_delete", args=[unused.pk]))

    assert "a servi à coder 1 remarque(s) : désactivez-la plutôt que de la supprimer" in page(
        refused
    )
    used.refresh_from_db()
    assert not used.is_active
    assert not RemarkCategory.objects.filter(pk=unused.pk).exists()
    # Deactivated: no longer offered, still counted.
    screen = page(
        manager_client.get(reverse("reports:remarks", args=[campaign.pk]) + "?filtre=toutes")
    )
    assert f'id="category-{used.pk}"' not in screen
    assert count_of(remarks.counts(campaign), used) == 1


def test_a_category_with_subcategories_is_not_deleted(
    organisation: Organisation, campaign: Campaign
) -> None:
    with pytest.raises(ValidationError) as caught:
        remarks.delete_category(category(organisation, "Accueil physique", "Personnel"))

    assert "a des sous-rubriques" in caught.value.messages[0]


def test_the_taxonomy_page_loads_the_seeds_categories(
    organisation: Organisation, manager_client: Client
) -> None:
    empty = manager_client.get(reverse("reports:remark_taxonomy"))

    response = manager_client.post(reverse("reports:remark_taxonomy_load"), follow=True)

    assert "Partir des rubriques du rapport 2016" in page(empty)
    assert "35 rubrique(s) du rapport 2016 ajoutée(s)." in page(response)
    assert RemarkCategory.objects.filter(organisation=organisation).count() == 35


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_file_holds_114_distinct_remarks_of_existing_leaves() -> None:
    data = json.loads(remarks.TAXONOMY_FILE.read_text(encoding="utf-8"))
    texts = [remark["text"] for remark in data["remarks"]]

    assert len(texts) == len(set(texts)) == 114
    assert {remark["questionnaire"] for remark in data["remarks"]} == {"hall", "phone"}


def _demo_campaign(organisation: Organisation, hall: int, phone: int) -> Campaign:
    campaign = open_canonical_campaign(organisation)
    for _ in range(hall):
        make_response(campaign, "hall")
    for _ in range(phone):
        make_response(campaign, "phone")
    return campaign


def test_the_demo_remarks_give_back_every_line_of_tables_5_1_to_5_3(
    organisation: Organisation,
) -> None:
    campaign = _demo_campaign(organisation, hall=100, phone=40)
    make_remark(campaign, "Une remarque déjà là, pas encore codée.")

    added = remarks.load_demo_remarks(campaign)

    counts = remarks.counts(campaign)
    assert added == 114
    assert outline(counts.taxonomy) == SEED_TABLES
    assert [table.channel.count for table in counts.tables] == [76, 32, 6]
    assert (counts.tally.total, counts.tally.uncoded) == (115, 1)
    on_phone = remarks.remark_answers(campaign).filter(response__channel="phone")
    assert on_phone.count() == 29  # phone remarks mostly on phone questionnaires
    assert remarks.load_demo_remarks(campaign) == 0
    assert remarks.tally(campaign).total == 115


def test_the_demo_remarks_need_enough_questionnaires(organisation: Organisation) -> None:
    campaign = _demo_campaign(organisation, hall=80, phone=20)

    with pytest.raises(ValidationError) as caught:
        remarks.load_demo_remarks(campaign)

    assert "Il faut 114 questionnaires sans remarque" in caught.value.messages[0]
    assert not Answer.objects.exists()


def test_the_demo_remarks_spill_over_to_the_other_channel_when_one_is_short(
    organisation: Organisation,
) -> None:
    campaign = _demo_campaign(organisation, hall=110, phone=10)

    remarks.load_demo_remarks(campaign)

    counts = remarks.counts(campaign)
    assert outline(counts.taxonomy) == SEED_TABLES
    assert remarks.remark_answers(campaign).filter(response__channel="phone").count() == 10


def test_a_closed_campaign_gets_no_demo_remarks(organisation: Organisation) -> None:
    campaign = _demo_campaign(organisation, hall=0, phone=0)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    campaign.refresh_from_db()

    with pytest.raises(ValidationError):
        remarks.load_demo_remarks(campaign)
