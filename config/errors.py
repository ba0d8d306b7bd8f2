"""The 400 page: in French, and saying why when the request was too large to be read."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext

from survey.uploads import RequestTooLarge, request_too_large_message

logger = logging.getLogger(__name__)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestTooLarge):
        explanation = request_too_large_message()
    elif isinstance(exception, RequestDataTooBig):
        explanation = gettext(
            "La requête dépasse la taille que le serveur accepte : rien n'a été lu. "
            "Raccourcissez les textes envoyés."
        )
    else:
        explanation = gettext(
            "Le serveur n'a pas pu lire la requête. Revenez à la page précédente et recommencez."
        )
    try:
        return render(request, "400.html", {"explanation": explanation}, status=400)
    except Exception:  # the request itself may be what cannot be read (a forged host…)
        logger.exception("400 page not rendered")
        return HttpResponseBadRequest(explanation, content_type="text/plain; charset=utf-8")
