"""Hostile spreadsheets are refused, and the French error says which limit: a zip bomb
before its sheet is unpacked, a million rows or twenty thousand columns at the first row
past the limit, lying archives, encrypted, binary or entity-laden files. Legitimate files
read as openpyxl read them. (What the refusals cost in time and memory: bench/uploads.py.)
"""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from bench import upload_bombs as bombs
from survey.read_limits import Limits
from survey.spreadsheet_files import read_table
from survey.xlsx_reader import cell_text, xlsx_rows

ILLISIBLE = "Fichier illisible : enregistrez-le de nouveau au format CSV ou XLSX."


def refusal(data: bytes, name: str = "questionnaires.xlsx", **options: int) -> str:
    with pytest.raises(ValidationError) as refused:
        read_table(io.BytesIO(data), name=name, **options)
    return " ".join(refused.value.messages)


# --- zip bombs and archives ----------------------------------------------------------------


def test_a_bomb_declaring_more_than_128_mib_unpacked_is_refused_unread() -> None:
    bomb = bombs.bomb(200)
    assert len(bomb) < 1024 * 1024  # 200 MiB of sheet packed into a few hundred kB

    assert "Le classeur décompressé dépasse 128 Mo : il n'a pas été lu." in refusal(bomb)


def test_a_bomb_under_the_size_limit_is_refused_for_its_compression_ratio() -> None:
    message = refusal(bombs.bomb(30))

    assert "Le classeur se décompresse en 29 Mo pour" in message
    assert "plus de 200 fois sa taille" in message
    assert "« bombe » de décompression" in message


def test_a_sheet_declaring_fewer_bytes_than_it_unpacks_to_is_unreadable() -> None:
    # Declared 100 kB, but 100 MiB inside: the ratio check passes, and the reading stops at
    # the declared size, where the checksum fails.
    assert refusal(bombs.lying(bombs.bomb(100), 100_000)) == ILLISIBLE


def test_a_genuine_sheet_declared_shorter_than_it_is_is_unreadable() -> None:
    assert refusal(bombs.lying(bombs.many_rows(30_000), 200_000)) == ILLISIBLE


def test_an_encrypted_archive_is_refused_as_protected() -> None:
    message = refusal(bombs.encrypted(bombs.many_rows(3)))

    assert message.startswith("Ce classeur est protégé par un mot de passe")


def test_an_excel_97_or_password_protected_workbook_is_refused_as_such() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)

    assert "au format Excel 97-2003 (.xls)" in refusal(ole)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(bytes(range(256)) * 400, id="binary"),
        pytest.param(b"PK\x03\x04" + bytes(100), id="truncated zip"),
        pytest.param(bombs.many_rows(3)[:-30], id="cut short"),
    ],
)
def test_garbage_named_xlsx_is_unreadable(data: bytes) -> None:
    assert refusal(data).startswith(ILLISIBLE)


# --- rows, columns, cells --------------------------------------------------------------------


def test_a_sheet_of_a_million_rows_is_refused_at_the_limit() -> None:
    assert refusal(bombs.many_rows(1_000_000)) == (
        "Le fichier dépasse 20000 lignes : découpez-le en plusieurs fichiers."
    )


def test_the_mystery_logs_row_limit_is_the_one_named() -> None:
    assert "dépasse 2000 lignes" in refusal(bombs.many_rows(2_001), max_rows=2_000)
    assert len(read_table(io.BytesIO(bombs.many_rows(2_000)), name="x.xlsx", max_rows=2_000))


def test_a_sheet_of_twenty_thousand_columns_is_refused_at_the_limit() -> None:
    assert refusal(bombs.many_columns(20_000)) == (
        "Le fichier dépasse 500 colonnes (ligne 1) : gardez les seules colonnes du format."
    )


def test_the_cells_are_counted_as_they_are_read() -> None:
    rows = xlsx_rows(io.BytesIO(bombs.many_rows(10)), Limits(cells=12))

    with pytest.raises(ValidationError, match="Le fichier dépasse 12 cellules"):
        list(rows)


