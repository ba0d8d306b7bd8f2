"""The interviewer's entry pages: the shift picker, the questionnaire form (hall tablet,
phone interview, paper re-entry), the devices that still hold questionnaires, the
service worker that keeps all of it working offline, and the web app manifest that lets a
tablet keep the entry pages on its home screen.

The pages are shells: the form is drawn by static/entry/form.js from the JSON API
(survey/api.py), so that a tablet without network keeps entering questionnaires.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Count, Max, OuterRef, Prefetch, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_POST

from . import access
from .models import (
    Campaign,
    CampaignStatus,
    Channel,
    DeviceQueue,
    EntryMode,
    Questionnaire,
    Response,
    Site,
)
from .payloads import UnreadablePayload, parse_iso_moment, read_json


def _entered_today(user: Any) -> int:
    """Questionnaires this user sent that the server received today (local time). One query."""
    return Response.objects.filter(
        interviewer_id=user.pk, received_at__date=timezone.localdate()
    ).count()


@access.role_required(access.ENTRY)
def entry(request: HttpRequest) -> HttpResponse:
    """The shift picker: campaign, site and channel, chosen once and kept on the device."""
    organisation, campaigns = access.in_work_organisation(
        request,
        Campaign.objects.open()
        .select_related("organisation")
        .prefetch_related(
            Prefetch("questionnaires", queryset=Questionnaire.objects.order_by("channel"))
        ),
        access.ENTRY,
    )
    _, sites = access.in_work_organisation(
        request, Site.objects.filter(is_active=True).order_by("kind", "name"), access.ENTRY
    )
    may_enter_paper = (
        organisation is not None
        and access.organisation_ids(request.user, access.MANAGEMENT)
        .filter(pk=organisation.pk)
        .exists()
    )
    return render(
        request,
        "survey/entry.html",
        {
            "organisation": organisation,
            "campaigns": campaigns,
            "sites": sites,
            "today": _entered_today(request.user),
            "may_enter_paper": may_enter_paper,
        },
    )


def _open_questionnaire(request: HttpRequest, pk: int, roles: frozenset[str]) -> Questionnaire:
    """A questionnaire of an open campaign of the user's organisations, else 404."""
    return access.get_scoped_or_404(
        Questionnaire.objects.select_related("campaign__organisation").filter(
            campaign__status=CampaignStatus.OPEN
        ),
        request.user,
        roles,
        pk=pk,
    )


def _form_page(request: HttpRequest, questionnaire: Questionnaire, mode: str) -> HttpResponse:
    sites = Site.objects.filter(
        organisation_id=questionnaire.campaign.organisation_id, is_active=True
    ).order_by("kind", "name")
    return render(
        request,
        "survey/entry_form.html",
        {
            "questionnaire": questionnaire,
            "campaign": questionnaire.campaign,
            "mode": mode,
            "sites": [{"id": site.pk, "name": site.name} for site in sites],
            "today": _entered_today(request.user),
        },
    )


