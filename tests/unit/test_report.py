"""The static scorecard report: its trend charts, and pages rendered from a tiny hand-made published file that
prints only published (disclosure-controlled) figures."""

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib.publishing.report import figure, render_report, signed, trend_description, trend_svg

QUARTERS = [date(2023, 6, 30), date(2023, 9, 30), date(2023, 12, 31), date(2024, 3, 31), date(2024, 6, 30)]
SECRET = 987654  # an unsuppressed value in the marts behind a published c: it must never reach a page


def polyline_points(svg: str) -> list[list[tuple[float, float]]]:
    return [
        [tuple(map(float, pair.split(","))) for pair in match.split()]
        for match in re.findall(r'<polyline class="line" points="([^"]+)"', svg)
    ]


def circles(svg: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r'<circle class="point" cx="([\d.]+)" cy="([\d.]+)"', svg)]


def test_a_trend_is_scaled_to_its_range_higher_values_higher_up():
    svg = str(trend_svg(list(zip(QUARTERS[:3], ["10", "20", "15"], strict=True)), "Referrals"))
    [line] = polyline_points(svg)
    xs, ys = [x for x, _ in line], [y for _, y in line]
    assert xs == sorted(xs) and xs[0] == 4 and xs[-1] == 156
    assert ys[1] == min(ys) and ys[0] == max(ys)  # 20 at the top, 10 at the bottom
    assert ys[0] > ys[2] > ys[1]
    assert all(0 <= y <= 40 for y in ys)


def test_a_suppressed_point_is_a_gap_marked_on_the_baseline_never_plotted():
    svg = str(trend_svg(list(zip(QUARTERS, ["10", "12", "c", "14", "16"], strict=True)), "Missing children"))
    assert [len(run) for run in polyline_points(svg)] == [2, 2]
    assert len(re.findall(r'<rect class="suppressed"', svg)) == 1
    assert "31 December 2023: suppressed (c)" in svg
    assert "1 of 5 suppressed" in svg


def test_a_missing_point_is_a_gap_without_a_mark():
    svg = str(trend_svg(list(zip(QUARTERS[:4], ["10", "x", "z", "11"], strict=True)), "Contacts"))
    assert polyline_points(svg) == []
    assert len(circles(svg)) == 2  # two stretches of one point each
    assert "suppressed" not in svg
    assert "2 of 4 not available" in svg


def test_a_single_point_is_a_dot_in_the_middle():
    svg = str(trend_svg([(QUARTERS[0], "42")], "Return rate", "percent"))
    assert polyline_points(svg) == []
    [(cx, cy)] = circles(svg)
    assert cx == 80 and 0 < cy < 40
    assert "Return rate: 42% at 30 June 2023" in svg


def test_equal_values_draw_a_flat_line_not_a_division_by_zero():
    svg = str(trend_svg(list(zip(QUARTERS[:3], ["7", "7", "7"], strict=True)), "Plans"))
    [line] = polyline_points(svg)
    assert len({y for _, y in line}) == 1


def test_a_chart_with_nothing_published_is_an_empty_axis():
    svg = str(trend_svg(list(zip(QUARTERS[:2], ["c", "c"], strict=True)), "Race hate victims"))
    assert polyline_points(svg) == [] and circles(svg) == []
    assert svg.count('class="suppressed"') == 2


def test_a_chart_is_an_accessible_image_and_escapes_its_label():
    svg = str(trend_svg(list(zip(QUARTERS[:2], ["1000", "1200"], strict=True)), "<Contacts & referrals>"))
    assert svg.startswith('<svg class="trend" role="img" aria-label="&lt;Contacts &amp; referrals&gt;: 1,000 at 30')
    assert "<title>&lt;Contacts &amp; referrals&gt;: 1,000 at 30 June 2023, 1,200 at 30 September 2023</title>" in svg
    assert "<Contacts" not in svg


def test_description_gives_first_and_last_points():
    points = list(zip(QUARTERS, ["5", "c", "x", "7", "9.5"], strict=True))
    assert trend_description(points, "Rate", "percent") == (
        "Rate: 5% at 30 June 2023, 9.5% at 30 June 2024; 1 of 5 suppressed; 1 of 5 not available"
    )


def test_published_text_is_printed_with_separators_signs_and_units():
    assert figure("12345", "count") == "12,345"
    assert figure("27.5", "percent") == "27.5%"
    assert figure("c", "count") == "c"
    assert figure(None, "count") == "x"
    assert signed("-3.5", " pts") == "−3.5 pts"
    assert signed("1200", "") == "+1,200"
    assert signed("0", "%") == "0%"
    assert signed("z", "%") == "z"


