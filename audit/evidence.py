"""The evidence pack of a closed campaign: one ZIP with what an auditor needs to check the
report's figures (issue 6, points 5 and 6).

``build_pack(campaign, progress=callback)`` returns the ZIP's bytes:

- ``rapport/<name>.pdf``: the report (``audit.pdf.render_pdf``);
- ``reponses/questionnaires-<year>-<channel>.csv|.xlsx``: every response of each
  questionnaire, voided ones included, as the questionnaires' export writes them;
- ``mysteres/appels-mysteres-<year>.csv|.xlsx`` and ``courriels-mysteres-<year>.csv|.xlsx``:
  the mystery logs, as their export writes them (delays counted at the report's date);
- ``calculs/matrice-indicateurs-<year>.xlsx``: one row per indicator (question, choice or
  "favorable", k, n, rate, 95 % interval, comparison figure and its source), and a sheet
  listing, for each indicator, the questionnaires (UUID) whose answers make its numerator;
- ``remarques/remarques-codees-<year>.csv``: each remark with its questionnaire's UUID and
  its codes;
- ``MANIFEST.csv``: the SHA-256 and size of every other file.

Deterministic: every entry (the XLSX files' own inner entries too) bears the report's moment
(the campaign's closing, else its last day), entries are sorted, the XLSX properties carry
that moment, and the e-mail delays are counted at the report's date: the same data give
the same bytes.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import openpyxl
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from mystery import exchange as mystery_exchange
from reports import remarks as remarks_module
from reports.indicators import FAVOURABLE, Previous, compute
from reports.models import RemarkCode
from reports.stats import Rate
from survey.models import Answer, Campaign, Polarity
from survey.services.exchange import export_rows
from survey.spreadsheets import write_csv, write_xlsx

from .document import PARIS, report_date
from .pdf import filename as pdf_filename
from .pdf import render_pdf

Progress = Callable[[int, str], None]
MANIFEST = "MANIFEST.csv"
CSV_SEPARATOR = " | "  # between the codes of one remark


def _ignore(percent: int, step: str) -> None:
    pass


def pack_filename(campaign: Campaign) -> str:
    """dossier-preuves-prefecture-de-la-charente-2016.zip"""
    return f"dossier-preuves-{slugify(campaign.organisation.name)}-{campaign.year}.zip"


def pack_moment(campaign: Campaign) -> datetime.datetime:
    """The moment every entry of the pack bears: the closing (Paris time, to the even
    second as ZIP stores it), else the survey's last day at midnight."""
    if campaign.closed_at is not None:
        moment = campaign.closed_at.astimezone(PARIS).replace(tzinfo=None, microsecond=0)
        return moment.replace(second=moment.second - moment.second % 2)
    return datetime.datetime.combine(campaign.end_date, datetime.time())


def check_closed(campaign: Campaign) -> None:
    if not campaign.is_closed:
        raise ValidationError(
            _(
                "Le dossier de preuves n'est produit que pour une campagne clôturée : "
                "clôturez la campagne « %(campaign)s » d'abord."
            )
            % {"campaign": campaign},
            code="campaign_not_closed",
        )


