"""Demo data for the reviews capability, loaded by `flask --app app seed-demo` (idempotent)."""


def seed() -> None:
    """Nothing yet."""
