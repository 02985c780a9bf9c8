"""gunicorn settings for `genrelens serve` and production (deploy/gunicorn.conf.py builds on them).

Loaded with `gunicorn -c python:config.gunicorn`; command-line options override any of them.
"""

import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GENRELENS_BIND", "127.0.0.1:8000")
# Each worker holds its own copy of the genre model (about 170 MB once loaded), so few processes,
# each with threads for the app's parallel API calls and for requests waiting on Spotify.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GENRELENS_THREADS", "4"))
# Uploads of up to GENRELENS_UPLOAD_MAX_BYTES over a slow link, and a cold analysis, take a while.
timeout = 120
graceful_timeout = 30
keepalive = 5
accesslog = "-"
# The path without its query: /connect?code=...&state=... carries a one-time login code.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
# gunicorn's control socket sits at one fixed path per user, so a second server (tests, the demo
# beside a production instance) would take it over; nothing here uses it.
control_socket_disable = True
