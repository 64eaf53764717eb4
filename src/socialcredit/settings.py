"""Settings: one pydantic-settings class, built once at start-up and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from socialcredit.errors import ConfigurationError


class Settings(BaseSettings):
    """Where the platform keeps its data. Read from ``SOCIALCREDIT_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="SOCIALCREDIT_", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Folder for the embedded store and outputs.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; an SQLite file in data_dir when unset, "
        "postgresql+psycopg://... for PostgreSQL.",
    )

    federation_file: Path | None = Field(
        default=None,
        description="The federation document: this platform's id, the channels it shares and the peers it pulls "
        "from (see socialcredit.federation.config); none: the platform stands alone.",
    )
    federation_pull_seconds: float = Field(
        default=0.0,
        ge=0.0,
        description="How often `serve` pulls every peer's channels (seconds); 0: only `federation pull` does.",
    )

    max_request_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        description="The largest HTTP request body the service accepts (larger ones get 413); a batch of "
        "10,000 records fits.",
    )
    objection_days: dict[str, int] = Field(
        default_factory=dict,
        description="Days within which an objection is decided, per scheme name; default: the scheme's own "
        "objection.decided_within_days.",
    )
    repair_working_days: int = Field(
        default=10,
        ge=1,
        description="Working days within which a credit repair application is decided (Credit China: 10).",
    )
    repair_working_days_per_scheme: dict[str, int] = Field(
        default_factory=dict, description="Per-scheme overrides of repair_working_days."
    )
    repair_min_days: dict[str, int] = Field(
        default_factory=dict,
        description="Minimum days an entry of a list (by list id) must have been published before repair may "
        "be applied for; lists not named here have none.",
    )
    lab_workers: int = Field(
        default=0,
        ge=0,
        description="Processes a policy-lab run sees a month's subjects on (the results do not depend on it); "
        "0: one per core available.",
    )
    decision_index: bool = Field(
        default=True,
        description="Answer list-based measures from the decision index kept current with the store (built "
        "when the first decision needs it); off: evaluate every decision from records.",
    )
    index_dir: Path | None = Field(
        default=None,
        description="A folder with one saved decision index per scheme (<index_dir>/<scheme>, written by "
        "`socialcredit index build` from the store), loaded memory-mapped instead of building at start-up.",
    )
    index_merge_after: int = Field(
        default=10_000,
        ge=1,
        description="Subjects changed since the decision index was built after which its overlay is merged "
        "into the built arrays.",
    )
    index_merge_in_background: bool = Field(
        default=True,
        description="Merge the decision index's overlay on a thread of its own (decisions go on meanwhile); off: "
        "merge in the deciding request.",
    )
    today: str | None = Field(
        default=None,
        pattern=r"^([0-9]{4}-[0-9]{2}-[0-9]{2}|[+-][0-9]{1,6})$",
        description="Run on another day: YYYY-MM-DD, or +N days from today. The time of day keeps running; every "
        "job writes the setting in the audit log, and none runs on a clock behind the store's last write.",
    )
    lookup_per_minute: int = Field(
        default=10,
        ge=1,
        description="Full-number lookups (`POST /v1/public/lookup`) a client may make a minute, after a burst of "
        "lookup_burst; past that, 429 with Retry-After.",
    )
    lookup_burst: int = Field(default=10, ge=1, description="Lookups a client may make at once.")
    sign_in_per_minute: int = Field(
        default=5,
        ge=1,
        description="Portal sign-in attempts a client address may make a minute, after a burst of sign_in_burst; "
        "past that, 429 with Retry-After.",
    )
    sign_in_burst: int = Field(
        default=10, ge=1, description="Portal sign-in attempts a client address may make at once."
    )
    notices_file: Path | None = Field(
        default=None,
        description="Where notices are delivered, one JSON line each: a file (default <data_dir>/notices.jsonl), "
        "or - for standard error.",
    )

    def federation_path(self) -> Path | None:
        """The federation document: ``federation_file``, else ``DATA_DIR/federation.yaml`` when there is one;
        None when the platform stands alone."""
        if self.federation_file is not None:
            return self.federation_file
        default = self.data_dir / "federation.yaml"
        return default if default.is_file() else None

    def notices_path(self) -> Path | None:
        """The file notices are appended to; None for standard error (``notices_file`` is ``-``)."""
        if self.notices_file is not None and str(self.notices_file) == "-":
            return None
        return self.notices_file or self.data_dir / "notices.jsonl"

    audit_key: SecretStr | None = Field(
        default=None,
        description="The key (text) of the HMAC-SHA256 that seals the audit log's checkpoints; unset: sealed "
        "with a bare SHA-256, which detects accidents and partial edits but not a forger who rewrites the log.",
    )
    audit_key_file: Path | None = Field(
        default=None,
        description="A file holding the audit key (bytes, surrounding whitespace stripped), read when "
        "audit_key is unset: keeps the key out of the environment.",
    )

    @field_validator("audit_key", "audit_key_file", "today", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        # An exported but empty variable (SOCIALCREDIT_AUDIT_KEY=) means no key, as it always has.
        return None if value == "" else value

    def audit_key_bytes(self) -> bytes | None:
        """The audit key: ``audit_key`` encoded as UTF-8, else the bytes of ``audit_key_file``, else None.

        Raises ConfigurationError when the key file cannot be read or holds nothing but whitespace (an empty
        key would seal the log under a key anyone can guess).
        """
        if self.audit_key is not None:
            return self.audit_key.get_secret_value().encode()
        if self.audit_key_file is None:
            return None
        try:
            data = self.audit_key_file.read_bytes().strip()
        except OSError as exc:
            raise ConfigurationError(f"audit key file {self.audit_key_file}: {exc.strerror or exc}") from exc
        if not data:
            raise ConfigurationError(f"audit key file {self.audit_key_file} is empty")
        return data

    def store_url(self) -> str:
        """The store's URL: the configured one, else an SQLite file inside ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'socialcredit.db').as_posix()}"
