"""The official statistics over HTTP, against a real server on 127.0.0.1 in the EES API's shape: downloads,
conditional requests, retries, and every failure serving the last good data."""

from pathlib import Path

import pytest

from dagster_project.lib.comparators import ComparatorsUnavailable, areas, fetch_all, load_config, official_figures
from tests.ees_server import EesStandIn, start

FAST = {"timeout_seconds": 0.5, "retries": 2, "backoff_seconds": 0}


@pytest.fixture
def service():
    stand_in = EesStandIn()
    server = start(stand_in)
    yield stand_in
    server.shutdown()


def config(**overrides) -> dict:
    return {**load_config(), **FAST, **overrides}


def referrals(fetched, la_code: str = "E06000024", year: int = 2023) -> float:
    figures = official_figures(fetched, areas(load_config()))
    chosen = figures[(figures.area_code == la_code) & (figures.time_period == year)]
    return chosen.loc[chosen.measure == "csc_referrals", "value"].item()


def test_data_sets_are_found_by_title_and_downloaded(service, tmp_path):
    fetched = fetch_all(config(), service.url, tmp_path)
    assert {f.status for f in fetched} == {"downloaded"}
    # North Somerset 2022-23 in the census: 1,027 referrals (1,024 in its own quarterly extract).
    assert referrals(fetched) == 1027
    figures = official_figures(fetched, areas(load_config()))
    assert {"E92000001", "E12000009", "E06000066"} <= set(figures.area_code)


def test_an_unchanged_data_set_is_not_downloaded_again(service, tmp_path):
    fetch_all(config(), service.url, tmp_path)
    first = len(service.csv_requests())
    again = fetch_all(config(), service.url, tmp_path)
    assert {f.status for f in again} == {"not_modified"}
    conditional = service.csv_requests()[first:]
    assert conditional and all(headers.get("If-None-Match") for _, headers in conditional)
    assert referrals(again) == 1027


@pytest.mark.parametrize("mode", ["error_500", "timeout", "malformed_json", "bad_csv"])
def test_a_failing_service_leaves_the_last_good_data_serving(service, tmp_path, mode):
    fetch_all(config(), service.url, tmp_path)
    good = (tmp_path / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv").read_text()
    service.mode, service.delay = mode, 2
    fetched = fetch_all(config(), service.url, tmp_path)
    assert {f.status for f in fetched} == {"stale"}
    assert referrals(fetched) == 1027
    assert (tmp_path / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv").read_text() == good


def test_server_errors_are_retried_with_backoff(service, tmp_path):
    service.mode = "error_500"
    fetch_all(config(retries=2), service.url, tmp_path)
    publication_calls = [path for path, _ in service.requests if path.endswith("/v1/publications")]
    assert len(publication_calls) == 3 * len(load_config()["data_sets"])  # the first try and two retries each


def test_an_unreachable_service_is_reported_and_the_snapshot_serves(tmp_path):
    fetched = fetch_all(config(), "http://127.0.0.1:9/statistics", tmp_path)
    assert {f.status for f in fetched} == {"stale"}
    assert all("ConnectionError" in f.detail for f in fetched)


def test_nothing_to_serve_is_a_clear_error(service, tmp_path):
    service.mode = "error_500"
    empty = tmp_path / "no_snapshot"
    empty.mkdir()
    with pytest.raises(ComparatorsUnavailable, match="never downloaded before"):
        fetch_all(config(snapshot=str(empty)), service.url, tmp_path / "cache")


def test_without_a_service_url_the_last_good_download_serves(tmp_path):
    fetched = fetch_all(config(), None, tmp_path)
    assert {f.status for f in fetched} == {"snapshot"} and referrals(fetched) == 1027
    assert sorted(p.name for p in Path(tmp_path).iterdir())  # the cache was seeded from the snapshot
