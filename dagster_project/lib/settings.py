"""Where things live. Every path can be overridden from the environment."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCES_DIR = REPO_ROOT / "sources"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
SAMPLE_EXTRACTS_DIR = REPO_ROOT / "sample_extracts"


def resolve_path(value: str) -> Path:
    """A configured path: absolute as given (with `~` expanded), or relative to the repository, whatever the
    working directory of the process that reads it (a code server, a run worker, dbt)."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


# Where each path lives unless its variable says otherwise, relative to the repository.
DEFAULT_PATHS = {
    "LANDING_DIR": "data/landing",
    "WAREHOUSE_PATH": "data/warehouse.duckdb",
    "OFFICIAL_STATISTICS_CACHE": "data/cache/dfe_statistics",
    "PUBLISHED_WAREHOUSE_PATH": "data/published/warehouse.duckdb",
    "PUBLISHED_PAGES_DIR": "data/published",
    "FEEDBACK_DIR": "data/feedback",
    "QUARANTINE_DIR": "data/quarantine",
}


def configured_path(variable: str) -> Path:
    """The path `variable` names in the environment, or its default."""
    return resolve_path(os.environ.get(variable) or DEFAULT_PATHS[variable])


def landing_dir() -> Path:
    """Root of the landing area: one folder per source (`LANDING_DIR`, default data/landing)."""
    return configured_path("LANDING_DIR")


def warehouse_path() -> Path:
    """The DuckDB warehouse file (`WAREHOUSE_PATH`, default data/warehouse.duckdb)."""
    return configured_path("WAREHOUSE_PATH")


def official_statistics_cache() -> Path:
    """Last good downloads of the official statistics (`OFFICIAL_STATISTICS_CACHE`, default data/cache/)."""
    return configured_path("OFFICIAL_STATISTICS_CACHE")


def published_warehouse_path() -> Path:
    """The read-only copy of the warehouse that report tools and analysts open (`PUBLISHED_WAREHOUSE_PATH`,
    default data/published/warehouse.duckdb)."""
    return configured_path("PUBLISHED_WAREHOUSE_PATH")


def published_pages_dir() -> Path:
    """The pages the run writes for people: the scorecard report (report/) and the dbt docs (dbt-docs/)
    (`PUBLISHED_PAGES_DIR`, default data/published)."""
    return configured_path("PUBLISHED_PAGES_DIR")


def feedback_dir() -> Path:
    """The partners' issue reports, a folder per source (`FEEDBACK_DIR`, default data/feedback)."""
    return configured_path("FEEDBACK_DIR")


def quarantine_dir() -> Path:
    """Rejected files, copied byte for byte with their issue reports (`QUARANTINE_DIR`, default data/quarantine)."""
    return configured_path("QUARANTINE_DIR")
