"""Official statistics over HTTP: the DfE's Explore Education Statistics (EES) API, for the scorecard's
England and South West comparators and each authority's official annual figures (sources/http/).

A nightly run must neither hammer the service nor fail because of it: requests retry with backoff on
connection errors and 5xx, time out, and download conditionally (ETag / Last-Modified), so an unchanged data
set is not fetched again. Every good download is kept in a cache folder; when the service is unreachable or
answers nonsense, the last good download serves and the run says so (`stale`). Only a data set never
downloaded and not shipped in the snapshot is an error.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import requests
import yaml
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from dagster_project.lib.registry import load_registry
from dagster_project.lib.settings import REPO_ROOT, SOURCES_DIR

CONFIG_PATH = SOURCES_DIR / "http" / "dfe_statistics.yaml"
LEVELS = {"National": "country_code", "Regional": "region_code", "Local authority": "new_la_code"}


class ComparatorsUnavailable(RuntimeError):
    """A data set could not be downloaded and there is no earlier download to serve instead."""


@dataclass(frozen=True)
class DataSet:
    file: str
    publication: str
    title: str
    values: Mapping[str, str] = field(default_factory=dict)
    rows: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)


@dataclass
class Fetched:
    """One data set's CSV and how it was obtained: downloaded, not_modified, stale or snapshot."""

    data_set: DataSet
    csv: str
    status: str
    detail: str = ""

    @cached_property
    def figures(self) -> pd.DataFrame:
        """The CSV read once (parse_csv), whether to vet a download or to load it."""
        return parse_csv(self.data_set, self.csv)


