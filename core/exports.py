"""CSV and XLSX downloads, safe to open in a spreadsheet."""

import csv
import tempfile
from collections.abc import Iterable

from django.http import FileResponse, StreamingHttpResponse

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def spreadsheet_safe(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_response(rows: Iterable[Iterable[object]], *, filename: str) -> StreamingHttpResponse:
    """Stream ``rows`` (the first is the header) as a CSV download without building it in memory."""
    writer = csv.writer(_Echo())
    stream = (writer.writerow([spreadsheet_safe(cell) for cell in row]) for row in rows)
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_cell(cell: object) -> object:
    return cell if cell is None or isinstance(cell, (int, float, bool)) else spreadsheet_safe(cell)


def xlsx_response(rows: Iterable[Iterable[object]], *, filename: str, title: str = "Sheet") -> FileResponse:
    """``rows`` (the first is the header) as an XLSX download: a write-only workbook (rows are not
    kept in memory) saved to a temporary file. Text goes through ``spreadsheet_safe``, so a leading
    "=" is never a formula; numbers and booleans stay numbers and booleans."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
    # Closed by the FileResponse once sent, hence no ``with``.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
