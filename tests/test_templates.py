"""The look of the application: DSFR pages served from our own static files, base.html
navigation by role, the crispy_dsfr template pack and the error pages."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from crispy_forms.bootstrap import FormActions, InlineRadios, StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import (
    HTML,
    Button,
    Column,
    Div,
    Field,
    Fieldset,
    Hidden,
    Layout,
    MultiField,
    Reset,
    Row,
    Submit,
)
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.http import HttpRequest
from django.template import engines
from django.template.loader import get_template, render_to_string
from django.test import Client, RequestFactory
from django.urls import resolve, reverse

from survey.access import Context
from survey.models import Membership, Organisation, Role

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
DSFR_CSS = re.compile(
    r'<link rel="stylesheet"\s+href="/static/dsfr/dist/dsfr/dsfr\.min(\.\w+)?\.css"'
)

# The only absolute URLs a template may hold: the links of the standard DSFR footer.
FOOTER_LINK_HOSTS = {
    "www.legifrance.gouv.fr",
    "www.info.gouv.fr",
    "www.service-public.gouv.fr",
    "www.data.gouv.fr",
    "github.com",  # the etalab-2.0 licence
}


# --- helpers ---------------------------------------------------------------------------


class LinkCollector(HTMLParser):
    """The <a class="…{css_class}…"> links of a page: text, href and aria-current."""

    def __init__(self, css_class: str) -> None:
        super().__init__()
        self.css_class = css_class
        self.links: list[dict[str, str | None]] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and self.css_class in (attributes.get("class") or "").split():
            self._open = {
                "text": "",
                "href": attributes.get("href"),
                "aria-current": attributes.get("aria-current"),
            }

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["text"] = (self._open["text"] or "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self._open["text"] = (self._open["text"] or "").strip()
            self.links.append(self._open)
            self._open = None


def nav_links(html: str) -> list[dict[str, str | None]]:
    parser = LinkCollector("fr-nav__link")
    parser.feed(html)
    return parser.links


def request_for(path: str, user: Any) -> HttpRequest:
    request = RequestFactory().get(path)
    request.user = user
    request.session = {}  # type: ignore[assignment]
    request.resolver_match = resolve(path)
    return request


def render_base(path: str, user: Any, current: Context | None = None, **context: Any) -> str:
    context.setdefault("user_memberships", [])
    return render_to_string("base.html", {"current": current, **context}, request_for(path, user))


def render_string(source: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
    return engines["django"].from_string(source).render(context, request)


@pytest.fixture
def charente(db: Any) -> Organisation:
    return Organisation.objects.create(name="Préfecture de la Charente", departement_code="16")


@pytest.fixture
def gironde(db: Any) -> Organisation:
    return Organisation.objects.create(name="Préfecture de la Gironde", departement_code="33")


def member(organisation: Organisation, role: str, username: str = "agent") -> Any:
    user = get_user_model().objects.create_user(username=username, password="secret")
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


# --- login page, static files, no CDN ---------------------------------------------------


def test_login_page_is_french_and_styled_by_our_own_dsfr_files(client: Client) -> None:
    response = client.get(reverse("login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "<title>Connexion — Enquêtes qualité</title>" in html
    assert DSFR_CSS.search(html)
    assert 'src="/static/dsfr/dist/dsfr/dsfr.module.min' in html
    for text in ("Connexion", "Identifiant", "Mot de passe", "Se connecter"):
        assert text in html
    assert 'class="fr-password"' in html
    assert 'name="username"' in html
    assert 'name="password"' in html


def test_a_failed_login_is_reported_in_a_dsfr_error_alert(client: Client, db: Any) -> None:
    response = client.post(reverse("login"), {"username": "personne", "password": "faux"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "fr-alert--error" in html
    assert "Connexion impossible" in html


def test_the_lockout_page_says_when_to_try_again() -> None:
    html = render_to_string(
        "registration/locked_out.html",
        {"cooloff_timedelta": datetime.timedelta(minutes=15)},
        request_for(reverse("login"), AnonymousUser()),
    )

    assert "Trop de tentatives de connexion" in html
    assert "réessayez dans 15 minutes" in html
    assert "fr-alert--error" in html


def test_no_template_loads_anything_from_another_site() -> None:
    templates = sorted(TEMPLATES_DIR.rglob("*.html"))
    assert templates

    for template in templates:
        source = template.read_text()
        assert not re.search(r'(src|href)="//', source), template
        assert not re.search(r'<(script|link|img)[^>]*(src|href)="https?://', source), template
        for url in re.findall(r"https?://[^\s\"'<>]+", source):
            assert urlsplit(url).hostname in FOOTER_LINK_HOSTS, (template, url)


def test_the_dsfr_css_carries_no_integrity_hash_that_collectstatic_would_break(
    client: Client,
) -> None:
    html = client.get(reverse("login")).content.decode()

    assert "integrity=" not in html


# --- base.html --------------------------------------------------------------------------

NAV_BY_ROLE = {
    Role.INTERVIEWER: ["Saisie"],
    Role.STAFF: ["Tests mystères"],
    Role.QUALITY_MANAGER: ["Tableau de bord", "Saisie", "Tests mystères", "Administration"],
}


@pytest.mark.parametrize("role", list(NAV_BY_ROLE))
def test_the_navigation_offers_the_pages_of_the_current_role(
    role: Role, charente: Organisation
) -> None:
    user = member(charente, role)

    html = render_base("/", user, Context(charente, role))

    assert [link["text"] for link in nav_links(html)] == NAV_BY_ROLE[role]


def test_a_superuser_sees_every_page(charente: Organisation) -> None:
    user = get_user_model().objects.create_superuser(username="admin", password="secret")

    html = render_base("/", user, Context(charente, None))

    assert [link["href"] for link in nav_links(html)] == [
        reverse("reports:dashboard"),
        reverse("survey:entry"),
        reverse("mystery:index"),
        reverse("admin:index"),
    ]
    assert "Administration nationale" in html


@pytest.mark.parametrize(
    ("page", "label"),
    [
        ("reports:dashboard", "Tableau de bord"),
        ("survey:entry", "Saisie"),
        ("mystery:index", "Tests mystères"),
        ("admin:index", "Administration"),
    ],
)
def test_the_current_section_is_marked_in_the_navigation(
    page: str, label: str, charente: Organisation
) -> None:
    user = member(charente, Role.QUALITY_MANAGER)

    html = render_base(reverse(page), user, Context(charente, Role.QUALITY_MANAGER))

    current = [link["text"] for link in nav_links(html) if link["aria-current"] == "page"]
    assert current == [label]


def test_the_header_names_the_organisation_and_role_and_offers_logout(
    charente: Organisation,
) -> None:
    user = member(charente, Role.STAFF, username="mdupont")

    html = render_base("/", user, Context(charente, Role.STAFF))

    assert '<p class="fr-header__service-title">Enquêtes qualité de l\'accueil</p>' in html
    assert "Préfecture de la Charente · Agent" in html
    assert "mdupont" in html
    assert re.search(rf'<form method="post" action="{reverse("logout")}">', html)
    assert "Se déconnecter" in html
    assert 'name="organisation"' not in html  # one organisation: nothing to switch to


def test_a_member_of_two_organisations_can_switch_between_them(
    charente: Organisation, gironde: Organisation
) -> None:
    user = member(charente, Role.QUALITY_MANAGER)
    Membership.objects.create(user=user, organisation=gironde, role=Role.INTERVIEWER)
    memberships = list(Membership.objects.filter(user=user).select_related("organisation"))

    html = render_base(
        reverse("mystery:index"),
        user,
        Context(gironde, Role.INTERVIEWER),
        user_memberships=memberships,
    )

    assert f'action="{reverse("switch_organisation")}"' in html
    assert f'<input type="hidden" name="next" value="{reverse("mystery:index")}">' in html
    assert f'<option value="{gironde.pk}" selected>' in html
    assert f'<option value="{charente.pk}">' in html


def test_a_visitor_is_offered_to_log_in_and_no_navigation() -> None:
    html = render_base(reverse("login"), AnonymousUser())

    assert f'href="{reverse("login")}">Se connecter</a>' in html
    assert "Se déconnecter" not in html
    assert nav_links(html) == []


def test_the_language_can_be_switched_to_english() -> None:
    html = render_base("/", AnonymousUser())

    assert f'action="{reverse("set_language")}"' in html
    assert re.search(r'name="language" value="en"', html)
    assert re.search(r'name="language" value="fr"', html)


@pytest.mark.parametrize(
    ("level", "alert"),
    [
        (message_levels.SUCCESS, "fr-alert--success"),
        (message_levels.INFO, "fr-alert--info"),
        (message_levels.WARNING, "fr-alert--warning"),
        (message_levels.ERROR, "fr-alert--error"),
        (message_levels.DEBUG, "fr-alert--info"),
    ],
)
def test_messages_are_shown_as_dsfr_alerts(level: int, alert: str) -> None:
    messages = [Message(level, "Questionnaire enregistré.")]

    html = render_base("/", AnonymousUser(), messages=messages)

    assert re.search(rf'class="fr-alert fr-alert--sm {alert}[ "][^>]*>\s*<p>Questionnaire', html)


def test_a_page_fills_the_blocks_of_base_html() -> None:
    html = (
        engines["django"]
        .from_string(
            """{% extends "base.html" %}
        {% block title %}Saisie{% endblock %}
        {% block extra_css %}<link rel="stylesheet" href="/static/css/page.css">{% endblock %}
        {% block breadcrumb %}<nav class="fr-breadcrumb">fil</nav>{% endblock %}
        {% block content %}<h1>Nouvelle saisie</h1>{% endblock %}
        {% block extra_js %}<script src="/static/js/page.js"></script>{% endblock %}"""
        )
        .render({}, request_for("/", AnonymousUser()))
    )

    assert "<title>Saisie — Enquêtes qualité</title>" in html
    assert html.index("/static/css/page.css") < html.index("</head>")
    assert html.index('id="content"') < html.index("fr-breadcrumb") < html.index("Nouvelle")
    assert html.index("dsfr.module.min") < html.index("/static/js/page.js")
    assert 'href="#content"' in html
    assert 'href="#footer"' in html
    assert "Accessibilité : non conforme" in html


# --- the crispy_dsfr template pack ------------------------------------------------------


class SiteForm(forms.Form):
    name = forms.CharField(label="Nom du site", help_text="Tel qu'affiché à l'accueil.")
    kind = forms.ChoiceField(
        label="Type de site", choices=[("prefecture", "Préfecture"), ("sp", "Sous-préfecture")]
    )
    channel = forms.ChoiceField(
        label="Canal",
        widget=forms.RadioSelect,
        choices=[("hall", "Accueil physique"), ("phone", "Téléphone")],
    )
    days = forms.MultipleChoiceField(
        label="Jours d'ouverture",
        widget=forms.CheckboxSelectMultiple,
        choices=[("mon", "Lundi"), ("tue", "Mardi")],
        required=False,
    )
    comment = forms.CharField(label="Commentaire", widget=forms.Textarea, required=False)
    certified = forms.BooleanField(label="Je certifie la saisie")


def test_the_crispy_filter_renders_dsfr_fields() -> None:
    html = render_string("{% load crispy_forms_tags %}{{ form|crispy }}", {"form": SiteForm()})

    assert re.search(
        r'<div id="div_id_name" class="fr-input-group">\s*<label class="fr-label"', html
    )
    assert re.search(r'<input type="text" name="name" class="[^"]*\bfr-input\b', html)
    assert re.search(r'<span class="fr-hint-text" id="id_name_helptext">', html)
    assert re.search(r'<select name="kind" class="[^"]*\bfr-select\b', html)
    assert re.search(r'<textarea name="comment"[^>]*class="[^"]*\bfr-input\b', html)
    assert html.count('class="fr-radio-group"') == 2
    assert re.search(r'<fieldset id="div_id_channel" class="fr-fieldset"', html)
    assert html.count('class="fr-checkbox-group"') == 2
    assert 'id="div_id_certified" class="fr-checkbox-group' in html
    assert "form-control" not in html
    assert "form-check" not in html


def test_required_fields_are_marked_and_optional_ones_are_not() -> None:
    html = render_string("{% load crispy_forms_tags %}{{ form|crispy }}", {"form": SiteForm()})

    name_label = html[
        html.index('for="id_name"') : html.index("</label>", html.index('for="id_name"'))
    ]
    comment_label = html[
        html.index('for="id_comment"') : html.index("</label>", html.index('for="id_comment"'))
    ]
    assert 'class="app-required"' in name_label
    assert 'class="app-required"' not in comment_label


def test_an_invalid_form_shows_dsfr_errors_next_to_each_field() -> None:
    form = SiteForm(data={"comment": "x"})
    assert not form.is_valid()

    html = render_string("{% load crispy_forms_tags %}{{ form|crispy }}", {"form": form})

    assert 'class="fr-input-group fr-input-group--error"' in html
    assert 'class="fr-select-group fr-select-group--error"' in html
    assert 'class="fr-fieldset fr-fieldset--error"' in html
    assert "fr-checkbox-group--error" in html
    assert re.search(
        r'<div id="id_name_error">\s*<p class="fr-error-text">Ce champ est obligatoire', html
    )
    # Django points the input at its help text and its error
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'aria-labelledby="id_channel_legend id_channel_error"' in html


def test_the_crispy_tag_renders_a_whole_form_with_dsfr_buttons() -> None:
    helper = FormHelper()
    helper.form_action = "/saisie/"
    helper.layout = Layout(Fieldset("Le site", "name", "kind"), "channel")
    helper.add_input(Submit("save", "Enregistrer"))
    helper.add_input(Button("cancel", "Annuler", css_class="app-cancel"))

    html = render_string(
        "{% load crispy_forms_tags %}{% crispy form helper %}",
        {"form": SiteForm(), "helper": helper},
        request_for("/saisie/", AnonymousUser()),
    )

    assert re.search(r'<form\s+action="/saisie/"\s+method="post"', html)
    assert "csrfmiddlewaretoken" in html
    assert re.search(
        r'<fieldset class="fr-fieldset"\s*>\s*<legend class="fr-fieldset__legend"', html
    )
    assert re.search(
        r'<button type="submit"\s+name="save"\s+value="Enregistrer"\s+class="fr-btn"', html
    )
    assert 'class="fr-btn fr-btn--secondary app-cancel"' in html
    assert '<ul class="fr-btns-group fr-btns-group--inline-md">' in html
    assert "btn-primary" not in html
    assert "fr-radio-group" in html


def test_form_errors_that_belong_to_no_field_are_a_dsfr_alert() -> None:
    class ClosedCampaignForm(forms.Form):
        name = forms.CharField(required=False)

        def clean(self) -> dict[str, Any]:
            raise forms.ValidationError("La campagne est close.")

    form = ClosedCampaignForm(data={})
    form.is_valid()
    helper = FormHelper()
    helper.form_error_title = "Le formulaire contient des erreurs"

    html = render_string(
        "{% load crispy_forms_tags %}{% crispy form helper %}", {"form": form, "helper": helper}
    )

    assert re.search(
        r'<div class="fr-alert fr-alert--error fr-mb-3w" role="alert">\s*'
        r'<h3 class="fr-alert__title">Le formulaire contient des erreurs</h3>\s*'
        r"<p>La campagne est close.</p>",
        html,
    )


def test_every_layout_object_we_use_has_a_dsfr_template() -> None:
    helper = FormHelper()
    helper.layout = Layout(
        Row(Column("name"), Column("kind", css_class="fr-col-12 fr-col-md-4")),
        Div(HTML("<p>Accueil</p>"), css_class="app-block"),
        InlineRadios("channel"),
        MultiField("Ouverture", "days"),
        Field("comment", wrapper_class="app-choice", rows=3),
        "certified",
        Hidden("step", "2"),
        FormActions(
            Submit("save", "Enregistrer"),
            Reset("reset", "Effacer"),
            StrictButton("Aperçu", css_class="fr-btn fr-btn--tertiary"),
        ),
    )

    html = render_string(
        "{% load crispy_forms_tags %}{% crispy form helper %}",
        {"form": SiteForm(), "helper": helper},
    )

    assert 'class="fr-grid-row fr-grid-row--gutters"' in html
    assert 'class="fr-col-12 fr-col-md"' in html
    assert 'class="fr-col-12 fr-col-md-4"' in html
    assert 'class="app-block"' in html
    assert html.count("fr-fieldset__element fr-fieldset__element--inline") >= 2
    assert 'class="fr-input-group app-choice"' in html
    assert 'rows="3"' in html
    assert '<input type="hidden" name="step" value="2"' in html
    assert 'class="fr-btns-group fr-btns-group--inline-md"' in html
    assert 'type="reset"' in html
    assert 'class="fr-btn fr-btn--tertiary"' in html
    assert ">Aperçu</button>" in html


def test_formsets_render_with_the_pack() -> None:
    SiteFormSet = forms.formset_factory(SiteForm, extra=2)
    helper = FormHelper()
    helper.template = "crispy_dsfr/table_inline_formset.html"
    context = {"formset": SiteFormSet(), "helper": helper}

    stacked = render_string("{% load crispy_forms_tags %}{{ formset|crispy }}", context)
    table = render_string("{% load crispy_forms_tags %}{% crispy formset helper %}", context)

    assert 'name="form-TOTAL_FORMS"' in stacked
    assert stacked.count('class="fr-input-group"') == 4  # name and comment, twice
    assert '<div class="fr-table"' in table
    assert re.search(r'<td id="div_id_form-1-name" class="fr-input-group">', table)


# --- error pages ------------------------------------------------------------------------


def test_the_404_page_is_a_dsfr_error_page(client: Client) -> None:
    response = client.get("/cette-page-n-existe-pas/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page non trouvée</h1>" in html
    assert "Erreur 404" in html
    assert 'class="fr-header"' in html
    assert 'class="fr-footer"' in html
    assert "fr-artwork" in html
    assert f'<a class="fr-btn" href="{reverse("home")}">' in html
    assert DSFR_CSS.search(html)


def test_the_403_page_is_a_dsfr_error_page() -> None:
    html = render_to_string("403.html", {}, request_for(reverse("home"), AnonymousUser()))

    assert "<h1>Accès refusé</h1>" in html
    assert "Erreur 403" in html
    assert "fr-artwork" in html


def test_the_500_page_needs_no_context_and_no_database() -> None:
    # No db fixture: any query would raise. This is how django.views.defaults.server_error
    # renders the page: no context, no request.
    html = get_template("500.html").render()

    assert '<html lang="fr">' in html
    assert "<h1>Erreur inattendue</h1>" in html
    assert "Erreur 500" in html
    assert DSFR_CSS.search(html)
