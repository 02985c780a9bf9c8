"""The single-page app's index page, answered for every route the app owns."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

#: Paths the app never owns: the API, the login redirect, the admin, static files.
NOT_APP_PREFIXES = r"(?:rest|connect|admin|static)(?:/|$)"

NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>genrelens</title></head>
<body><main><h1>genrelens: the app is not built</h1>
<p>Build it with <code>make frontend</code> (or <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>),
then restart <code>genrelens serve</code>. The API answers meanwhile at <a href="/rest/">/rest/</a>.</p>
</main></body></html>"""


@require_safe
@ensure_csrf_cookie
def spa_index(request: HttpRequest) -> HttpResponse:
    """frontend/dist/index.html, read on each request so a rebuild shows without a restart.

    `no-cache`: the page is small and names the current hashed assets, which are cached for a year.
    The CSRF cookie is set here: the app reads it and sends it back on every POST and DELETE, so a
    first upload or share works before any other request has set it.
    """
    index = settings.GENRELENS_FRONTEND_DIST / "index.html"
    try:
        body = index.read_bytes()
    except FileNotFoundError:
        return HttpResponse(NOT_BUILT, status=503, content_type="text/html; charset=utf-8")
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
