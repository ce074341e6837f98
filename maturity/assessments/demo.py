"""Demo data for the assessments capability, loaded by `flask --app app seed-demo` (idempotent)."""


def seed() -> None:
    """Nothing yet."""
