"""Demo data for the evidence capability, loaded by `flask --app app seed-demo` (idempotent)."""


def seed() -> None:
    """Nothing yet."""
