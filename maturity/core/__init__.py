"""Pure domain logic (no Flask or SQLAlchemy): scoring, aggregation and flags."""
