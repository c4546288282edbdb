"""The audit sample generator (section 175 survey exports, agency KPI returns, the settings register): its files are
the shipped ones; read back in pandas, independently of the pipeline, they give Bath and North East Somerset's
published figures and keep the register's and contracts' rules; each injection breaks only what it names."""

import csv
import io
import itertools
import math
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from dagster_project.lib.settings import DBT_PROJECT_DIR, SAMPLE_EXTRACTS_DIR, SOURCES_DIR
from tools.samples import audits

pytestmark = pytest.mark.e2e

BANES = "E06000022"
SHARED_SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec"
SEED = DBT_PROJECT_DIR / "seeds" / "s175_settings.csv"
S175_DIR, KPI_DIR = SAMPLE_EXTRACTS_DIR / "s175", SAMPLE_EXTRACTS_DIR / "agency_kpis"
S175_FILE = re.compile(r"s175_(E\d{8})_(\d{4})-(\d{2})\.csv")
PREDECESSOR = {"E10000027": "E06000066"}
SURVEY_COLUMNS = ["Respondent ID", "IP Address", "Start time", "Collector"]
RETURN_COLUMNS = ["urn", "setting_name", "setting_type", "academic_year", "submitted_date"]
RATINGS = {"Red", "Amber", "Green", "N/A", ""}


def _read(path_or_bytes: Path | bytes) -> pd.DataFrame:
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


@pytest.fixture(scope="module")
def seed() -> pd.DataFrame:
    return _read(SEED)


def _expected(seed: pd.DataFrame, la: str, year: int) -> set[str]:
    """The URNs open on 1 September of the academic year starting in `year`."""
    first = f"{year}-09-01"
    open_then = (seed["open_date"] <= first) & ((seed["close_date"] == "") | (seed["close_date"] > first))
    return set(seed.loc[(seed["la_code"] == la) & open_then, "urn"])


def _s175_files() -> list[tuple[Path, str, date]]:
    """Each shipped export with its authority (current code) and period end."""
    files = []
    for path in sorted(S175_DIR.iterdir()):
        code, year, month = S175_FILE.fullmatch(path.name).groups()
        period_end = next(p for p in audits.S175_PERIODS if (p.year, p.month) == (int(year), int(month)))
        files.append((path, PREDECESSOR.get(code, code), period_end))
    return files


# ---------------------------------------------------------------------------------------------------------
# (1) The shipped files are the generator's
# ---------------------------------------------------------------------------------------------------------


def test_file_names_follow_somerset_reorganisation():
    assert audits.s175_file_name(BANES, date(2022, 6, 30)) == "s175_E06000022_2022-06.csv"
    assert audits.s175_file_name("E06000066", date(2023, 3, 31)) == "s175_E10000027_2023-03.csv"
    assert audits.s175_file_name("E06000066", date(2023, 6, 30)) == "s175_E06000066_2023-06.csv"
    assert audits.kpi_file_name("E06000066", date(2023, 3, 31)) == "agency_kpis_E10000027_2023-03.csv"
    assert audits.kpi_file_name("E06000066", date(2024, 3, 31)) == "agency_kpis_E06000066_2024-03.csv"


def test_the_shipped_files_are_what_the_generator_writes(tmp_path):
    written = audits.write_samples(tmp_path)
    assert len(written) == 45 + 15
    for folder in ("s175", "agency_kpis"):
        shipped = sorted(p.name for p in (SAMPLE_EXTRACTS_DIR / folder).iterdir())
        assert sorted(p.name for p in written if p.parent.name == folder) == shipped
    for path in written:
        assert path.read_bytes() == (SAMPLE_EXTRACTS_DIR / path.parent.name / path.name).read_bytes(), path.name
    seed = audits.write_settings_register(tmp_path / "s175_settings.csv")
    assert seed.read_bytes() == SEED.read_bytes()


# ---------------------------------------------------------------------------------------------------------
# (2) Read back in pandas
# ---------------------------------------------------------------------------------------------------------


