"""The calculation matrix of the evidence pack (``calculs/matrice-indicateurs-<year>.xlsx``):
every indicator of the report with the application's numerator k and base n, and next to
them the spreadsheet's own count of k and n from the counted questionnaires, so that an
auditor sees both figures side by side and how each is obtained.

Sheets, in order:

- "Notice": how to read the workbook, in French;
- "Indicateurs": one row per indicator: the questionnaires per channel; for each question
  (in the questionnaire's order) its favourable rate if it is a scale, then each choice and
  each group of choices; for the commune question, each arrondissement, each EPCI and the
  communes outside the département. Columns: the question (code, number, text, channels),
  the indicator (``nature``: canal, favorable, choix, regroupement, arrondissement, epci or
  hors_departement; code; label), the application's k and n, the formulas ``excel_k`` and
  ``excel_n`` that count them again from "Réponses", ``concordance`` (oui when both agree),
  the rate with its Wilson 95 % interval, and the comparison figure (year, source, channel,
  k, n, rate, significant change);
- "Réponses": one row per questionnaire counted (not voided), in the order of entry: uuid,
  channel, site, moment of collection, interviewer, then one column per question code
  holding the choice code answered; a multiple-choice question has one column per choice
  (``code:choix``: 1 ticked, 0 not ticked, empty when the question was not answered); the
  commune question holds the INSEE code (``hors:<text>`` for a commune outside the
  département), with two more columns, ``code:arrondissement`` and ``code:epci``, giving
  the commune's arrondissement and EPCI as the application groups them. Beyond Excel's
  1,048,576 rows a sheet, the rows go on in "Réponses (2)", "Réponses (3)"…, and every
  formula adds up its count over those sheets;
- "Communes": each commune answered, with its arrondissement and EPCI (code and name).

The formulas have no cached value: the spreadsheet computes them when it opens the file.

One module per sheet's rows: ``indicators`` ("Indicateurs"), ``answers`` ("Réponses" and
"Communes"), both placing their cells by ``layout`` (the columns, the sheets, the ranges a
formula counts); the notice and the sheets' order are here.

The application's k and n are ``reports.indicators.compute``'s (the report's figures, read
from the tallies); the "Réponses" rows come from the raw answers: a formula that disagrees
shows a tally that does not match the answers.

Cost: ``compute``'s queries, four more, and one per "Réponses" sheet: the answers are
streamed in the order of their questionnaires (``.iterator()``), one "Réponses" row in
memory at a time; at 30,000 questionnaires (1.2 million answers) about 5 s.
"""

from __future__ import annotations

from reports.indicators import compute
from survey.models import Campaign, Response
from survey.workbook import Sheet

from .answers import Answers
from .indicators import INDICATOR_COLUMNS, indicator_rows
from .layout import Layout

EXCEL_ROWS = 1_048_576  # rows of an Excel sheet, the header's included
COMMUNE_COLUMNS = [
    "code_insee",
    "commune",
    "arrondissement",
    "nom_arrondissement",
    "epci",
    "nom_epci",
]


def calculation_matrix(campaign: Campaign, *, sheet_rows: int = EXCEL_ROWS) -> list[Sheet]:
    """The matrix's sheets (see the module); ``sheet_rows`` (the header's included) is
    Excel's limit, smaller in tests."""
    indicators = compute(campaign)
    responses = list(
        Response.objects.filter(campaign=campaign, voided_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "uuid", "channel", "site__name", "started_at", "interviewer__username")
    )
    layout = Layout(indicators, len(responses), sheet_rows)
    answers = Answers(campaign, layout, responses)
    return [
        Sheet("Notice", ["notice"], [[line] for line in _notice(layout)], [120]),
        Sheet(
            "Indicateurs",
            INDICATOR_COLUMNS,
            indicator_rows(indicators, layout),
            [26, 7, 50, 10, 15, 26, 30, *[11] * 15],
        ),
        *[
            Sheet(
                title,
                layout.header,
                answers.rows(first, last),
                [37, 7, 18, 26, 14],
                rows_hint=last - first,
            )
            for title, first, last in layout.sheets
        ],
        Sheet("Communes", COMMUNE_COLUMNS, answers.communes(), [11, 30, 14, 30, 12, 50]),
    ]


def _notice(layout: Layout) -> list[str]:
    sheets = ", ".join(f"« {title} »" for title, _first, _last in layout.sheets)
    return [
        "Matrice de calcul des indicateurs du rapport.",
        "",
        "« Indicateurs » : une ligne par indicateur. numerateur_k et base_n sont les chiffres "
        "de l'application (ceux du rapport) ; excel_k et excel_n les recomptent par des "
        f"formules (NB.SI, NBVAL, SOMME, SOMMEPROD) sur {sheets} ; concordance vaut « oui » "
        "quand les deux s'accordent. Le taux est k / n, avec son intervalle de confiance à "
        "95 % (Wilson).",
        f"{sheets} : une ligne par questionnaire compté (les questionnaires annulés en sont "
        "exclus), une colonne par question : le code du choix répondu. Question à choix "
        "multiple : une colonne par choix (1 coché, 0 non coché, vide si la question n'a pas "
        "de réponse). Commune : le code INSEE (hors: suivi du texte saisi pour une commune "
        "hors du département), son arrondissement et son EPCI.",
        "Bases : un choix « hors base » (sans réponse, non concerné) est rapporté à tous les "
        "répondants de la question ; les autres choix et le taux favorable à ceux dont la "
        "réponse entre dans la base. Une commune est rapportée à toutes les communes "
        "données.",
        "« Communes » : chaque commune répondue, avec son arrondissement et son EPCI.",
        "Une feuille Excel compte au plus 1 048 576 lignes : au-delà, les questionnaires "
        "continuent sur « Réponses (2) », « Réponses (3) »… "
        "et les formules additionnent les feuilles.",
        "Les formules sont calculées par le tableur à l'ouverture du fichier.",
    ]
