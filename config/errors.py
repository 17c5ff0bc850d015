"""The base of every package's domain errors (``<app>/errors.py``).

Services raise them; the API turns each into a problem response with the error's ``status``
and ``code`` and its ``message`` as the detail. Messages must be safe to show to users.
"""


class DomainError(Exception):
    code = "error"
    status = 400
    default_message = "The request could not be completed."

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        super().__init__(self.message)
