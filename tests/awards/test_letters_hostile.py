"""Hostile input in a letter: an applicant's title stays text, and a staff template cannot make the
renderer read server files or fetch from the network."""

import http.server
import re
import threading
from pathlib import Path

import pytest

from awards.letters import render_letter_pdf
from awards.models import Decision, Letter, LetterTemplate
from tests.awards.letters_world import (
    decided,
    letter_for,
    media_root,  # noqa: F401 (autouse fixture)
    pdf_text,
    squeezed,
)

pytestmark = pytest.mark.django_db
HOSTILE_TITLE = 'Myelin <img src="file:///etc/passwd"> repair'


@pytest.fixture
def recording_server():
    """A loopback HTTP server that records every request it receives."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()
    server.server_close()


def test_a_hostile_title_and_template_fetch_nothing_and_read_no_file(recording_server, caplog):
    port, hits = recording_server
    decision = decided(Decision.Outcome.FUND, title=HOSTILE_TITLE, reviews=False)
    LetterTemplate.objects.create(
        call=decision.call,
        kind=Letter.Kind.AWARD,
        subject="Award",
        body=f'<style>@import url("http://127.0.0.1:{port}/x.css");</style>'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/y.css">'
        '<p>Dear {{ applicant }}, your project {{ title }} is funded.</p><img src="file:///etc/hostname">',
    )

    pdf = render_letter_pdf(letter_for(decision, Letter.Kind.AWARD))

    text = pdf_text(pdf)
    assert squeezed(f"your project {HOSTILE_TITLE} is funded.") in squeezed(text)  # printed as text
    assert hits == []
    refused = sorted({r.getMessage() for r in caplog.records if r.name == "core.pdf"})
    assert refused == [
        "PDF rendering refused to fetch file:///etc/hostname",
        f"PDF rendering refused to fetch http://127.0.0.1:{port}/x.css",
        f"PDF rendering refused to fetch http://127.0.0.1:{port}/y.css",
    ]
    hostname = Path("/etc/hostname").read_text().strip()
    assert not re.search(rf"\b{re.escape(hostname)}\b", text)
    if len(hostname) >= 8:  # a shorter name may occur by chance in compressed streams
        assert hostname.encode() not in pdf
    assert b"root:x:0:0" not in pdf