def build_pack(campaign: Campaign, progress: Progress | None = None) -> bytes:
    """The evidence pack of the closed ``campaign`` as ZIP bytes (see the module)."""
    check_closed(campaign)
    report = progress or _ignore
    moment = pack_moment(campaign)
    year = campaign.year
    files: dict[str, bytes] = {}

    report(5, _("Impression du rapport PDF"))
    files[f"rapport/{pdf_filename(campaign)}"] = render_pdf(campaign)

    report(45, _("Export des réponses brutes"))
    for questionnaire in campaign.questionnaires.order_by("channel"):
        header, rows = export_rows(questionnaire)
        stem = f"reponses/questionnaires-{year}-{questionnaire.channel}"
        files[f"{stem}.csv"] = write_csv(header, rows)
        files[f"{stem}.xlsx"] = normalise_xlsx(write_xlsx(header, rows), moment)

    report(60, _("Export des journaux des tests mystères"))
    logs = [
        ("appels-mysteres", _("Appels mystères"), mystery_exchange.export_calls(campaign)),
        (
            "courriels-mysteres",
            _("Courriels mystères"),
            mystery_exchange.export_emails(campaign, today=report_date(campaign)),
        ),
    ]
    for stem, title, (header, rows) in logs:
        files[f"mysteres/{stem}-{year}.csv"] = write_csv(header, rows)
        files[f"mysteres/{stem}-{year}.xlsx"] = normalise_xlsx(
            write_xlsx(header, rows, sheet_title=str(title)), moment
        )

    report(70, _("Matrice de calcul des indicateurs"))
    files[f"calculs/matrice-indicateurs-{year}.xlsx"] = normalise_xlsx(
        calculation_matrix(campaign), moment
    )

    report(85, _("Remarques codées"))
    header, rows = coded_remarks(campaign)
    files[f"remarques/remarques-codees-{year}.csv"] = write_csv(header, rows)

    report(95, _("Assemblage du ZIP et du manifeste"))
    files[MANIFEST] = manifest(files)
    data = zip_files(files, moment)
    report(100, _("Terminé"))
    return data


# --- the ZIP, deterministic --------------------------------------------------------------------


def zip_files(files: dict[str, bytes], moment: datetime.datetime) -> bytes:
    """The files in a ZIP, sorted by name, every entry dated ``moment``, deflated."""
    buffer = io.BytesIO()
    stamp = moment.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # the same whatever the system that builds it
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


_W3CDTF = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def normalise_xlsx(data: bytes, moment: datetime.datetime) -> bytes:
    """An openpyxl workbook with its clock removed: the document's creation and
    modification dates, and its inner entries' dates, become ``moment``; same order."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    files: dict[str, bytes] = {}
    order: list[str] = []
    for info in source.infolist():
        content = source.read(info)
        if info.filename == "docProps/core.xml":
            content = _W3CDTF.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
        files[info.filename] = content
        order.append(info.filename)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in order:  # the order openpyxl wrote: [Content_Types].xml first
            info = zipfile.ZipInfo(name, date_time=moment.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            archive.writestr(info, files[name])
    return buffer.getvalue()


def manifest(files: dict[str, bytes]) -> bytes:
    """fichier;octets;sha256 for every file, sorted by name."""
    rows = [
        [name, str(len(content)), hashlib.sha256(content).hexdigest()]
        for name, content in sorted(files.items())
    ]
    return write_csv(["fichier", "octets", "sha256"], rows)


# --- the calculation matrix ---------------------------------------------------------------------

MATRIX_COLUMNS = [
    "code_question",
    "numero",
    "question",
    "canaux",
    "indicateur",
    "libelle",
    "numerateur_k",
    "base_n",
    "taux_pct",
    "ic95_bas_pct",
    "ic95_haut_pct",
    "reponses_listees",
    "comparaison_annee",
    "comparaison_source",
    "comparaison_canal",
    "comparaison_k",
    "comparaison_n",
    "comparaison_taux_pct",
    "ecart_significatif",
]
COUNTED_COLUMNS = ["code_question", "indicateur", "code_choix", "uuid_questionnaire"]
SOURCES = {"raw": "réponses brutes", "published": "chiffre publié"}


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _rate_cells(rate: Rate) -> list[Any]:
    low, high = rate.interval or (None, None)
    return [
        rate.k,
        rate.n,
        _percent(rate.percent),
        _percent(low),
        _percent(high),
    ]


def _previous_cells(previous: Previous | None) -> list[Any]:
    if previous is None:
        return [None] * 7
    significant = previous.significant
    return [
        previous.year,
        SOURCES.get(previous.source, previous.source),
        previous.channel,
        previous.rate.k if previous.rate is not None else None,
        previous.rate.n if previous.rate is not None else None,
        _percent(previous.percent),
        "" if significant is None else ("oui" if significant else "non"),
    ]


def counted_answers(campaign: Campaign) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(question code, choice code) -> [(choice polarity, questionnaire UUID)], from the raw
    answers of the questionnaires the indicators count (not voided). One query."""
    rows = (
        Answer.objects.filter(
            response__campaign=campaign, response__voided_at__isnull=True, choice__isnull=False
        )
        .values_list("question__code", "choice__code", "choice__polarity", "response__uuid")
        .order_by("question__code", "choice__code", "response__uuid")
    )
    counted: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for question, choice, polarity, uuid in rows:
        counted[(question, choice)].append((polarity, str(uuid)))
    return counted


