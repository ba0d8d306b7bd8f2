"""The audit report as a PDF (WeasyPrint) and as HTML (its preview in the browser).

``render_pdf(campaign)`` prints ``templates/reports/audit/report/document.html`` with
``static/reports/audit/report.css``. WeasyPrint reads nothing from the network: the only URLs it
may open are the project's static files (the stylesheet and the DSFR's Marianne fonts),
found by Django's static finders on the local disk; any other URL stops the rendering.

Deterministic: the PDF's creation and modification dates are the report's date (the
campaign's closing day, else its last day), WeasyPrint writes no file identifier and no
clock, and the charts are SVG text built in Python: the same data give the same bytes.

Tagged (PDF/UA-1, WeasyPrint's ``pdf/ua-1`` variant): a report a prefecture publishes is
read with screen readers too. The structure tree follows the HTML (``<h1>``-``<h4>``,
tables with their ``<th scope>``, lists, links); each chart is a ``Figure`` whose ``/Alt``
is its image's ``alt``, a summary of its figures (``reports.audit.svg``); the catalog gives the
language (``<html lang="fr">``) and shows the title (``<title>``, also in the XMP
metadata) rather than the file's name. Tagging costs some time and size: see
docs/benchmarks.md (``bench.report_audit``).

For a look at the pages::

    python -m reports.audit.pdf --demo --png /tmp/report     # the demo, in a throwaway database
    python -m reports.audit.pdf --campaign 3 --out report.pdf --png /tmp/report --pages 1-4

``--png`` needs pypdfium2 (a development dependency).
"""

from __future__ import annotations

import argparse
import functools
import io
import logging
import mimetypes
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

# WeasyPrint logs each of its steps (some on import), and fontTools each font it decodes,
# at INFO: one report is one event in the logs, not twenty.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

from weasyprint import HTML  # noqa: E402 - imported once its logs are quieted
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

from . import svg_text  # noqa: E402

# The charts' labels laid out as whole runs, not letter by letter (see reports.audit.svg_text).
svg_text.install()
if TYPE_CHECKING:
    from django.template.backends.django import DjangoTemplates

    from survey.models import Campaign

    from .document import ReportContext


TEMPLATE = "reports/audit/report/document.html"
STYLESHEET = "reports/audit/report.css"
# Where the static files seem to live for WeasyPrint; StaticFetcher maps these URLs to the
# files Django's finders find. Relative URLs inside the CSS (the fonts) resolve under it.
STATIC_BASE = "file:///__static__/"
# PDF/UA-1 (ISO 14289-1): tagged, /Lang, DisplayDocTitle, the XMP part number.
TAGGED = {"pdf_variant": "pdf/ua-1"}


class StaticFetcher(URLFetcher):
    """Serves the project's static files from disk; refuses every other URL, and a
    missing file stops the rendering (no report without its stylesheet or fonts)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith(STATIC_BASE):
            raise ValueError(f"Le rapport ne charge que des fichiers statiques : {url}")
        from django.contrib.staticfiles import finders

        name = unquote(url.removeprefix(STATIC_BASE).split("?")[0].split("#")[0])
        found = finders.find(name)
        if not found or isinstance(found, list):
            raise FileNotFoundError(f"Fichier statique introuvable : {name}")
        path = Path(found)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        # Answered under its own URL: the URLs inside the stylesheet stay relative to it.
        return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": content_type})


@functools.cache
def engine() -> DjangoTemplates:
    """The project's template settings, with the typography filters built in."""
    from django.conf import settings
    from django.template.backends.django import DjangoTemplates

    template_settings: dict[str, Any] = settings.TEMPLATES[0]
    dirs = list(template_settings.get("DIRS", []))
    return DjangoTemplates(
        {
            "NAME": "audit-report",
            "DIRS": dirs,
            "APP_DIRS": True,
            "OPTIONS": {
                "builtins": ["reports.audit.typography", "reports.audit.report_tags"],
                "autoescape": True,
            },
        }
    )


def report_html(report: ReportContext, *, stylesheet_url: str, chart_images: bool = False) -> str:
    context = {"report": report, "stylesheet_url": stylesheet_url, "chart_images": chart_images}
    return engine().get_template(TEMPLATE).render(context)


