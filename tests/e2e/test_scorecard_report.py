"""The static scorecard report of the sample warehouse: an index and a page per area carrying the published
figures, and, in a real headless Chromium, a page that fetches nothing from anywhere, draws its trend charts,
and prints to A4."""

import re
from pathlib import Path

import pytest
from markupsafe import escape

from dagster_project.lib.publishing.readers_copy import connect_published
from dagster_project.lib.publishing.report import figure, render_report

pytestmark = pytest.mark.e2e

AREAS = {
    "E06000022": "Bath and North East Somerset",
    "E06000023": "Bristol, City of",
    "E06000024": "North Somerset",
    "E06000025": "South Gloucestershire",
    "E06000066": "Somerset",
    "E23000036": "Avon and Somerset",
}
HEADINGS = ["Police", "Children&#39;s social care", "Adult social care", "Schools (section 175 audit)", "Agency KPIs"]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def report(sample_warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    render_report(sample_warehouse.published, out)
    return out


def published(sample_warehouse, sql: str, *params: object) -> list[tuple]:
    with connect_published(sample_warehouse.published) as connection:
        return connection.execute(sql, list(params)).fetchall()


def metric_row(html: str, label: str) -> str:
    """The table row of the metric with this label on an area page."""
    return re.search(rf'<span class="label">{re.escape(escape(label))}</span>.*?</tr>', html, re.S).group(0)


def test_an_index_and_a_page_per_area_with_their_headings(report):
    assert sorted(p.name for p in report.iterdir()) == sorted(["index.html", *(f"{code}.html" for code in AREAS)])
    index = (report / "index.html").read_text(encoding="utf-8")
    for code, name in AREAS.items():
        assert f'<a href="{code}.html">{name}</a>' in index
        html = (report / f"{code}.html").read_text(encoding="utf-8")
        assert f'<h1><span class="area">{name}</span>Partnership scorecard</h1>' in html
        assert "How to read this" in html and "Published figures reconciled" in html
        assert "<script" not in html.lower()
    authority = (report / "E06000022.html").read_text(encoding="utf-8")
    assert [h for h in HEADINGS if f">{h}</h2>" in authority] == HEADINGS
    assert ">Police</h2>" in (report / "E23000036.html").read_text(encoding="utf-8")


def test_a_figure_on_a_page_is_the_published_one(sample_warehouse, report):
    ((period_end, value, previous),) = published(
        sample_warehouse,
        """select period_end, value, previous_value from publication.partnership_scorecard
           where la_code = 'E06000023' and metric_code = 'csc_contacts' order by period_end desc limit 1""",
    )
    row = metric_row((report / "E06000023.html").read_text(encoding="utf-8"), "Contacts received")
    assert f'<span class="value">{figure(value, "count")}</span>' in row
    assert f'<td class="num">{figure(previous, "count")}</td>' in row
    assert f"{period_end.day} {period_end:%B %Y}" in row  # the chart's description ends at the latest period


def test_every_suppressed_latest_figure_is_printed_as_c(sample_warehouse, report):
    suppressed = published(
        sample_warehouse,
        """select la_code, metric_label
           from (select *, max(period_end) over (partition by la_code, metric_code) as latest
                 from publication.partnership_scorecard)
           inner join reference.metric_catalogue using (metric_code)
           where value = 'c' and period_end = latest""",
    )
    assert suppressed, "the sample warehouse should publish some suppressed figures"
    for la_code, label in suppressed:
        row = metric_row((report / f"{la_code}.html").read_text(encoding="utf-8"), label)
        assert '<span class="value">c</span>' in row and "rag-" not in row, (la_code, label)


def test_the_reconciliation_lists_the_areas_published_figures(sample_warehouse, report):
    ((count,),) = published(
        sample_warehouse, "select count(*) from marts.published_figure_fidelity where la_code = 'E06000022'"
    )
    html = (report / "E06000022.html").read_text(encoding="utf-8")
    section = html.split('id="reconciliation"')[1]
    assert section.count("<tr>") == count + 1  # and the header
    assert "Safeguarding concerns received" in section


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"SCREENSHOT TEST NOT RUN: {CHROMIUM} chromium not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_an_area_page_in_chromium_fetches_nothing_shows_its_charts_and_prints(report, browser, tmp_path):
    from PIL import Image

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((report / "E06000022.html").as_uri(), wait_until="load")

    assert requests and all(url.startswith(("file:", "data:")) for url in requests), requests
    charts = page.locator("svg.trend")
    assert charts.count() > 50
    for chart in charts.all():
        box = chart.bounding_box()
        assert chart.is_visible() and box and box["width"] > 100 and box["height"] > 20

    screenshot = tmp_path / "E06000022.png"
    page.screenshot(path=str(screenshot), full_page=True)
    with Image.open(screenshot) as image:
        assert image.height > 3000  # the whole page, not the viewport
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20)) > 100
    chart_shot = tmp_path / "chart.png"
    charts.first.screenshot(path=str(chart_shot))
    with Image.open(chart_shot) as image:
        others = sorted(image.convert("RGB").getcolors(maxcolors=1 << 16), reverse=True)[1:]  # [0]: background
        assert others, "the chart region is all background"
        assert any(b > r + 60 for _, (r, _, b) in others)  # the line's blue

    page.emulate_media(media="print")
    assert not page.locator("header.masthead").is_visible()
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) > 1
    assert requests and all(url.startswith(("file:", "data:")) for url in requests), requests
    page.close()
