"""``manage.py french_plurals``: write locale/fr/LC_MESSAGES/django.po (and its .mo), the
French catalogue of the counted messages only.

The msgids are French, so French needs no translation, but a message counted with
``ngettext`` or ``{% blocktranslate count %}`` that no French catalogue holds takes
gettext's default rule, the English one (singular for 1 only): "0 jours ouvrés". This
catalogue gives every counted message its two French forms (the msgid and its plural) under
the French rule, ``plural=(n > 1)``: 0 and 1 take the singular. Run it after adding or
changing a counted message; tests/test_french_plurals.py fails until it is run.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

HEADER = """\
# French forms of the counted messages (qualiprefs): written by `manage.py french_plurals`,
# do not edit. The msgids are French; only the plural rule of French is needed.
msgid ""
msgstr ""
"Project-Id-Version: qualiprefs\\n"
"PO-Revision-Date: 2026-12-07 00:00+0100\\n"
"Last-Translator: qualiprefs maintainers\\n"
"Language-Team: French\\n"
"Language: fr\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"
"""

IGNORED = [".venv", "bench", "tests", "docs", "fixtures", "staticfiles", "node_modules"]


def catalogue_path() -> Path:
    return Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES" / "django.po"


def counted_messages(po_text: str) -> list[tuple[str | None, str, str]]:
    """(msgctxt, msgid, msgid_plural) of every plural entry of a .po file, obsolete ones
    left out."""
    found: list[tuple[str | None, str, str]] = []
    fields: dict[str, str] = {}
    keyword = ""
    for raw in [*po_text.splitlines(), ""]:
        line = raw.strip()
        if not line:
            if "msgid_plural" in fields:
                found.append((fields.get("msgctxt"), fields["msgid"], fields["msgid_plural"]))
            fields, keyword = {}, ""
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            fields[keyword] += ast.literal_eval(line)
        else:
            keyword, _, value = line.partition(" ")
            fields[keyword] = ast.literal_eval(value)
    return found


def quoted(text: str) -> str:
    for plain, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\t", "\\t")):
        text = text.replace(plain, escaped)
    return f'"{text}"'


def french_catalogue(messages: list[tuple[str | None, str, str]]) -> str:
    entries = [HEADER]
    for context, singular, plural in sorted(set(messages), key=lambda m: (m[1], m[0] or "")):
        lines = [f"msgctxt {quoted(context)}"] if context is not None else []
        lines += [
            f"msgid {quoted(singular)}",
            f"msgid_plural {quoted(plural)}",
            f"msgstr[0] {quoted(singular)}",
            f"msgstr[1] {quoted(plural)}",
        ]
        entries.append("\n".join(lines) + "\n")
    return "\n".join(entries)


class Command(BaseCommand):
    help = (
        "Écrit le catalogue français des messages comptés (locale/fr) : 0 et 1 au "
        "singulier, comme le veut le français."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        po = catalogue_path()
        call_command(
            "makemessages", locale=["fr"], no_location=True, ignore_patterns=IGNORED, verbosity=0
        )
        messages = counted_messages(po.read_text(encoding="utf-8"))
        po.write_text(french_catalogue(messages), encoding="utf-8")
        subprocess.run(["msgfmt", "--check", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
        self.stdout.write(f"{po} : {len(messages)} messages comptés.")
