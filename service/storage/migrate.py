"""Bring a database to the newest schema with Alembic (idempotent)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

_MIGRATIONS = Path(__file__).with_name("migrations")


def upgrade(engine: Engine) -> None:
    """Apply every pending migration to ``engine``'s database.

    On SQLite, foreign keys are off while migrating: a batch migration rebuilds a table by
    dropping it, and with foreign keys on, dropping ``articles`` would cascade into every
    table that refers to it (copy links, passages, stories). SQLite ignores the pragma
    inside a transaction, so it is set before the migrations' transaction begins.
    """
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as outer:
        raw = outer.connection.driver_connection  # the pragma outside SQLAlchemy's transaction
        if sqlite:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with outer.begin():
                config.attributes["connection"] = outer
                command.upgrade(config, "head")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")