def test_a_cell_longer_than_excel_allows_is_refused() -> None:
    text = "".join(f"{i:05d}" for i in range(7_000))  # 35,000 characters
    data = bombs.workbook(bombs.sheet([bombs.text_row(1, ["uuid"]), bombs.text_row(2, [text])]))

    assert refusal(data) == "Une cellule de la ligne 2 dépasse 32767 caractères."


# --- XML ---------------------------------------------------------------------------------


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_a_billion_laughs_is_refused_at_its_document_type(part: str) -> None:
    assert refusal(bombs.billion_laughs(part=part)) == (
        f"{ILLISIBLE} Le classeur contient une déclaration de type de document."
    )


def test_an_external_entity_is_never_fetched() -> None:
    xml = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<worksheet xmlns="{bombs.MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
        "<is><t>&x;</t></is></c></row></sheetData></worksheet>"
    )

    assert "déclaration de type de document" in refusal(bombs.workbook([xml.encode()]))


def test_a_workbook_without_a_sheet_is_unreadable() -> None:
    no_sheet = bombs.PARTS["xl/workbook.xml"].replace(
        '<sheet name="Feuille" sheetId="1" r:id="rId1"/>', ""
    )
    data = bombs.workbook(bombs.sheet([]), parts={"xl/workbook.xml": no_sheet})

    assert refusal(data) == f"{ILLISIBLE} Le classeur n'a aucune feuille."


# --- CSV ---------------------------------------------------------------------------------


def test_a_csv_of_one_100_mib_line_is_refused_without_being_held(tmp_path: Path) -> None:
    path = tmp_path / "une-ligne.csv"
    with path.open("wb") as file:
        file.write(b"uuid;site\r\n")
        for _ in range(100):
            file.write(b"x" * 1024 * 1024)

    with pytest.raises(ValidationError) as refused:
        read_table(path)

    assert refused.value.messages == ["La ligne 2 du fichier dépasse 1000000 caractères."]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(bytes(range(256)) * 100, id="binary"),
        pytest.param("uuid;site\r\n;Angoulême\r\n".encode("utf-16"), id="UTF-16"),
        pytest.param(b"uuid;site\r\n;\x81\x8d\xc3\r\n", id="neither UTF-8 nor Windows-1252"),
    ],
)
def test_an_unreadable_csv_gets_a_french_error(data: bytes) -> None:
    assert refusal(data, "questionnaires.csv") == ILLISIBLE


def test_a_csv_of_too_many_columns_is_refused() -> None:
    data = (";".join(f"c{i}" for i in range(501)) + "\r\n").encode()

    assert "dépasse 500 colonnes (ligne 1)" in refusal(data, "x.csv")


def test_a_csv_row_past_the_limit_is_refused_but_blank_lines_after_the_last_are_not() -> None:
    data = b"uuid;site\r\n;a\r\n;b\r\n" + b";\r\n" * 50

    assert len(read_table(io.BytesIO(data), name="x.csv", max_rows=2)) == 2
    assert "dépasse 2 lignes" in refusal(data + b";c\r\n", "x.csv", max_rows=2)


def test_a_windows_1252_csv_split_across_chunks_keeps_its_line_breaks() -> None:
    line = "Préfecture d'Angoulême;" + "r" * 70_000  # past a 64 kB chunk
    data = ("site;remarque\r\n" + f"{line}\r\n" * 3).encode("cp1252")

    rows = read_table(io.BytesIO(data), name="x.csv")

    assert [row["site"] for row in rows] == ["Préfecture d'Angoulême"] * 3


# --- legitimate workbooks read as before ----------------------------------------------------


