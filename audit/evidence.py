"""The evidence pack of a closed campaign: one ZIP with what an auditor needs to check the
report's figures (issue 6, points 5 and 6).

``build_pack(campaign, progress=callback)`` returns the ZIP's bytes:

- ``rapport/<name>.pdf``: the report (``audit.pdf.render_pdf``);
- ``reponses/questionnaires-<year>-<channel>.csv|.xlsx``: every response of each
  questionnaire, voided ones included, as the questionnaires' export writes them
  (``survey.services.exchange.export_rows``; the XLSX holds the same texts);
- ``mysteres/appels-mysteres-<year>.csv|.xlsx`` and ``courriels-mysteres-<year>.csv|.xlsx``:
  the mystery logs, as their export writes them (delays counted at the report's date);
- ``calculs/matrice-indicateurs-<year>.xlsx``: the calculation matrix (``audit.matrix``):
  one row per indicator with the application's k and n and the spreadsheet formulas that
  count them again from a sheet of the counted questionnaires, one row each;
- ``remarques/remarques-codees-<year>.csv``: each remark with its questionnaire's UUID and
  its codes;
- ``donnees/campagne-<year>.json``: what the report is printed from beyond the files above
  (``audit.snapshot``); with the CSV files, ``manage.py reproduce_report`` prints the
  report again and compares it byte for byte (docs/reproduction.md);
- ``MANIFEST.csv``: the SHA-256 and size of every other file.

Deterministic: every entry (the XLSX files' own inner entries too) bears the report's moment
(the campaign's closing, else its last day), entries are sorted, the XLSX properties carry
that moment, and the e-mail delays are counted at the report's date: the same data give
the same bytes.

The XLSX files are written here (``write_workbook``), not by openpyxl: streamed, in a fixed
order and at a fixed date, more than ten times faster (openpyxl spends some 20 µs a cell,
which a campaign of 30,000 questionnaires turned into more than a minute). In the pack, the
CSV files are deflated; the PDF and the XLSX files, compressed already, are stored.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import math
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from mystery import exchange as mystery_exchange
from reports import remarks as remarks_module
from reports.models import RemarkCode
from survey.models import Campaign, Questionnaire
from survey.services.exchange import export_rows
from survey.spreadsheets import CsvText, write_csv

from .document import PARIS, report_date
from .matrix import Formula, Sheet, calculation_matrix
from .pdf import filename as pdf_filename
from .pdf import render_pdf
from .snapshot import dump as dump_snapshot
from .snapshot import snapshot_name

Progress = Callable[[int, str], None]
MANIFEST = "MANIFEST.csv"
CSV_SEPARATOR = " | "  # between the codes of one remark
STORED = (".pdf", ".xlsx")  # compressed already: deflating them again costs time for nothing


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

    report(25, _("Export des réponses brutes"))
    for questionnaire in campaign.questionnaires.order_by("channel"):
        stem = f"reponses/questionnaires-{year}-{questionnaire.channel}"
        files[f"{stem}.csv"], files[f"{stem}.xlsx"] = raw_answers(questionnaire, moment)

    report(55, _("Export des journaux des tests mystères"))
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
        files[f"mysteres/{stem}-{year}.xlsx"] = write_workbook(
            [Sheet(str(title), header, rows)], moment
        )

    report(60, _("Matrice de calcul des indicateurs"))
    files[f"calculs/matrice-indicateurs-{year}.xlsx"] = write_workbook(
        calculation_matrix(campaign), moment
    )

    report(85, _("Remarques codées"))
    header, rows = coded_remarks(campaign)
    files[f"remarques/remarques-codees-{year}.csv"] = write_csv(header, rows)

    report(88, _("Données de la campagne, pour reproduire le rapport"))
    files[snapshot_name(year)] = dump_snapshot(campaign)

    report(90, _("Assemblage du ZIP et du manifeste"))
    files[MANIFEST] = manifest(files)
    data = zip_files(files, moment)
    report(100, _("Terminé"))
    return data


def raw_answers(questionnaire: Questionnaire, moment: datetime.datetime) -> tuple[bytes, bytes]:
    """The questionnaire's export as CSV and as XLSX, its rows read once and streamed: each
    row goes into the CSV as the workbook's sheet takes it. Costs ``export_rows``'s
    queries, one reading, and one to count the responses."""
    header, rows = export_rows(questionnaire)
    csv_text = CsvText(header)
    sheet = Sheet("Réponses", header, _copied(rows, csv_text), rows_hint=rows.count())
    xlsx = write_workbook([sheet], moment)
    return csv_text.getvalue(), xlsx


def _copied(rows: Iterable[Sequence[str]], csv_text: CsvText) -> Iterator[Sequence[str]]:
    """``rows``, passed on, each written into ``csv_text`` on the way."""
    for row in rows:
        csv_text.writerow(row)
        yield row


# --- the ZIP, deterministic --------------------------------------------------------------------


def _entry(name: str, moment: datetime.datetime, *, stored: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=moment.timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3  # the same whatever the system that builds it
    return info


def zip_files(files: dict[str, bytes], moment: datetime.datetime) -> bytes:
    """The files in a ZIP, sorted by name, every entry dated ``moment``, deflated (but the
    PDF, stored)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            archive.writestr(_entry(name, moment, stored=name.endswith(STORED)), files[name])
    return buffer.getvalue()


