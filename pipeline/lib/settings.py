"""Pipeline configuration: one typed place, overridable by environment variables.

Every knob the stages read lives here. Environment variables named ``ALLIANCE_<FIELD>`` override
the defaults (lists as comma-separated values, mappings as ``de=de_core_news_md,ru=...``), and
explicit keyword arguments override both.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, field_validator

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DATA = Path(__file__).resolve().parents[1] / "data"
ENV_PREFIX = "ALLIANCE_"


class Settings(BaseModel):
    """All configuration of a pipeline run."""

    input_dir: Path = Field(PROJECT_ROOT / "data" / "sample", description="Folder of raw news inputs.")
    output_dir: Path = Field(PROJECT_ROOT / "outputs", description="Where releases are published.")
    work_dir: Path | None = Field(None, description="Intermediate tables; default <output_dir>/_work.")
    work_url: str | None = Field(
        None,
        description="Intermediate tables under an fsspec URL (s3://bucket/prefix, gs://...); default work_dir.",
    )
    landing_dir: Path | None = Field(None, description="Folder watched by the landing sensor.")
    languages: list[str] = Field(["de", "en", "ru"], description="Languages detected and processed.")
    spacy_models: dict[str, str] = Field(
        default_factory=dict,
        description="Installed spaCy pipeline per language (e.g. de=de_core_news_md); blank otherwise.",
    )
    ignore_patterns: list[str] = Field(
        ["README*", "LICENSE*", "NOTICE*", ".*"],
        description="File-name globs that are documentation, not inputs (counted, never ingested).",
    )
    max_file_mb: float = Field(20.0, description="Inputs larger than this are quarantined.")
    min_article_chars: int = Field(80, description="Cleaned texts shorter than this are no article.")
    outlet_repeat_min_docs: int = Field(
        3, description="A line found in this many documents of one outlet is page furniture."
    )
    near_duplicate_threshold: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="Estimated Jaccard similarity of word 5-grams at which two documents are copies.",
    )
    full_refresh: bool = Field(
        False, description="Rebuild every stage from the inputs instead of reusing earlier results."
    )
    nlp_batch_size: int = Field(256, description="Sentences per spaCy batch.")
    nlp_processes: int = Field(1, description="spaCy worker processes (nlp.pipe n_process).")
    partition_workers: int = Field(
        2, ge=1, description="Partitions run at the same time by `alliance-events run` (one process each)."
    )
    executor: str = Field(
        "in_process",
        pattern="^(in_process|multiprocess|dask)$",
        description="Where the steps of a run execute: in_process, multiprocess, or dask.",
    )
    dask_address: str | None = Field(
        None, description="Scheduler of the Dask cluster (tcp://host:8786) for executor=dask; local if unset."
    )
    release_keep: int = Field(5, description="How many releases to keep under outputs/releases.")
    release_max_unexplained_drop: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Share of any published table a release may drop without a reason (source changed, "
        "forgotten, re-derived) before it is blocked; 0 blocks any such loss.",
    )

    @field_validator("languages")
    @classmethod
    def _languages_are_codes(cls, value: list[str]) -> list[str]:
        cleaned = [code.strip().lower() for code in value if code.strip()]
        if not cleaned or any(len(code) != 2 for code in cleaned):
            raise ValueError(f"languages must be ISO 639-1 codes, got {value!r}")
        return cleaned

    @property
    def resolved_work_dir(self) -> Path:
        """The local folder for intermediate tables (when no work_url is set)."""
        return self.work_dir or self.output_dir / "_work"

    @property
    def resolved_work_url(self) -> str:
        """Where intermediate tables are stored: work_url, else the work folder."""
        return self.work_url or str(self.resolved_work_dir)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from defaults, then ``ALLIANCE_*`` variables, then ``overrides``."""
        environ = dict(os.environ) if environ is None else environ
        values: dict[str, Any] = {}
        for name, field in cls.model_fields.items():
            raw = environ.get(ENV_PREFIX + name.upper())
            if raw is None or raw == "":
                continue
            annotation = str(field.annotation)
            if "list" in annotation:
                values[name] = [part for part in raw.split(",") if part.strip()]
            elif "dict" in annotation:
                pairs = (item.split("=", 1) for item in raw.split(",") if "=" in item)
                values[name] = {key.strip(): val.strip() for key, val in pairs}
            else:
                values[name] = raw
        values.update({key: val for key, val in overrides.items() if val is not None})
        return cls(**values)
