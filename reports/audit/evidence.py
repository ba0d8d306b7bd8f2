"""The evidence pack of a closed campaign: one ZIP with what an auditor needs to check the
report's figures (issue 6, points 5 and 6).

``build_pack(campaign, progress=callback)`` returns the ZIP's bytes:

- ``rapport/<name>.pdf``: the report (``reports.audit.pdf.render_pdf``);
- ``reponses/questionnaires-<year>-<channel>.csv|.xlsx``: every response of each
  questionnaire, voided ones included, as the questionnaires' export writes them
  (``survey.services.exchange.export_rows``; the XLSX holds the same texts);
- ``mysteres/appels-mysteres-<year>.csv|.xlsx`` and ``courriels-mysteres-<year>.csv|.xlsx``:
  the mystery logs, as their export writes them (delays counted at the report's date);
- ``calculs/matrice-indicateurs-<year>.xlsx``: the calculation matrix (``reports.audit.matrix``):
  one row per indicator with the application's k and n and the spreadsheet formulas that
  count them again from a sheet of the counted questionnaires, one row each;
- ``remarques/remarques-codees-<year>.csv``: each remark with its questionnaire's UUID and
  its codes;
- ``donnees/campagne-<year>.json``: what the report is printed from beyond the files above
  (``reports.audit.snapshot``); with the CSV files, ``manage.py reproduce_report`` prints the
  report again and compares it byte for byte (docs/reproduction.md);
- ``MANIFEST.csv``: the SHA-256 and size of every other file.

Deterministic: every entry (the XLSX files' own inner entries too) bears the report's moment
(the campaign's closing, else its last day), entries are sorted, the XLSX properties carry
that moment, and the e-mail delays are counted at the report's date: the same data give
the same bytes.

The XLSX files are written by ``survey.workbook.write_workbook`` (streamed, in a fixed
order, every part dated the report's moment). In the pack, the CSV files are deflated; the
PDF and the XLSX files, compressed already, are stored.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mystery.exchange_calls import export_calls
from mystery.exchange_emails import export_emails
from reports import remarks as remarks_module
from reports.models import RemarkCode
from survey.models import Campaign, Questionnaire
from survey.services.exchange import export_rows
from survey.spreadsheets import CsvText, write_csv
from survey.workbook import Sheet, write_workbook, zip_entry

from .document import report_date
from .matrix import calculation_matrix
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
    """The moment every entry of the pack bears, in the organisation's zone (ZIP keeps wall
    clock times): the closing (to the even
    second, as ZIP stores it), else the survey's last day at midnight."""
    if campaign.closed_at is not None:
        moment = campaign.closed_at.astimezone(campaign.zone).replace(microsecond=0)
        return moment.replace(second=moment.second - moment.second % 2)
    return datetime.datetime.combine(campaign.end_date, datetime.time(), tzinfo=campaign.zone)


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
        ("appels-mysteres", _("Appels mystères"), export_calls(campaign)),
        (
            "courriels-mysteres",
            _("Courriels mystères"),
            export_emails(campaign, today=report_date(campaign)),
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
    return csv_text.take(), xlsx


def _copied(rows: Iterable[Sequence[str]], csv_text: CsvText) -> Iterator[Sequence[str]]:
    """``rows``, passed on, each written into ``csv_text`` on the way."""
    for row in rows:
        csv_text.writerow(row)
        yield row


# --- the ZIP, deterministic --------------------------------------------------------------------


def zip_files(files: dict[str, bytes], moment: datetime.datetime) -> bytes:
    """The files in a ZIP, sorted by name, every entry dated ``moment``, deflated (but the
    PDF, stored)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            archive.writestr(zip_entry(name, moment, stored=name.endswith(STORED)), files[name])
    return buffer.getvalue()


def manifest(files: dict[str, bytes]) -> bytes:
    """fichier;octets;sha256 for every file, sorted by name."""
    rows = [
        [name, str(len(content)), hashlib.sha256(content).hexdigest()]
        for name, content in sorted(files.items())
    ]
    return write_csv(["fichier", "octets", "sha256"], rows)


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
