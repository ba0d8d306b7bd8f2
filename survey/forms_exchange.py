"""The upload form of a response import."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .services.exchange import Row, read_table

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class ImportForm(forms.Form):
    """A CSV or XLSX upload, read into rows as the form is cleaned."""

    max_rows: int | None = None  # None: the reader's default limit

    file = forms.FileField(
        label=_("Fichier de questionnaires"),
        help_text=_("Format CSV (séparateur « ; » ou « , ») ou XLSX, 10 Mo au plus."),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_error_title = gettext("Le fichier n'a pas été importé")
        self.helper.add_input(Submit("submit", gettext("Importer")))

    def clean_file(self) -> list[Row]:
        """The file's rows, read here so that an unreadable file is a field error."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext("Le fichier dépasse 10 Mo : découpez-le en plusieurs fichiers.")
            )
        if self.max_rows is None:
            return read_table(upload)
        return read_table(upload, max_rows=self.max_rows)