def matrix_rows(campaign: Campaign) -> tuple[list[list[Any]], list[list[str]]]:
    """The matrix's indicators, and its "answers counted" rows: one per answer entering a
    numerator (a questionnaire ticking two choices of a group counts twice, as k does)."""
    indicators = compute(campaign)
    counted = counted_answers(campaign)
    rows: list[list[Any]] = []
    listed: list[list[str]] = []
    for code in sorted(indicators.questions):
        result = indicators.questions[code]
        head = [code, result.number, result.text, ",".join(result.channels)]
        entries: list[tuple[str, str, list[str], Rate, Previous | None]] = []
        if result.favourable is not None:
            favourable = [
                s.code
                for s in result.shares
                if s.code not in result.groups and s.polarity == Polarity.FAVOURABLE
            ]
            entries.append(
                (FAVOURABLE, "favorable", favourable, result.favourable, result.previous)
            )
        for share in result.shares:
            members = list(result.groups.get(share.code, (share.code,)))
            entries.append((share.code, share.label, members, share.rate, share.previous))
        for indicator, label, members, rate, previous in entries:
            uuids = [
                [code, indicator, member, uuid]
                for member in members
                for polarity, uuid in counted.get((code, member), [])
                if indicator != FAVOURABLE or polarity == Polarity.FAVOURABLE
            ]
            listed.extend(uuids)
            rows.append(
                [
                    *head,
                    indicator,
                    label,
                    *_rate_cells(rate),
                    len(uuids),
                    *_previous_cells(previous),
                ]
            )
    return rows, listed


def calculation_matrix(campaign: Campaign) -> bytes:
    """The matrix as an XLSX workbook: "Indicateurs" and "Réponses comptées"."""
    rows, listed = matrix_rows(campaign)
    workbook = openpyxl.Workbook(write_only=True)
    _sheet(workbook, "Indicateurs", MATRIX_COLUMNS, rows)
    _sheet(workbook, "Réponses comptées", COUNTED_COLUMNS, listed)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet(workbook: Any, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    titles = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        titles.append(cell)
    sheet.append(titles)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a text starting with "=" stays a text
            cells.append(cell)
        sheet.append(cells)


# --- the coded remarks ---------------------------------------------------------------------------


def coded_remarks(campaign: Campaign) -> tuple[list[str], list[list[str]]]:
    """Each counted remark: its questionnaire's UUID, its text, its codes (the categories'
    full paths) and their ids. Two queries and the taxonomy's one."""
    taxonomy = remarks_module.Taxonomy.load(campaign.organisation_id)
    remarks = list(
        remarks_module.remark_answers(campaign).values_list("pk", "response__uuid", "text")
    )
    codes: dict[int, list[int]] = defaultdict(list)
    for answer_id, category_id in (
        RemarkCode.objects.filter(answer_id__in=[remark[0] for remark in remarks])
        .order_by("category_id")
        .values_list("answer_id", "category_id")
    ):
        codes[answer_id].append(category_id)
    rows = []
    for pk, uuid, text in remarks:
        nodes = [taxonomy.by_pk[c] for c in codes.get(pk, []) if c in taxonomy.by_pk]
        rows.append(
            [
                str(uuid),
                text,
                CSV_SEPARATOR.join(node.path_label for node in nodes),
                CSV_SEPARATOR.join(str(node.pk) for node in nodes),
            ]
        )
    return ["uuid_questionnaire", "remarque", "codes", "id_categories"], rows
