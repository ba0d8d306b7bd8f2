"""What keeps the entry pages (``survey.views_entry``) working offline and on a tablet's home
screen: the service worker, served with the list of static files to precache, and the web
app manifest. Both are public: a browser fetches them without the session cookie, and they
hold nothing but addresses."""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

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