def openpyxl_table(data: bytes) -> list[list[str]]:
    """The previous reader: openpyxl's read-only mode, every row gathered."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = book.worksheets[0].iter_rows(values_only=True)
    table = [[cell_text(value) for value in row] for row in rows]
    book.close()
    return table


@pytest.mark.parametrize("epoch", ["1900", "1904"])
def test_cells_read_as_openpyxl_read_them(epoch: str) -> None:
    book = openpyxl.Workbook()
    if epoch == "1904":
        book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    assert sheet is not None
    sheet.append(["texte", "entier", "décimal", "booléen", "jour", "moment", "heure", "riche"])
    rich = CellRichText("Très ", TextBlock(InlineFont(b=True), "satisfait"))
    sheet.append(
        [
            "Préfecture d'Angoulême",
            16015,
            2.5,
            True,
            datetime.date(2016, 10, 10),
            datetime.datetime(2016, 10, 10, 9, 30),  # noqa: DTZ001 (Excel knows no zone)
            datetime.time(9, 30),
            rich,
        ]
    )
    sheet.append(["=1+1", 1e20, -0.0, False, None, None, None, "  espaces  "])
    sheet["A6"] = "après deux lignes vides"
    sheet["D9"].number_format = "0.00"  # a formatted empty cell on a row of its own
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()

    rows = read_table(io.BytesIO(data), name="classeur.xlsx")

    previous = openpyxl_table(data)
    header = previous[0]
    expected = [dict(zip(header, row, strict=True)) for row in previous[1:6]]
    assert rows == expected
    assert rows[0]["riche"] == "Très satisfait"
    assert rows[0]["jour"] == "2016-10-10"
    assert rows[4]["texte"] == "après deux lignes vides"  # line 6: line numbers kept


def test_values_without_a_title_are_refused_whatever_the_header_width() -> None:
    data = bombs.workbook(bombs.sheet([bombs.text_row(1, ["uuid"]), bombs.text_row(2, ["", "x"])]))

    assert refusal(data) == "La colonne 2 a des valeurs mais pas de titre."


def test_the_refusal_follows_the_users_language() -> None:
    with translation.override("en"):
        message = refusal(bombs.bomb(30))

    assert "more than 200 times its size: it looks like a decompression “bomb”" in message


# --- whatever the bytes --------------------------------------------------------------------

SMALL_WORKBOOK = bombs.workbook(
    bombs.sheet([bombs.text_row(1, ["uuid", "site"]), bombs.text_row(2, ["", "Angoulême"])]),
    shared_strings=f'<sst xmlns="{bombs.MAIN}"><si><t>x</t></si></sst>',
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.lists(
        st.tuples(st.integers(0, len(SMALL_WORKBOOK) - 1), st.integers(0, 255)), max_size=8
    ),
    cut=st.integers(0, len(SMALL_WORKBOOK)),
    name=st.sampled_from(["x.xlsx", "x.csv"]),
)
def test_damaged_files_get_a_french_error_never_an_exception(
    changes: list[tuple[int, int]], cut: int, name: str
) -> None:
    data = bytearray(SMALL_WORKBOOK)
    for position, value in changes:
        data[position] = value
    outcome = read_or_refuse(bytes(data[:cut] or data), name)

    assert isinstance(outcome, list) or outcome.startswith(KNOWN_REFUSALS)


KNOWN_REFUSALS = ("Fichier illisible", "Ce classeur est protégé", "Le fichier", "La colonne")
KNOWN_REFUSALS += ("Colonnes en double", "Le classeur", "Une cellule", "La ligne", "Format")


def read_or_refuse(data: bytes, name: str) -> list[dict[str, str]] | str:
    """The rows, or the refusal's message."""
    try:
        return read_table(io.BytesIO(data), name=name)
    except ValidationError as error:
        return " ".join(error.messages)


def test_an_archive_of_countless_empty_entries_is_refused_before_its_directory_is_read() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(40_000):  # 2 MB of directory: never parsed
            archive.writestr(f"{number}", b"")

    assert refusal(buffer.getvalue()) == f"{ILLISIBLE} L'archive contient plus de 1000 fichiers."


def test_a_header_of_quotes_is_read_in_linear_time() -> None:
    # csv.Sniffer took 24 s on 30,000 characters of this, and grew with their square.
    data = ('"a;' * 300_000 + "\r\n").encode()

    assert refusal(data, "x.csv").startswith("Le fichier dépasse 500 colonnes (ligne 1)")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("uuid;site;remarque", ["uuid", "site", "remarque"]),
        ("uuid,site,remarque", ["uuid", "site", "remarque"]),
        ('uuid;"site, lieu";"a, b, c"', ["uuid", "site, lieu", "a, b, c"]),
    ],
)
def test_the_separator_is_the_headers_outside_quotes(header: str, expected: list[str]) -> None:
    rows = read_table(io.BytesIO(f"{header}\r\n1;2;3\r\n".encode()), name="x.csv")

    assert list(rows[0]) == expected