def render_html(campaign: Campaign, *, stylesheet_url: str, chart_images: bool = False) -> str:
    """The report as an HTML page, in French whatever the user's language: the preview
    (charts inline), or the PDF's source (``chart_images``: charts as images, which
    WeasyPrint reads faster; see ``reports.audit.svg.as_image``)."""
    from django.utils import translation

    from .document import build

    with translation.override("fr"):
        return report_html(
            build(campaign), stylesheet_url=stylesheet_url, chart_images=chart_images
        )


def render_pdf(campaign: Campaign, *, tagged: bool = True) -> bytes:
    """The report as a PDF: A4, numbered pages, vector charts, local files only; tagged
    for accessibility (PDF/UA-1) unless ``tagged`` is False (the benchmark's baseline)."""
    html = render_html(campaign, stylesheet_url=STATIC_BASE + STYLESHEET, chart_images=True)
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticFetcher())
    pdf: bytes = document.write_pdf(**(TAGGED if tagged else {}))
    return pdf


def filename(campaign: Campaign) -> str:
    """rapport-enquete-prefecture-de-la-charente-2016.pdf"""
    from django.utils.text import slugify

    return f"rapport-enquete-{slugify(campaign.organisation.name)}-{campaign.year}.pdf"


# --- the command line: a PDF and its pages as PNG, to look at ------------------------------------


def pages_to_png(pdf: bytes, directory: Path, *, pages: str = "", scale: float = 1.5) -> list[Path]:
    """Render ``pages`` ("1-3,7"; all when empty) of ``pdf`` as PNG files in ``directory``."""
    import pypdfium2 as pdfium  # a development dependency

    directory.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument(pdf)
    wanted = _page_numbers(pages, len(document))
    written = []
    for number in wanted:
        image = document[number - 1].render(scale=scale).to_pil()
        path = directory / f"page-{number:02d}.png"
        image.save(path)
        written.append(path)
    document.close()
    return written


def _page_numbers(spec: str, count: int) -> list[int]:
    if not spec:
        return list(range(1, count + 1))
    numbers: list[int] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        numbers.extend(range(int(first), int(last or first) + 1))
    return [n for n in numbers if 1 <= n <= count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reports.audit.pdf", description=__doc__.split("\n")[0]
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--campaign", type=int, help="clé primaire de la campagne")
    which.add_argument(
        "--demo",
        action="store_true",
        help="la campagne de démonstration, chargée dans une transaction annulée "
        "(dans une base SQLite jetable si DATABASE_URL n'est pas défini)",
    )
    parser.add_argument("--out", type=Path, help="où écrire le PDF")
    parser.add_argument("--png", type=Path, help="dossier où écrire les pages en PNG")
    parser.add_argument("--pages", default="", help="pages à rendre en PNG : 1-3,7")
    parser.add_argument("--scale", type=float, default=1.5, help="échelle des PNG (1 = 72 dpi)")
    args = parser.parse_args(argv)

    scratch: Path | None = None
    if args.demo and "DATABASE_URL" not in os.environ:
        scratch = Path(tempfile.gettempdir()) / f"qualiprefs-report-{os.getpid()}.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    try:
        return _run(args)
    finally:
        if scratch is not None:
            scratch.unlink(missing_ok=True)


def _run(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from survey.models import Campaign

    if args.demo:
        from survey.demo import demo_campaign

        call_command("migrate", verbosity=0)
        with transaction.atomic():
            # The demo is composed above the apps (demo.loader): reached through its command,
            # as `migrate` is, not imported. --allow-production: the load is rolled back, its
            # known passwords never stay, as before the command was used.
            call_command("load_demo", allow_production=True, stdout=io.StringIO())
            campaign = demo_campaign()
            pdf, seconds = _timed(campaign)
            transaction.set_rollback(True)
    else:
        campaign = Campaign.objects.select_related("organisation").get(pk=args.campaign)
        pdf, seconds = _timed(campaign)

    from pypdf import PdfReader  # a development dependency

    count = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"{campaign} : {count} pages, {len(pdf)} octets, rendu en {seconds:.2f} s")
    if args.out:
        args.out.write_bytes(pdf)
        print(f"PDF : {args.out}")
    if args.png:
        for path in pages_to_png(pdf, args.png, pages=args.pages, scale=args.scale):
            print(f"PNG : {path}")
    return 0


def _timed(campaign: Campaign) -> tuple[bytes, float]:
    start = time.perf_counter()
    pdf = render_pdf(campaign)
    return pdf, time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
