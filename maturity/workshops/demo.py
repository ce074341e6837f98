"""Demo data for the workshops capability, loaded by `flask --app app seed-demo` (idempotent)."""


def seed() -> None:
    """Nothing yet."""
