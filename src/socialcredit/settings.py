"""Settings: one pydantic-settings class, built once at start-up and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the platform keeps its data. Read from ``SOCIALCREDIT_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="SOCIALCREDIT_", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Folder for the embedded store and outputs.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; an SQLite file in data_dir when unset, "
        "postgresql+psycopg://... for PostgreSQL.",
    )

    def store_url(self) -> str:
        """The store's URL: the configured one, else an SQLite file inside ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'socialcredit.db').as_posix()}"