def test_the_register_is_well_formed(seed):
    assert list(seed.columns) == ["la_code", "urn", "setting_name", "setting_type", "open_date", "close_date"]
    assert seed["urn"].str.fullmatch(r"\d{6}").all() and seed["urn"].is_unique
    assert set(seed["setting_type"]) <= set(
        yaml.safe_load((SOURCES_DIR / "s175.yaml").read_text())["codes"]["setting_type"]
    )
    assert set(seed["la_code"]) == set(audits.AUTHORITIES)
    sizes = {la: len(_expected(seed, la, 2021)) for la in audits.AUTHORITIES}
    assert sizes[BANES] == 83
    assert all(80 <= n <= 300 for n in sizes.values())
    closed = seed[seed["close_date"] != ""]
    assert (closed["close_date"] > closed["open_date"]).all()
    # An academy conversion: a maintained URN closes and an academy of the same name opens the next day.
    next_day = pd.to_datetime(closed["close_date"]) + pd.Timedelta(days=1)
    successors = closed.assign(open_date=next_day.dt.strftime("%Y-%m-%d")).merge(
        seed, on=["la_code", "setting_name", "open_date"], suffixes=("_old", "_new")
    )
    assert ((successors["setting_type_old"] == "MAINTAINED") & (successors["setting_type_new"] == "ACADEMY")).any()
    assert (seed["open_date"] > "2021-09-01").any()


def test_banes_2021_22_latest_snapshot_has_83_expected_and_77_returned(seed):
    export = _read(S175_DIR / "s175_E06000022_2022-06.csv")
    assert set(export["urn"]) == _expected(seed, BANES, 2021) and len(export) == 83
    assert (export["submitted_date"] != "").sum() == 77
    assert round(100 * 77 / 83, 1) == 92.8


def test_every_export_lists_the_expected_settings_with_valid_returns(seed):
    for path, la, period_end in _s175_files():
        export = _read(path)
        year = period_end.year - (period_end.month < 9)
        assert list(export.columns[:9]) == SURVEY_COLUMNS + RETURN_COLUMNS, path.name
        assert set(export["urn"]) <= set(seed.loc[seed["la_code"] == la, "urn"]), path.name
        assert set(export["urn"]) == _expected(seed, la, year) and export["urn"].is_unique, path.name
        assert (export["academic_year"] == f"{year}-{(year + 1) % 100:02d}").all(), path.name
        returned = export[export["submitted_date"] != ""]
        assert returned["submitted_date"].between(f"{year}-09-01", period_end.isoformat()).all(), path.name
        items = export.columns[9:]
        assert set(export[items].stack()) <= RATINGS, path.name
        waiting = export[export["submitted_date"] == ""]
        assert (waiting[[*SURVEY_COLUMNS, *items]] == "").all().all(), path.name
        ips = returned["IP Address"].str.extract(r"^(\d+\.\d+\.\d+)\.\d+$")[0]
        assert ips.isin(["192.0.2", "198.51.100", "203.0.113"]).all(), path.name
        share = len(returned) / len(export)
        assert {12: 0.35 <= share <= 0.45, 3: 0.75 <= share <= 0.85, 6: 0.90 <= share <= 1}[period_end.month], path.name


def test_returns_accumulate_unchanged_within_a_year():
    for la in audits.AUTHORITIES:
        for year in audits.ACADEMIC_YEARS:
            snapshots = [_read(audits.build_s175(la, p)) for p in audits.S175_PERIODS if p.year - (p.month < 9) == year]
            for earlier, later in itertools.pairwise(snapshots):
                kept = earlier[earlier["submitted_date"] != ""].set_index("urn")
                assert kept.equals(later.set_index("urn").loc[kept.index]), (la, year)