@access.role_required(access.ENTRY)
def entry_form(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill one questionnaire after another: on a tablet in the hall, or during a phone call."""
    questionnaire = _open_questionnaire(request, pk, access.ENTRY)
    mode = EntryMode.PHONE if questionnaire.channel == Channel.PHONE else EntryMode.TABLET
    return _form_page(request, questionnaire, mode)


@access.role_required(access.MANAGEMENT)
def entry_paper(request: HttpRequest, pk: int) -> HttpResponse:
    """Type in paper questionnaires, all sections on one page: quality managers only."""
    questionnaire = _open_questionnaire(request, pk, access.MANAGEMENT)
    return _form_page(request, questionnaire, EntryMode.PAPER)


# --- devices that still hold questionnaires ----------------------------------------------


MAX_PENDING = 1_000_000  # far above what a tablet holds, far below any column's limit


def _bad_report(message: str) -> JsonResponse:
    return JsonResponse({"errors": {"__all__": [message]}}, status=400)


@access.role_required(access.ENTRY)
@require_POST
def device_report(request: HttpRequest) -> JsonResponse:
    """A device says how many questionnaires it still holds; answers today's count."""
    try:
        payload = read_json(request.body)
    except UnreadablePayload as error:
        return _bad_report(error.message)
    if not isinstance(payload, dict):
        return _bad_report("Requête illisible : un objet JSON est attendu.")
    device_id, pending, oldest = (
        payload.get("device_id"),
        payload.get("pending"),
        payload.get("oldest"),
    )
    if not isinstance(device_id, str) or not 0 < len(device_id) <= 64:
        return _bad_report("Identifiant d'appareil manquant.")
    if not isinstance(pending, int) or isinstance(pending, bool) or not 0 <= pending <= MAX_PENDING:
        return _bad_report("Nombre de questionnaires en attente illisible.")
    oldest_at = parse_iso_moment(oldest)
    organisation = access.work_organisation(request, access.ENTRY)
    if organisation is not None:
        # The user's own report of this device, never another account's.
        DeviceQueue.objects.update_or_create(
            organisation=organisation,
            device_id=device_id,
            user_id=cast(int, request.user.pk),
            defaults={"pending": pending, "oldest_pending_at": oldest_at},
        )
    return JsonResponse({"today": _entered_today(request.user)})


@access.role_required(access.MANAGEMENT)
def entry_devices(request: HttpRequest) -> HttpResponse:
    """Which tablets still hold questionnaires, and what each device sent. Costs 2 queries."""
    organisation, queues = access.in_work_organisation(
        request, DeviceQueue.objects.select_related("user"), access.MANAGEMENT
    )
    _, responses = access.in_work_organisation(request, Response.objects.all(), access.MANAGEMENT)
    received = (
        responses.exclude(device_id="")
        .values("device_id")
        .annotate(count=Count("pk"), last_received=Max("received_at"))
        .order_by("-last_received")
    )
    # Each account reports a shared device under its own row: a row is told when another
    # account reported the same device since (what that newer report said).
    newer = DeviceQueue.objects.filter(
        organisation=OuterRef("organisation"),
        device_id=OuterRef("device_id"),
        reported_at__gt=OuterRef("reported_at"),
    ).order_by("-reported_at")
    waiting = (
        queues.filter(pending__gt=0)
        .annotate(
            newer_at=Subquery(newer.values("reported_at")[:1]),
            newer_pending=Subquery(newer.values("pending")[:1]),
        )
        .order_by("oldest_pending_at", "device_id")
    )
    return render(
        request,
        "survey/entry_devices.html",
        {"organisation": organisation, "waiting": waiting, "received": received},
    )


# --- the service worker -------------------------------------------------------------------

# What every entry page needs besides our own scripts: the DSFR files that base.html loads.
SHELL_STATIC = [
    "dsfr/dist/dsfr/dsfr.min.css",
    "dsfr/dist/utility/utility.min.css",
    "css/dsfr-django-overrides.css",
    "dsfr/dist/dsfr/dsfr.module.min.js",
    "dsfr/dist/favicon/favicon.svg",
    "dsfr/dist/favicon/favicon.ico",
    "dsfr/dist/favicon/apple-touch-icon.png",
    "dsfr/dist/favicon/manifest.webmanifest",
    "css/app.css",
    "css/entry.css",
]
CSS_URL = re.compile(r"url\((?!data:)[\"']?([^\"')]+)[\"']?\)")
ICON_CLASS = re.compile(r"\bfr-icon-[a-z0-9-]+")
SW_SOURCE = "entry/sw.js"


def _static_path(name: str) -> Path:
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(name)
    return Path(found if isinstance(found, str) else found[0])


def _css_assets(css_name: str, selector: re.Pattern[str] | None = None) -> list[str]:
    """Static names of the icons and woff2 fonts that a DSFR stylesheet points at, limited
    to the rules whose selector matches ``selector`` when given."""
    text = _static_path(css_name).read_text(encoding="utf-8")
    base = css_name.rsplit("/", 1)[0]
    names: set[str] = set()
    for rule in text.split("}"):
        selectors, _, body = rule.partition("{")
        if selector is not None and not selector.search(selectors):
            continue
        for url in CSS_URL.findall(body):
            if url.endswith(".woff"):
                continue  # every browser with a service worker reads the woff2 first
            parts = base.split("/")
            for part in url.split("/"):
                if part == "..":
                    parts.pop()
                elif part != ".":
                    parts.append(part)
            names.add("/".join(parts))
    return sorted(names)


def _entry_templates() -> list[Path]:
    templates = Path(settings.BASE_DIR) / "templates"
    return [
        templates / "base.html",
        *sorted((templates / "survey").glob("entry*.html")),
        *sorted((templates / "survey" / "entry").glob("*.html")),
    ]


@lru_cache(maxsize=1)
def _shell_names() -> tuple[str, ...]:
    """Static names to precache: the DSFR shell, the fonts and icons it draws, the icons our
    entry templates use, and our scripts (read once per process)."""
    used_icons = sorted(
        {icon for path in _entry_templates() for icon in ICON_CLASS.findall(path.read_text())}
    )
    icon_rule = re.compile(
        r"(?:" + "|".join(re.escape(f".{icon}") for icon in used_icons) + r")(?![a-z0-9-])"
    )
    scripts = sorted(
        f"entry/{path.name}"
        for path in _static_path(SW_SOURCE).parent.glob("*.js")
        if path.name != "sw.js"
    )
    names = [
        *SHELL_STATIC,
        *scripts,
        *_css_assets("dsfr/dist/dsfr/dsfr.min.css"),
        *(_css_assets("dsfr/dist/utility/utility.min.css", icon_rule) if used_icons else []),
    ]
    # A stylesheet may point at a file the DSFR does not ship: static() would fail on it.
    return tuple(name for name in dict.fromkeys(names) if finders.find(name))


def _version(names: tuple[str, ...]) -> str:
    """Changes whenever one of our files changes, so that the browser installs the new worker
    (and its new cache) instead of serving stale scripts from the old one."""
    digest = hashlib.sha256(f"{settings.STATIC_URL} {metadata.version('django-dsfr')}".encode())
    for name in [SW_SOURCE, *names]:
        if not name.startswith("dsfr/"):  # the DSFR changes with django-dsfr's version
            digest.update(_static_path(name).read_bytes())
        digest.update(static(name).encode())
    for path in _entry_templates():
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from /saisie/ so that it controls every entry page.

    Public: the browser re-fetches it to look for updates even after the session expired,
    and it holds nothing but the addresses of static files.
    """
    names = _shell_names()
    static_urls = [static(name) for name in names]
    # ES modules import each other by relative, unhashed names: cache those too.
    static_urls += [settings.STATIC_URL + name for name in names if name.startswith("entry/")]
    entry_url = reverse("survey:entry")
    config = {
        "version": _version(names),
        "staticPrefix": settings.STATIC_URL,
        "scope": entry_url,
        "pages": [entry_url],
        # Only the entry pages are kept offline: never a quality manager's page or export.
        "pagePatterns": [
            "^" + re.escape(entry_url) + "$",
            *(
                "^" + re.escape(reverse(name, args=[0])).replace("/0/", r"/\d+/") + "$"
                for name in ("survey:entry_form", "survey:entry_paper")
            ),
        ],
        "networkFirst": [
            reverse("survey:api_questionnaire", args=[0]).rsplit("0/", 1)[0],
            reverse("survey:api_communes"),
        ],
        "never": [
            reverse("survey:entry_sw"),
            reverse("survey:api_submit"),
            reverse("survey:entry_device_report"),
            reverse("survey:entry_devices"),
        ],
        "precache": sorted(set(static_urls)),
    }
    source = _static_path(SW_SOURCE).read_text(encoding="utf-8")
    body = f"self.ENTRY_CONFIG = {json.dumps(config, indent=2)};\n\n{source}"
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("survey:entry")
    return response


# --- the installable web app ----------------------------------------------------------------

# The DSFR's blue France, the colour of the browser's bar around the installed app.
THEME_COLOUR = "#000091"
# (static name, size, purpose): drawn for the entry pages, a clipboard with a tick.
APP_ICONS = [
    ("entry/icons/icon-192.png", 192, "any"),
    ("entry/icons/icon-512.png", 512, "any"),
    ("entry/icons/icon-maskable-192.png", 192, "maskable"),
    ("entry/icons/icon-maskable-512.png", 512, "maskable"),
]


@require_GET
@cache_control(max_age=3600)
def web_manifest(request: HttpRequest) -> HttpResponse:
    """The entry pages as an installable app (standalone, started on the shift page): a
    tablet keeps it on its home screen, and browsers grant an installed app the persistent
    storage that static/entry/store.js asks for more willingly.

    Public: browsers fetch a manifest without the session cookie; it holds no data.
    """
    entry_url = reverse("survey:entry")
    manifest = {
        "id": entry_url,
        "name": _("Saisie des questionnaires — Enquêtes qualité de l'accueil"),
        "short_name": _("Saisie qualité"),
        "description": _(
            "Saisie des questionnaires de satisfaction de l'accueil, même sans réseau."
        ),
        "lang": translation.get_language() or settings.LANGUAGE_CODE,
        "start_url": entry_url,
        "scope": entry_url,
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [
            {
                "src": static(name),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": purpose,
            }
            for name, size, purpose in APP_ICONS
        ],
    }
    return HttpResponse(
        json.dumps(manifest, ensure_ascii=False, indent=2),
        content_type="application/manifest+json; charset=utf-8",
    )
