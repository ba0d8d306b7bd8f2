from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from survey.communes import load_communes
from survey.models import Commune, Epci
from survey.services.campaigns import FIXTURES

pytestmark = pytest.mark.django_db

CHARENTE = FIXTURES / "communes" / "charente_communes_cog2026.csv"


def test_the_charente_file_loads_359_communes_with_arrondissement_and_epci() -> None:
    result = load_communes(CHARENTE)

    assert result.created == 359
    angouleme = Commune.objects.get(insee_code="16015")
    assert angouleme.name == "Angoulême"
    assert angouleme.search_name == "angouleme"
    assert angouleme.departement_code == "16"
    assert angouleme.arrondissement is not None
    assert angouleme.arrondissement.name == "Angoulême"
    assert angouleme.epci_id == "200071827"
    assert Epci.objects.get(siren="200071827").communes.count() == 38
    assert Commune.objects.filter(arrondissement__code="162").exists()


def test_loading_twice_updates_in_place() -> None:
    load_communes(CHARENTE)

    result = load_communes(CHARENTE)

    assert (result.created, result.updated) == (0, 359)
    assert Commune.objects.count() == 359


def test_a_file_of_another_departement_loads_beside(tmp_path: Path) -> None:
    path = tmp_path / "gironde.csv"
    path.write_text(
        "code_insee,commune,code_arrondissement,arrondissement,siren_epci,epci,nature_epci\n"
        "33063,Bordeaux,332,Bordeaux,243300316,Bordeaux Métropole,MET69\n",
        encoding="utf-8",
    )
    load_communes(CHARENTE)

    call_command("load_communes", str(path))

    assert Commune.objects.get(insee_code="33063").departement_code == "33"
    assert Commune.objects.count() == 360


def test_a_file_with_a_bad_row_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "code_insee,commune,code_arrondissement,arrondissement,siren_epci,epci,nature_epci\n"
        "33063,Bordeaux,332,Bordeaux,243300316,Bordeaux Métropole,MET69\n"
        "3306,,332,Bordeaux,,,\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match="ligne 3"):
        call_command("load_communes", str(path))
    assert Commune.objects.count() == 0


def test_a_file_of_another_shape_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("insee;nom\n33063;Bordeaux\n", encoding="utf-8")

    with pytest.raises(CommandError, match="Colonnes manquantes"):
        call_command("load_communes", str(path))
