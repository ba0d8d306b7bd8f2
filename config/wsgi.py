from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from survey.payloads import Request

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
# Builds a request whatever charset it declares, for the middleware to refuse a wrong one.
application.request_class = Request
