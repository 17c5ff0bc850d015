"""CSV for the analytics tables: ``?format=csv`` on any analytics endpoint returns the table
the JSON response holds, as ``text/csv`` (UTF-8, a header row)."""

from __future__ import annotations

import csv
import io

from rest_framework.renderers import BaseRenderer

from learning.enrollment.exports import neutralise_formula


class CSVTable(dict):
    """What a view hands the CSV renderer: ``columns`` and ``rows`` (lists of values)."""


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        if isinstance(data, CSVTable):
            writer.writerow(data["columns"])
            for row in data["rows"]:
                writer.writerow([_cell(value) for value in row])
        return buffer.getvalue().encode(self.charset)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, sort_keys=True)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise_formula(value)