def test_item_headers_are_fixed_per_authority_and_differ_between_authorities():
    headers: dict[str, set[tuple[str, ...]]] = {}
    for path, la, _ in _s175_files():
        items = tuple(_rows(path.read_bytes())[0][9:])
        assert all(re.fullmatch(r"\d+\.\d+", item) for item in items), path.name
        headers.setdefault(la, set()).add(items)
    assert all(len(layouts) == 1 for layouts in headers.values())
    assert len({layouts.pop() for layouts in headers.values()}) > 1


def test_ratings_are_mostly_green_and_some_ambers_and_reds_stay_open():
    previous = {}
    kept = carried = 0
    counts: dict[str, int] = {}
    for year in audits.ACADEMIC_YEARS:
        june = date(year + 1, 6, 30)
        for la in audits.AUTHORITIES:
            export = _read(audits.build_s175(la, june))
            returned = export[export["submitted_date"] != ""].set_index("urn")[export.columns[9:]]
            for rating, n in returned.stack().value_counts().items():
                counts[rating] = counts.get(rating, 0) + int(n)
            if la in previous:
                both = previous[la].index.intersection(returned.index)
                before, now = previous[la].loc[both], returned.loc[both]
                open_before = before.isin(["Amber", "Red"])
                carried += int(open_before.sum().sum())
                kept += int(((before == now) & open_before).sum().sum())
            previous[la] = returned
    total = sum(counts.values())
    assert 0.82 <= counts["Green"] / total <= 0.88
    assert 0.07 <= counts["Amber"] / total <= 0.11 and 0.01 <= counts["Red"] / total <= 0.03
    assert 0.25 <= kept / carried <= 0.45


def test_banes_2021_22_kpis_reproduce_the_published_outcomes():
    targets_file = SHARED_SPEC / "published_kpi_targets.csv"
    if not targets_file.exists():
        pytest.skip("../shared/spec is absent")
    targets = pd.read_csv(targets_file)
    returns = pd.read_csv(KPI_DIR / "agency_kpis_E06000022_2022-03.csv")
    returns["percent"] = 100 * returns["staff_compliant"] / returns["staff_in_scope"]
    by_indicator = returns.groupby("indicator")
    unweighted = by_indicator["percent"].mean()
    weighted = 100 * by_indicator["staff_compliant"].sum() / by_indicator["staff_in_scope"].sum()
    assert set(unweighted.index) == set(targets["indicator"])
    for row in targets.itertuples():
        assert math.floor(unweighted[row.indicator] + 0.5) == row.outcome_pct, row.indicator
    dbs = returns[returns["indicator"].str.startswith("Relevant staff have an up-to-date DBS check")]
    assert (dbs["staff_compliant"] == dbs["staff_in_scope"]).all()
    assert ((weighted - unweighted).abs() >= 2).sum() >= 3


def test_every_kpi_file_keeps_the_contract():
    indicators = list(yaml.safe_load((SOURCES_DIR / "agency_kpis.yaml").read_text())["indicators"])
    for path in sorted(KPI_DIR.iterdir()):
        returns = pd.read_csv(path, keep_default_na=False)
        assert list(returns.columns) == ["agency", "indicator", "staff_in_scope", "staff_compliant"], path.name
        assert set(returns["indicator"]) == set(indicators), path.name
        assert not returns.duplicated(["agency", "indicator"]).any(), path.name
        assert 6 <= returns["agency"].nunique() <= 10, path.name
        assert (returns.groupby("indicator").size() >= 3).all(), path.name
        assert returns["staff_in_scope"].between(5, 3000).all(), path.name
        assert (returns["staff_compliant"] <= returns["staff_in_scope"]).all(), path.name
        assert (returns["staff_compliant"] >= 0.7 * returns["staff_in_scope"]).all(), path.name
        for tag, other_side in (("(ADULT)", "Children's Services"), ("(CHILDREN)", "Adult Social Care")):
            tagged = returns[returns["indicator"].str.startswith(tag)]
            assert (tagged.groupby("agency").size() == sum(t.startswith(tag) for t in indicators)).all(), path.name
            assert not tagged["agency"].str.endswith(other_side).any(), path.name


