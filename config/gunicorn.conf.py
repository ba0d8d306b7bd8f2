"""Gunicorn settings: `gunicorn config.wsgi -c config/gunicorn.conf.py`.

Read from the environment like config/settings.py. Gunicorn sits behind a TLS reverse
proxy on the same host, hence the loopback default: set BIND to listen elsewhere.
"""

from __future__ import annotations

import os

import gunicorn.http.wsgi


def _cores() -> int:
    # sched_getaffinity honours CPU pinning (systemd CPUAffinity=, taskset); cpu_count does not.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value else default


# BIND takes an address ("0.0.0.0:8000", "unix:/run/qualiprefs/gunicorn.sock"), or several
# separated by commas; PORT alone keeps the loopback interface.
_default_bind = f"127.0.0.1:{os.environ.get('PORT') or 8000}"
bind = [a.strip() for a in (os.environ.get("BIND") or _default_bind).split(",") if a.strip()]

workers = _envint("WEB_CONCURRENCY", 2 * _cores() + 1)

# A worker still busy with one request after `timeout` seconds is killed and restarted. The
# audit PDF is the slowest page: raise GUNICORN_TIMEOUT if a large campaign needs more.
timeout = _envint("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so that a slow leak never takes the service down.
max_requests = 1000
max_requests_jitter = 100

# Logs go to the journal (systemd) or the container's output.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The proxy's X-Forwarded-* headers are trusted from the loopback only (Gunicorn's default).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# No "Server: gunicorn" header. Gunicorn has no setting for it (benoitc/gunicorn#825: its
# maintainers keep the header); each response takes the value of gunicorn.http.wsgi.SERVER,
# set here in the master before it starts its workers, which inherit it. The header stays,
# empty. (nginx hides the upstream's Server header anyway; this covers a direct connection.)
gunicorn.http.wsgi.SERVER = ""
