"""Links to other capabilities' pages, which may not exist in every build."""

from typing import Any

from flask import url_for
from werkzeug.routing import BuildError


def safe_url(endpoint: str, **values: Any) -> str | None:
    """A URL for another capability's page, or None when that page does not exist."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None