@cache
def load_config(path: Path = CONFIG_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def areas(config: Mapping[str, Any]) -> list[str]:
    """The areas whose official figures are kept: the comparators, and every authority of the registry."""
    return [*config["comparator_areas"], *sorted(load_registry().known_authority_codes())]


def data_sets(config: Mapping[str, Any]) -> list[DataSet]:
    return [DataSet(**spec) for spec in config["data_sets"]]


class EesClient:
    """The EES public API (base URL e.g. https://api.education.gov.uk/statistics), with a cache of downloads."""

    def __init__(self, base_url: str, cache_dir: Path, timeout: float = 20, retries: int = 3, backoff: float = 0.5):
        self.base_url, self.cache_dir, self.timeout = base_url.rstrip("/"), cache_dir, timeout
        self.session = requests.Session()
        retry = Retry(
            total=retries,
            backoff_factor=backoff,
            status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=("GET",),
            raise_on_status=False,
        )
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))

    def get_json(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.session.get(f"{self.base_url}{path}", params=params, timeout=self.timeout)
        response.raise_for_status()
        try:
            return response.json()
        except (json.JSONDecodeError, requests.JSONDecodeError) as exc:
            raise ValueError(f"GET {path}: the answer is not JSON ({exc})") from exc

    def data_set_id(self, data_set: DataSet) -> str:
        publications = self.get_json("/v1/publications", search=data_set.publication, pageSize=40)["results"]
        publication = _one(publications, data_set.publication, "publication")
        listed = self.get_json(f"/v1/publications/{publication['id']}/data-sets", pageSize=40)["results"]
        return _one(listed, data_set.title, f"data set of {data_set.publication!r}")["id"]

    def fetch(self, data_set: DataSet) -> Fetched:
        """The data set's CSV: downloaded if changed since the cached copy, else the cached copy."""
        cached, validators = self.cache_dir / f"{data_set.file}.csv", self.cache_dir / f"{data_set.file}.json"
        headers = {}
        if cached.is_file() and validators.is_file():
            known = json.loads(validators.read_text(encoding="utf-8"))
            headers = {
                k: v
                for k, v in (("If-None-Match", known.get("etag")), ("If-Modified-Since", known.get("last_modified")))
                if v
            }
        url = f"{self.base_url}/v1/data-sets/{self.data_set_id(data_set)}/csv"
        response = self.session.get(url, headers=headers, timeout=self.timeout)
        if response.status_code == 304 and cached.is_file():
            return Fetched(data_set, cached.read_text(encoding="utf-8"), "not_modified")
        response.raise_for_status()
        fetched = Fetched(data_set, response.content.decode("utf-8-sig"), "downloaded")
        fetched.figures  # noqa: B018 (read now: a malformed download raises before it replaces the last good one)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        cached.write_text(fetched.csv, encoding="utf-8")
        validators.write_text(
            json.dumps({"etag": response.headers.get("ETag"), "last_modified": response.headers.get("Last-Modified")}),
            encoding="utf-8",
        )
        return fetched


def _one(results: list[dict[str, Any]], title: str, what: str) -> dict[str, Any]:
    matches = [r for r in results if str(r.get("title", "")).strip().casefold() == title.casefold()]
    if len(matches) != 1:
        found = sorted(str(r.get("title")) for r in results)
        raise ValueError(f"no single {what} titled {title!r} (the service lists {found})")
    return matches[0]


def fetch_all(config: Mapping[str, Any], base_url: str | None, cache_dir: Path) -> list[Fetched]:
    """Every configured data set: downloaded (or not modified), else the last good download, else the snapshot."""
    seed_cache(config, cache_dir)
    client = None
    if base_url:
        client = EesClient(base_url, cache_dir, config["timeout_seconds"], config["retries"], config["backoff_seconds"])
    fetched = []
    for data_set in data_sets(config):
        if client is None:
            fetched.append(
                _cached(data_set, cache_dir, "snapshot", "EES_API_URL is not set: the last good download serves")
            )
            continue
        try:
            fetched.append(client.fetch(data_set))
        except (requests.RequestException, ValueError, KeyError) as exc:
            fetched.append(_cached(data_set, cache_dir, "stale", f"{type(exc).__name__}: {exc}"))
    return fetched


def seed_cache(config: Mapping[str, Any], cache_dir: Path) -> None:
    """A new cache starts from the snapshot shipped in the repository (the last good download known)."""
    snapshot = REPO_ROOT / config["snapshot"]
    cache_dir.mkdir(parents=True, exist_ok=True)
    for data_set in data_sets(config):
        target = cache_dir / f"{data_set.file}.csv"
        if not target.exists() and (snapshot / target.name).is_file():
            shutil.copyfile(snapshot / target.name, target)


def _cached(data_set: DataSet, cache_dir: Path, status: str, detail: str) -> Fetched:
    cached = cache_dir / f"{data_set.file}.csv"
    if not cached.is_file():
        raise ComparatorsUnavailable(
            f"{data_set.title!r}: cannot be downloaded ({detail}) and was never downloaded before"
        )
    return Fetched(data_set, cached.read_text(encoding="utf-8"), status, detail)


def parse_csv(data_set: DataSet, text: str) -> pd.DataFrame:
    """The data set's figures as rows: area_code, geographic_level, time_period, measure, value."""
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    missing = {"time_period", "geographic_level", *LEVELS.values()} - set(frame.columns)
    if missing:
        raise ValueError(f"{data_set.file}: not in the EES tidy shape (no column {sorted(missing)})")
    parts = [_measures(frame, data_set.values)]
    for column, groups in data_set.rows.items():
        parts += [_measures(frame[frame[column] == label], values) for label, values in groups.items()]
    return pd.concat(parts, ignore_index=True)


def _measures(frame: pd.DataFrame, values: Mapping[str, str]) -> pd.DataFrame:
    known = frame[frame["geographic_level"].isin(LEVELS)]
    area = known.apply(lambda row: row[LEVELS[row["geographic_level"]]], axis=1) if len(known) else pd.Series(dtype=str)
    rows = [
        pd.DataFrame(
            {
                "area_code": area.values,
                "geographic_level": known["geographic_level"].values,
                "time_period": pd.to_numeric(known["time_period"], errors="coerce").astype("Int64").values,
                "measure": measure,
                # Suppressed or missing cells (c, x, z, low, ...) are not values.
                "value": pd.to_numeric(known[column], errors="coerce").values,
            }
        )
        for column, measure in values.items()
    ]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def official_figures(fetched: list[Fetched], areas: list[str]) -> pd.DataFrame:
    """All data sets' figures for the configured areas, with how each data set was obtained."""
    frames = []
    for item in fetched:
        frame = item.figures.assign(data_set=item.data_set.title, fetch_status=item.status)
        frames.append(frame[frame["area_code"].isin(areas) & frame["value"].notna()])
    return pd.concat(frames, ignore_index=True)