# ---------------------------------------------------------------------------------------------------------
# (3) Each injection breaks only what it names
# ---------------------------------------------------------------------------------------------------------


def _changed_cells(clean: list[list[str]], broken: list[list[str]]) -> list[tuple[int, int, str]]:
    assert len(clean) == len(broken) and all(len(a) == len(b) for a, b in zip(clean, broken, strict=True))
    return [
        (i, j, b)
        for i, (ra, rb) in enumerate(zip(clean, broken, strict=True))
        for j, (a, b) in enumerate(zip(ra, rb, strict=True))
        if a != b
    ]


def _without_column(rows: list[list[str]], j: int) -> list[list[str]]:
    return [r[:j] + r[j + 1 :] for r in rows]


def _without_one_repeat(rows: list[list[str]]) -> list[list[str]]:
    repeats = [i for i in range(1, len(rows)) if rows[i] == rows[i - 1]]
    assert len(repeats) == 1
    return rows[: repeats[0]] + rows[repeats[0] + 1 :]


@pytest.mark.parametrize("injection", sorted(audits.S175_INJECTIONS))
def test_each_s175_injection_changes_only_what_it_names(tmp_path, injection, seed):
    june = date(2022, 6, 30)
    clean = _rows(audits.build_s175(BANES, june))
    path = audits.write_s175(BANES, june, tmp_path, inject=injection)
    assert path.name == "s175_E06000022_2022-06.csv"
    broken = _rows(path.read_bytes())
    header = clean[0]
    if injection == "extra_survey_column":
        assert broken[0][4] == "Email Address" and _without_column(broken, 4) == clean
        assert {row[4] for row in broken[1:]} - {""} and all(
            e.endswith("@example.org") for e in {r[4] for r in broken[1:]} - {""}
        )
    elif injection == "missing_column":
        assert "setting_type" not in broken[0] and _without_column(clean, header.index("setting_type")) == broken
    elif injection == "duplicate_urn":
        assert len(broken) == len(clean) + 1 and _without_one_repeat(broken) == clean
    else:
        ((i, j, value),) = _changed_cells(clean, broken)
        assert clean[i][header.index("submitted_date")], "a returned row"
        column = header[j]
        if injection == "unknown_urn":
            assert column == "urn" and re.fullmatch(r"\d{6}", value) and value not in set(seed["urn"])
        elif injection == "bad_rating":
            assert re.fullmatch(r"\d+\.\d+", column) and value == "Yellow"
        else:
            assert (injection, column, value) == ("wrong_academic_year", "academic_year", "2020-21")


@pytest.mark.parametrize("injection", sorted(audits.KPI_INJECTIONS))
def test_each_kpi_injection_changes_only_what_it_names(tmp_path, injection):
    march = date(2022, 3, 31)
    clean = _rows(audits.build_kpis(BANES, march))
    path = audits.write_kpis(BANES, march, tmp_path, inject=injection)
    assert path.name == "agency_kpis_E06000022_2022-03.csv"
    broken = _rows(path.read_bytes())
    if injection == "duplicate_row":
        assert len(broken) == len(clean) + 1 and _without_one_repeat(broken) == clean
        return
    ((i, j, value),) = _changed_cells(clean, broken)
    if injection == "unknown_indicator":
        assert j == 1 and value == "Relevant staff have undertaken Prevent awareness training."
    elif injection == "compliant_exceeds_scope":
        assert j == 3 and int(value) > int(broken[i][2])
    else:
        assert (injection, j, value) == ("negative_count", 3, "-3")


def test_unknown_requests_are_refused():
    with pytest.raises(ValueError):
        audits.build_s175(BANES, date(2022, 9, 30))
    with pytest.raises(ValueError):
        audits.build_kpis("E06000099", date(2022, 3, 31))
    with pytest.raises(ValueError):
        audits.build_kpis(BANES, date(2022, 3, 31), inject="no_such_injection")
