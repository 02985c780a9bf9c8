"""Production gunicorn, behind deploy/nginx.conf: `gunicorn -c deploy/gunicorn.conf.py` in the project root.

Everything `genrelens serve` uses (config/gunicorn.py), on the address nginx proxies to. Run
`genrelens migrate` and `genrelens collectstatic --noinput` before (re)starting it, and
`genrelens worker` (any number, any machine) and one `genrelens beat` beside it (docs/jobs.md).
"""

import os

from config.gunicorn import *  # noqa: F403  (the shared settings, overridden below)

bind = os.environ.get("GENRELENS_BIND", "127.0.0.1:8001")
# About 170 MB per worker for the model: raise WEB_CONCURRENCY with memory, not only with cores.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# nginx on the same host sets X-Forwarded-For/-Proto; trust them only from there.
forwarded_allow_ips = "127.0.0.1"
