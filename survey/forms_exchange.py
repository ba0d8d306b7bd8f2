"""The upload forms of a response import and of an XLSForm questionnaire."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .read_limits import Limits
from .services import imports
from .spreadsheet_files import Row, read_table
from .uploads import file_too_large_message, import_max_bytes, megabytes


class ImportForm(forms.Form):
    """A CSV or XLSX upload, read into rows as the form is cleaned; or, if ``background``
    and the file is large (``imports.in_background``), only checked, and left for a task to
    read (``deferred``)."""

    limits: Limits | None = None  # None: the reader's default limits
    background = False

    file = forms.FileField(
        label=_("Fichier de questionnaires"),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "Format CSV (séparateur « ; » ou « , ») ou XLSX, %(max)s Mo au plus."
        ) % {"max": megabytes(import_max_bytes())}
        self.helper = FormHelper()
        self.helper.form_error_title = gettext("Le fichier n'a pas été importé")
        self.helper.add_input(Submit("submit", gettext("Importer")))

    def clean_file(self) -> list[Row] | UploadedFile:
        """The file's rows, read here so that an unreadable file is a field error; or the
        upload itself, checked without reading its rows, if a task is to read it."""
        upload = self.cleaned_data["file"]
        if upload.size > import_max_bytes():  # refused before a byte is read
            raise forms.ValidationError(file_too_large_message(), code="too_large")
        if self.background and imports.in_background(upload):
            return upload
        return read_table(upload, limits=self.limits)

    @property
    def deferred(self) -> UploadedFile | None:
        """The upload a task is to read (see ``background``), once the form is valid."""
        file = self.cleaned_data.get("file")
        return file if isinstance(file, UploadedFile) else None


class XLSFormImportForm(forms.Form):
    """An XLSForm workbook (.xlsx): only checked for its size here; the reader
    (``survey.services.xlsform_reader``) says what it refuses, row by row."""

    file = forms.FileField(
        label=_("Fichier XLSForm"),
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext("Format XLSX, %(max)s Mo au plus.") % {
            "max": megabytes(import_max_bytes())
        }
        self.helper = FormHelper()
        self.helper.form_error_title = gettext("Le fichier n'a pas été importé")
        self.helper.add_input(Submit("submit", gettext("Importer")))

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > import_max_bytes():
            raise forms.ValidationError(file_too_large_message(), code="too_large")
        return upload
