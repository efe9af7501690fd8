"""A small, valid PDF written by hand (fast: no WeasyPrint) for the demo's research plans."""

import textwrap


def _pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsi (characters it lacks become ``?``)."""
    raw = text.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _text_string(text: str) -> bytes:
    """A PDF text string (document information) in UTF-16BE with its byte order mark."""
    return b"<" + ("\ufeff" + text).encode("utf-16-be").hex().upper().encode() + b">"


def _page_stream(lines: list[tuple[str, int]]) -> bytes:
    """Lines of (text, font size) from the top of an A4 page, each size on its own leading."""
    out = [b"BT", b"72 770 Td"]
    for text, size in lines:
        leading = int(size * 1.45)
        out.append(b"/F%d %d Tf" % (2 if size > 11 else 1, size))
        out.append(b"0 -%d Td" % leading)
        out.append(_pdf_string(text) + b" Tj")
    out.append(b"ET")
    return b"\n".join(out)


def paginate(blocks: list[tuple[str, list[str]]], *, pages: int, lines_per_page: int = 44) -> list:
    """Headings and paragraphs laid out on exactly ``pages`` pages (repeating text when short)."""
    laid: list[list[tuple[str, int]]] = [[] for _ in range(pages)]
    per_page = max(1, -(-len(blocks) // pages))
    for index, (heading, paragraphs) in enumerate(blocks):
        page = laid[min(index // per_page, pages - 1)]
        if len(page) >= lines_per_page:
            continue
        page.append((heading, 13))
        for paragraph in paragraphs:
            for line in textwrap.wrap(paragraph, 92):
                if len(page) < lines_per_page:
                    page.append((line, 10))
            page.append(("", 10))
    return laid


def write_pdf(*, title: str, author: str, pages: list[list[tuple[str, int]]]) -> bytes:
    """A PDF with these pages (Helvetica), and the title and author in its document information."""
    page_count = len(pages)
    # Objects: 1 catalog, 2 pages, 3 and 4 fonts, 5 info, then a page and its content per page.
    first_page = 6
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(page_count))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % page_count,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title " + _text_string(title) + b" /Author " + _text_string(author) + b" /Producer "
        b"(Granted demo) >>",
    ]
    for index, lines in enumerate(pages):
        stream = _page_stream(lines)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>"
            % (first_page + 2 * index + 1)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
