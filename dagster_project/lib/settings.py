"""Where things live. Every path can be overridden from the environment."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCES_DIR = REPO_ROOT / "sources"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
SAMPLE_EXTRACTS_DIR = REPO_ROOT / "sample_extracts"


def _path_from_env(variable: str, default: Path) -> Path:
    """A path from the environment (relative to the working directory) or the repo default."""
    value = os.environ.get(variable)
    return Path(value).expanduser().resolve() if value else default


def landing_dir() -> Path:
    """Root of the landing area: one folder per source (`LANDING_DIR`, default data/landing)."""
    return _path_from_env("LANDING_DIR", REPO_ROOT / "data" / "landing")


def warehouse_path() -> Path:
    """The DuckDB warehouse file (`WAREHOUSE_PATH`, default data/warehouse.duckdb)."""
    return _path_from_env("WAREHOUSE_PATH", REPO_ROOT / "data" / "warehouse.duckdb")


def official_statistics_cache() -> Path:
    """Last good downloads of the official statistics (`OFFICIAL_STATISTICS_CACHE`, default data/cache/)."""
    return _path_from_env("OFFICIAL_STATISTICS_CACHE", REPO_ROOT / "data" / "cache" / "dfe_statistics")


def published_warehouse_path() -> Path:
    """The read-only copy of the warehouse that report tools and analysts open (`PUBLISHED_WAREHOUSE_PATH`,
    default data/published/warehouse.duckdb)."""
    return _path_from_env("PUBLISHED_WAREHOUSE_PATH", REPO_ROOT / "data" / "published" / "warehouse.duckdb")


def published_pages_dir() -> Path:
    """The pages the run writes for people: the scorecard report (report/) and the dbt docs (dbt-docs/)
    (`PUBLISHED_PAGES_DIR`, default data/published)."""
    return _path_from_env("PUBLISHED_PAGES_DIR", REPO_ROOT / "data" / "published")


def feedback_dir() -> Path:
    """The partners' issue reports, a folder per source (`FEEDBACK_DIR`, default data/feedback)."""
    return _path_from_env("FEEDBACK_DIR", REPO_ROOT / "data" / "feedback")


def quarantine_dir() -> Path:
    """Rejected files, copied byte for byte with their issue reports (`QUARANTINE_DIR`, default data/quarantine)."""
    return _path_from_env("QUARANTINE_DIR", REPO_ROOT / "data" / "quarantine")