# A published file with the few tables and columns the report reads: two authorities and the force area, a
# police count (one authority's latest figure suppressed, secondarily, over an unsuppressed SECRET in the marts),
# an agency KPI with a target, and reconciled published figures.
AREAS = [
    ("E06000022", "Bath and North East Somerset", "local_authority"),
    ("E06000023", "Bristol, City of", "local_authority"),
    ("E23000036", "Avon and Somerset", "police_force_area"),
]
CATALOGUE = [
    (
        "police_cse_crimes",
        "Child sexual exploitation crimes",
        "police_scorecard",
        "count",
        "Flagged as CSE.",
        None,
        None,
    ),
    ("kpi_prevent_wrap_training", "Prevent training", "agency_kpis", "percent", "Staff trained.", 85.0, "at_least"),
]
CAVEAT = "The Constabulary changed how the CSE flag is attached."


def police_rows() -> list[tuple]:
    """(la_code, period_end, published value, previous, change, pct_change, marts value, caveats)."""
    rows = []
    for i, period in enumerate(QUARTERS):
        banes = "c" if period == QUARTERS[-1] else str(40 + i)
        rows.append(("E06000022", period, banes, "x", "x", "x", SECRET if banes == "c" else 40 + i, None))
        caveat = CAVEAT if i < 2 else None
        rows.append(("E06000023", period, str(300 + i), "x", "x", "x", 300 + i, caveat))
        rows.append(("E23000036", period, str(1500 + i), "x", "x", "x", 1500 + i, None))
    return rows


def make_published(path: Path) -> Path:
    with duckdb.connect(str(path)) as db:
        for schema in ("reference", "marts", "publication"):
            db.execute(f"create schema {schema}")
        db.execute("create table reference.authorities (la_code text, la_name text, area_type text)")
        db.executemany("insert into reference.authorities values (?, ?, ?)", AREAS)
        db.execute(
            """create table reference.metric_catalogue (metric_code text, metric_label text, source text, unit text,
               definition text, target_value double, target_direction text)"""
        )
        db.executemany("insert into reference.metric_catalogue values (?, ?, ?, ?, ?, ?, ?)", CATALOGUE)
        db.execute(
            """create table publication.partnership_scorecard (la_code text, metric_code text, period_end date,
               unit text, value text, previous_value text, change text, pct_change text)"""
        )
        db.execute(
            """create table marts.partnership_scorecard (la_code text, la_name text, metric_code text,
               metric_label text, source text, unit text, period_end date, value double, previous_value double,
               change double, direction text, comparison_note text, target_value double, target_direction text,
               rag text, region_value double, england_value double, official_value double,
               comparators_are_stale boolean, is_restated boolean, caveats text)"""
        )
        for la, period, value, previous, change, pct, secret, caveat in police_rows():
            db.execute(
                "insert into publication.partnership_scorecard values (?, 'police_cse_crimes', ?, 'count', ?, ?, ?, ?)",
                [la, period, value, previous, change, pct],
            )
            db.execute(
                """insert into marts.partnership_scorecard values (?, '', 'police_cse_crimes',
                   'Child sexual exploitation crimes', 'police_scorecard', 'count', ?, ?, null, null, 'worse', null,
                   null, null, null, null, null, null, false, ?, ?)""",
                [la, period, secret, la == "E06000023", caveat],
            )
        kpis = [
            (date(2023, 3, 31), "80", "x", "x", "x", "Amber"),
            (date(2024, 3, 31), "91.5", "80", "11.5", "14.4", "Green"),
        ]
        for period, value, previous, change, pct, rag in kpis:
            db.execute(
                """insert into publication.partnership_scorecard
                   values ('E06000022', 'kpi_prevent_wrap_training', ?, 'percent', ?, ?, ?, ?)""",
                [period, value, previous, change, pct],
            )
            db.execute(
                """insert into marts.partnership_scorecard values ('E06000022', '', 'kpi_prevent_wrap_training',
                   'Prevent training', 'agency_kpis', 'percent', ?, ?, null, null, 'better', null, 85, 'at_least',
                   ?, 60.25, 70.0, null, true, false, null)""",
                [period, float(value), rag],
            )
        db.execute(
            """create table marts.published_figure_fidelity (seed_file text, la_code text, source text,
               period_start date, period_end date, measure text, unit text, published_value double,
               metric_code text, warehouse_value double, warehouse_value_rounded double, status text,
               warehouse_source_file text, latest_value double, is_restated boolean, latest_source_file text,
               note text)"""
        )
        fidelity = [
            ("Contacts received", "count", 9293, "csc_contacts", 9301.0, "differs", 9310.0, True, "a note <b>"),
            ("Children arrested", "count", 3, "police_children_brought_into_custody", 3.0, "matches", 2.0, True, None),
            ("CSE crimes", "count", 44, "police_cse_crimes", 44.0, "matches", 654321.0, True, None),
            ("Population", "count", 42848, None, None, "not held", None, False, None),
        ]
        for measure, unit, published, metric, then, status, now, restated, note in fidelity:
            period_end = QUARTERS[-1] if metric == "police_cse_crimes" else date(2023, 3, 31)
            db.execute(
                """insert into marts.published_figure_fidelity values ('000_report.txt', 'E06000022', 'police',
                   '2022-04-01', ?, ?, ?, ?, ?, ?, round(?), ?, null, ?, ?, null, ?)""",
                [period_end, measure, unit, published, metric, then, then, status, now, restated, note],
            )
    return path


