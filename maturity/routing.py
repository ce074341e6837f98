"""The one guard for what arrives in a request: ids and keys in the path, NUL in text, deep JSON.

Every route gets these without repeating them:
- `<int:…>` matches only ids a database integer can hold (1 to 2,147,483,647), so a larger id
  answers 404 instead of reaching PostgreSQL, which refuses to compare it;
- a plain `<…>` path part (strand and element keys, join codes) matches only 1 to 120
  characters without NUL, which PostgreSQL cannot store or compare either;
- NUL is dropped from query strings and forms (nobody means to send it);
- JSON nested deeper than Python can parse is a 400, not a crash.
Ids that come in a query string, a form or JSON go through `parse_id`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, UnicodeConverter

#: The largest id an Integer primary key can hold (PostgreSQL's integer).
MAX_ID = 2**31 - 1
#: The longest key a path part may be (strand and element keys are far shorter).
MAX_KEY = 120


def parse_id(value: Any) -> int | None:
    """An id from a query string, form or JSON value; None unless it is a whole number in range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


class IdConverter(IntegerConverter):
    """`<int:…>`: a database id, 1 to MAX_ID; anything else does not match (404)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID, signed: bool = False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class KeyConverter(UnicodeConverter):
    """A plain `<…>`: 1 to MAX_KEY characters, no slash and no NUL."""

    def __init__(self, map, minlength: int = 1, maxlength: int | None = MAX_KEY, length: int | None = None):
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")


class GuardedJSONProvider(DefaultJSONProvider):
    """JSON nested too deeply to parse is a malformed body (400), like any other."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("The JSON is nested too deeply.") from None


def _without_nul(items: list[tuple[str, str]]) -> ImmutableMultiDict | None:
    if not any("\x00" in key or "\x00" in value for key, value in items):
        return None
    return ImmutableMultiDict([(key.replace("\x00", ""), value.replace("\x00", "")) for key, value in items])


def register_converters(app: Flask) -> None:
    """Before any route is added: the guarded converters replace Flask's defaults."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = KeyConverter
    app.url_map.converters["string"] = KeyConverter
    app.json_provider_class = GuardedJSONProvider
    app.json = GuardedJSONProvider(app)


def register(app: Flask) -> None:
    @app.before_request
    def drop_nul_characters() -> None:
        """No text anyone means to send holds NUL, and PostgreSQL refuses it: drop it."""
        if request.query_string and b"%00" in request.query_string.lower():
            cleaned = _without_nul(list(request.args.items(multi=True)))
            if cleaned is not None:
                request.args = cleaned
        if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            cleaned = _without_nul(list(request.form.items(multi=True)))
            if cleaned is not None:
                request.form = cleaned
