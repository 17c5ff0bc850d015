"""URL converters shared by every package's URLs.

``<id:...>`` is a database id: digits that fit a signed 64-bit integer. A longer number is not
an id of anything, so the URL does not match (404) instead of reaching the database driver,
which cannot bind it (``OverflowError``, a 500).
"""

from django.urls import register_converter

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("too large for an id")
        return number

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