@pytest.fixture
def report(tmp_path: Path) -> dict[str, str]:
    written = render_report(make_published(tmp_path / "published.duckdb"), tmp_path / "out" / "report")
    return {path.name: path.read_text(encoding="utf-8") for path in written}


def test_writes_an_index_and_a_page_per_area_and_nothing_else(report, tmp_path):
    assert sorted(report) == ["E06000022.html", "E06000023.html", "E23000036.html", "index.html"]
    assert sorted(p.name for p in (tmp_path / "out" / "report").iterdir()) == sorted(report)  # no temp files left
    assert '<a href="E06000023.html">Bristol, City of</a>' in report["index.html"]


def test_pages_stand_alone_with_no_script_and_nothing_to_fetch(report):
    for html in report.values():
        assert "<script" not in html.lower()
        assert "default-src 'none'; style-src 'unsafe-inline'; img-src data:" in html
        assert not re.search(r'(src|href)="(https?:)?//', html)
        assert "<style>" in html and "@page" in html


def test_a_suppressed_figure_never_appears_only_its_c(report):
    page = report["E06000022.html"]
    assert str(SECRET) not in page and f"{SECRET:,}" not in page
    latest = re.search(r"Child sexual exploitation crimes.*?</tr>", page, re.S).group(0)
    assert '<span class="value">c</span>' in latest
    assert 'class="suppressed"' in latest
    assert "worse" not in latest  # no better/worse beside a hidden change


def test_the_force_area_comparator_is_its_published_figure(report):
    row = re.search(r"Child sexual exploitation crimes.*?</tr>", report["E06000023.html"], re.S).group(0)
    assert "<dt>Force area</dt><dd>1,504</dd>" in row
    assert '<span class="value">304</span>' in row


def test_rag_is_shown_as_text_with_the_target_and_comparators(report):
    page = report["E06000022.html"]
    row = re.search(r"Prevent training.*?</tr>", page, re.S).group(0)
    assert '<span class="tag rag-green">Green</span>' in row
    assert "≥ 85%" in row and '<span class="value">91.5%</span>' in row
    assert "+11.5 pts" in row and "+14.4%" in row and ">better<" in row
    assert "<dt>South West (last good download)</dt><dd>60.3%</dd>" in row  # rounded half up
    assert "Amber" not in row  # the earlier period's rating is not the latest
    assert "1 Green" in report["index.html"] and "0 Red" in report["index.html"]


def test_sources_have_readable_headings_and_caveats_are_listed_with_markers(report):
    page = report["E06000023.html"]
    assert ">Police</h2>" in page
    assert f"<li>{CAVEAT}</li>" in page
    assert '<sup class="note">[1]</sup>' in page
    assert 'title="A later extract changed this figure">restated' in page
    assert ">Agency KPIs</h2>" in report["E06000022.html"]


def test_reconciliation_shows_published_figures_with_warehouse_counts_protected(report):
    section = report["E06000022.html"].split('id="reconciliation"')[1]
    contacts = re.search(r"Contacts received.*?</tr>", section, re.S).group(0)
    assert all(text in contacts for text in ("9,293", "9,301", "9,310", "differs", "a note &lt;b&gt;"))
    arrested = re.search(r"Children arrested.*?</tr>", section, re.S).group(0)
    assert re.findall(r'<td class="num">([^<]*)', arrested) == ["3", "c", "c"]  # the report's own 3 is public
    cse = re.search(r"CSE crimes.*?</tr>", section, re.S).group(0)
    assert "654321" not in cse and "654,321" not in cse  # the scorecard suppresses this cell
    held = re.search(r"Population.*?</tr>", section, re.S).group(0)
    assert "42,848" in held and "not held" in held
    assert "published no figures" in report["E23000036.html"]


def test_links_between_pages_are_relative(report):
    hrefs = set(re.findall(r'href="([^"]+)"', "".join(report.values())))
    assert hrefs == {"index.html", "E06000022.html", "E06000023.html", "E23000036.html"}


def test_rendering_again_replaces_the_pages(tmp_path):
    published = make_published(tmp_path / "published.duckdb")
    first = render_report(published, tmp_path / "out")
    second = render_report(published, tmp_path / "out")
    assert first == second and len(list((tmp_path / "out").iterdir())) == 4
