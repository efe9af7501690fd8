"""The PDF renderer fetches only our static files and data: URLs; everything else is refused."""

import http.server
import io
import threading

import pytest
from pypdf import PdfReader

from core.pdf import html_to_pdf


@pytest.fixture
def recording_server():
    """A loopback HTTP server that records every request it receives."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_hostile_references_are_refused_and_logged(recording_server, caplog):
    base, hits = recording_server
    html = f"""<html><head><style>@import url("{base}/evil.css");</style>
      <link rel="attachment" href="file:///etc/passwd"><link rel="stylesheet" href="file:///etc/passwd"></head>
      <body><p>Letter body</p><img src="file:///etc/passwd"><img src="{base}/pixel.png">
      <img src="file:///proc/self/environ"></body></html>"""

    pdf = html_to_pdf(html, stylesheets=("css/pdf.css",))

    assert hits == []
    assert b"root:x:0:0" not in pdf
    assert "Letter body" in _text(pdf)
    refused = sorted({r.getMessage() for r in caplog.records if r.name == "core.pdf"})
    assert refused == [
        "PDF rendering refused to fetch file:///etc/passwd",
        "PDF rendering refused to fetch file:///proc/self/environ",
        f"PDF rendering refused to fetch {base}/evil.css",
        f"PDF rendering refused to fetch {base}/pixel.png",
    ]


def test_static_files_and_data_urls_are_served(caplog):
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    html = f'<html><head><link rel="stylesheet" href="css/pdf.css"></head><body><img src="{pixel}">ok</body>'
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF-")
    assert [r for r in caplog.records if r.name == "core.pdf"] == []


def test_symlink_out_of_static_root_is_refused(tmp_path, settings, caplog):
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "pdf.css").write_text("body { font-size: 10pt }")
    (static / "escape.css").symlink_to("/etc/passwd")
    settings.BASE_DIR = tmp_path
    html_to_pdf('<html><head><link rel="stylesheet" href="escape.css"></head><body>x</body></html>')
    messages = [r.getMessage() for r in caplog.records if r.name == "core.pdf"]
    assert messages == [f"PDF rendering refused to fetch {(static / 'escape.css').as_uri()}"]


@pytest.mark.parametrize(
    "trick",
    [
        "file:///etc/passwd#/../../{static}/css/pdf.css",
        "file:///etc/passwd?/../../{static}/css/pdf.css",
        "file:///{static}/css/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "file:///{static}/../../../../../../etc/passwd",
        "file://evil.example/{static}/css/pdf.css",
    ],
)
def test_a_url_that_only_looks_like_a_static_file_is_refused(trick, caplog):
    """A check on the URL's text is not enough: urllib drops the fragment and the query before opening,
    so ``file:///etc/passwd#/../static/x`` once read /etc/passwd (found in a review)."""
    from core.pdf import static_root

    url = trick.format(static=str(static_root()).lstrip("/"))
    html = f"""<html><head><link rel="stylesheet" href="{url}"></head><body><p>Body</p>
      <a rel="attachment" href="{url}">a</a><img src="{url}"></body></html>"""

    pdf = html_to_pdf(html)

    assert b"root:x:0:0" not in pdf
    assert "root:x:0:0" not in _text(pdf)
    assert any(
        r.getMessage().startswith("PDF rendering refused") for r in caplog.records if r.name == "core.pdf"
    )
