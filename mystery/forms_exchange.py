"""The form of a mystery log's import page: the responses' import form (its upload limits,
its French errors) with the logs' own limits."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from survey.forms_exchange import ImportForm

from .exchange_rows import LOG_LIMITS


class LogImportForm(ImportForm):
    limits = LOG_LIMITS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = gettext("Fichier")
