"""Bring a database to the newest schema with Alembic (idempotent), once: on PostgreSQL
under an advisory lock, so processes started together migrate it one at a time (the
first upgrades, the others find it current); ``check`` refuses a database that is behind."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

from service.errors import Unavailable

# pg_advisory_xact_lock key of schema migrations ("sdmigr" in ASCII).
MIGRATION_LOCK = 0x73646D696772


class SchemaOutdated(Unavailable):
    """The database's schema is older (or newer) than this code's: ``storydiff migrate`` first."""

    code = "schema_outdated"

_MIGRATIONS = Path(__file__).with_name("migrations")


def upgrade(engine: Engine) -> None:
    """Apply every pending migration to ``engine``'s database.

    On SQLite, foreign keys are off while migrating: a batch migration rebuilds a table by
    dropping it, and with foreign keys on, dropping ``articles`` would cascade into every
    table that refers to it (copy links, passages, stories). SQLite ignores the pragma
    inside a transaction, so it is set before the migrations' transaction begins.
    """
    config = _config()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as outer:
        raw = outer.connection.driver_connection  # the pragma outside SQLAlchemy's transaction
        if sqlite:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with outer.begin():
                if not sqlite:  # held to the end of the migrations' transaction
                    outer.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                config.attributes["connection"] = outer
                command.upgrade(config, "head")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def check(engine: Engine) -> None:
    """Refuse (SchemaOutdated) a database whose schema is not this code's newest."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current != head:
        raise SchemaOutdated(
            f"the database schema is at revision {current or 'none'}, this code needs {head}: run `storydiff migrate` once"
        )


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config
