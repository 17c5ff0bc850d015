"""Shared rules of roster exports (the API's CSV and the admin report's spreadsheets)."""

# A spreadsheet cell starting with one of these is run as a formula by Excel and friends.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Learners choose their names: keep a spreadsheet from running one as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value
