from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC now: both SQLite and PostgreSQL store it without surprises."""
    return datetime.now(UTC).replace(tzinfo=None)
