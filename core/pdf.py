"""Rendering HTML to PDF with WeasyPrint, fetching nothing but our own static files.

WeasyPrint's default URL fetcher reads ``file://`` paths and fetches ``http(s)://`` URLs, so a
hostile title such as ``<img src="file:///etc/passwd">`` could embed server files in a PDF.
``StaticOnlyFetcher`` serves regular files below the static root and ``data:`` URLs, and
refuses (and logs) everything else. WeasyPrint is imported lazily: importing it costs ~2 s.
"""

import logging
import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings

logger = logging.getLogger(__name__)


def static_root() -> Path:
    return Path(settings.BASE_DIR, "static").resolve()


def _static_file(url: str) -> Path | None:
    """The regular file below the static root that a ``file:`` URL names, else None. A query or a
    fragment is refused outright: urllib drops them before opening, so ``file:///etc/passwd#/../static/x``
    would otherwise pass a check made on the text."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
        return None
    if "#" in url or "?" in url:
        return None
    path = Path(os.path.realpath(url2pathname(unquote(parts.path))))
    if path.is_relative_to(static_root()) and path.is_file():
        return path
    return None


@lru_cache(maxsize=1)
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetchingError

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_file(url)
            if path is not None:
                # Fetch the file as resolved here, never the URL as given: what is checked is what is read.
                return super().fetch(path.as_uri(), headers)
            logger.warning("PDF rendering refused to fetch %s", url[:200])
            raise URLFetchingError(f"refused: {url[:80]}")

    return StaticOnlyFetcher


def url_fetcher():
    return _fetcher_class()()


@lru_cache(maxsize=8)
def stylesheet(name: str):
    """A parsed stylesheet from ``static/``, parsed once per process and reused across renders."""
    from weasyprint import CSS

    path = static_root() / name
    return CSS(filename=str(path), url_fetcher=url_fetcher(), font_config=font_config())


@lru_cache(maxsize=1)
def font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def html_to_pdf(html: str, *, stylesheets: tuple[str, ...] = ()) -> bytes:
    from weasyprint import HTML

    base_url = static_root().as_uri() + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=url_fetcher())
    return document.write_pdf(
        stylesheets=[stylesheet(name) for name in stylesheets], font_config=font_config()
    )