def manifest(files: dict[str, bytes]) -> bytes:
    """fichier;octets;sha256 for every file, sorted by name."""
    rows = [
        [name, str(len(content)), hashlib.sha256(content).hexdigest()]
        for name, content in sorted(files.items())
    ]
    return write_csv(["fichier", "octets", "sha256"], rows)


# --- XLSX, streamed and deterministic ----------------------------------------------------------

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = "application/vnd.openxmlformats-"
_STYLES = (
    f'<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="2">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_ROWS_PER_WRITE = 500
_TEXTS_KEPT = 10_000
_ZIP64_ROWS = 200_000  # a longer sheet may outgrow the 2 GiB of a plain ZIP entry


def write_workbook(sheets: Sequence[Sheet], moment: datetime.datetime) -> bytes:
    """An XLSX workbook of ``sheets``, each with a bold frozen header; every part dated
    ``moment``, the document's creation and modification too. Texts are written as texts
    (a remark starting with "=" is no formula), ``Formula`` cells as formulas without a
    cached value (``fullCalcOnLoad``: the spreadsheet computes them at opening); the rows
    are streamed into the archive."""
    buffer = io.BytesIO()
    count = len(sheets)
    overrides = [
        ("/xl/workbook.xml", "officedocument.spreadsheetml.sheet.main+xml"),
        *[
            (f"/xl/worksheets/sheet{i}.xml", "officedocument.spreadsheetml.worksheet+xml")
            for i in range(1, count + 1)
        ],
        ("/xl/styles.xml", "officedocument.spreadsheetml.styles+xml"),
        ("/docProps/core.xml", "package.core-properties+xml"),
        ("/docProps/app.xml", "officedocument.extended-properties+xml"),
    ]
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{_TYPES}package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(
                f'<Override PartName="{name}" ContentType="{_TYPES}{kind}"/>'
                for name, kind in overrides
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_RELS}">'
            f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" '
            'Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{_RELS}/metadata/core-properties" '
            'Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_DOC_RELS}/extended-properties" '
            'Target="docProps/app.xml"/></Relationships>'
        ),
        "docProps/app.xml": (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties"><Application>Qualiprefs</Application></Properties>'
        ),
        "docProps/core.xml": (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<dc:creator>Qualiprefs</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}">'
            '<bookViews><workbookView activeTab="0"/></bookViews><sheets>'
            + "".join(
                f'<sheet name={quoteattr(sheet.title)} sheetId="{i}" r:id="rId{i}"/>'
                for i, sheet in enumerate(sheets, start=1)
            )
            + '</sheets><calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_RELS}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{_DOC_RELS}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, count + 1)
            )
            + f'<Relationship Id="rId{count + 1}" Type="{_DOC_RELS}/styles" '
            'Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": _STYLES,
    }
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, xml in parts.items():
            archive.writestr(_entry(name, moment), _XML + xml)
        for index, sheet in enumerate(sheets, start=1):
            entry = _entry(f"xl/worksheets/sheet{index}.xml", moment)
            with archive.open(entry, "w", force_zip64=sheet.rows_hint > _ZIP64_ROWS) as out:
                _write_sheet(out, sheet)
    return buffer.getvalue()


def _write_sheet(out: IO[bytes], sheet: Sheet) -> None:
    width = len(sheet.header)
    letters = [get_column_letter(i + 1) for i in range(width)]
    columns = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(sheet.widths, start=1)
    )
    out.write(
        (
            f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><sheetViews>'
            '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
            "</sheetView></sheetViews>"
            + (f"<cols>{columns}</cols>" if columns else "")
            + '<sheetData><row r="1">'
            + "".join(
                f'<c r="{letter}1" s="1" t="inlineStr"><is>{_text(title)}</is></c>'
                for letter, title in zip(letters, sheet.header, strict=True)
            )
            + "</row>"
        ).encode()
    )
    chunk: list[str] = []
    texts: dict[str, str] = {}  # a choice code comes again and again: escaped once
    for line, row in enumerate(sheet.rows, start=2):
        cells = [f'<row r="{line}">']
        for letter, value in zip(letters, row, strict=False):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                xml = texts.get(value)
                if xml is None:
                    xml = f' t="inlineStr"><is>{_text(value)}</is></c>'
                    if len(texts) < _TEXTS_KEPT:
                        texts[value] = xml
                cells.append(f'<c r="{letter}{line}"{xml}')
            elif isinstance(value, Formula):
                cells.append(f'<c r="{letter}{line}"><f>{escape(value.text)}</f></c>')
            elif isinstance(value, float | int | Decimal) and not isinstance(value, bool):
                if math.isfinite(value):
                    cells.append(f'<c r="{letter}{line}"><v>{value}</v></c>')
            else:
                cells.append(
                    f'<c r="{letter}{line}" t="inlineStr"><is>{_text(str(value))}</is></c>'
                )
        cells.append("</row>")
        chunk.append("".join(cells))
        if len(chunk) >= _ROWS_PER_WRITE:
            out.write("".join(chunk).encode())
            chunk.clear()
    chunk.append("</sheetData></worksheet>")
    out.write("".join(chunk).encode())


def _text(value: str) -> str:
    """An inline string: illegal characters dropped, spaces at its ends kept."""
    value = escape(ILLEGAL_CHARACTERS_RE.sub("", value))
    if value[:1].isspace() or value[-1:].isspace():
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


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
