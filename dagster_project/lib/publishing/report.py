"""The partnership scorecard as static web pages, for people who never open a database: an index and one page per
area (the five authorities and the force area), regenerated after every complete build from the published
warehouse file alone (readers_copy.py). A page stands alone: its CSS is inline, its trend charts are SVG drawn here,
it has no script and a Content-Security-Policy that lets it fetch nothing, so it can be e-mailed, opened offline
or printed on A4.

Privacy: every figure printed for an area's metric, and every point of its trend chart, comes from
publication.partnership_scorecard (text after disclosure control: c, x, z), never from the marts' unsuppressed
values, which this module does not read. The marts give labels, targets, RAG, public comparators (official
statistics), caveats and flags; a RAG rating or a better/worse is shown only beside a published number, so neither
hints at a hidden one. The published-figure reconciliation sets the reports' own (already public) figures beside
the warehouse's; a warehouse count that the publication would hide (1 to 4, or a cell it suppresses) shows as c.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import jinja2
from markupsafe import Markup, escape

from dagster_project.lib.atomic_files import write_atomically
from dagster_project.lib.disclosure import NOT_AVAILABLE, SMALLEST_SHOWN, SUPPRESSED, round_half_up
from dagster_project.lib.publishing.readers_copy import connect_published
from dagster_project.lib.registry import load_registry

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "report"
TREND_PERIODS = 12
CHART_WIDTH, CHART_HEIGHT = 160, 40
SOURCES = {
    "police_scorecard": "Police",
    "csc": "Children's social care",
    "asc": "Adult social care",
    "s175": "Schools (section 175 audit)",
    "agency_kpis": "Agency KPIs",
}
RECONCILED_SOURCES = SOURCES | {"police": "Police", "schools": "Schools", "partnership": "Partnership"}
UNIT_SUFFIX = {"percent": "%"}  # a rate's label says "per 10,000 children"
TARGET_SIGN = {"at_least": "≥", "at_most": "≤"}
MINUS = "\N{MINUS SIGN}"

# Only the columns a page may print: the published text of each figure, and the marts' descriptive columns.
SCORECARD_SQL = """
select published.la_code, published.metric_code, cast(published.period_end as date) as period_end, published.unit,
    published.value, published.previous_value, published.change, published.pct_change,
    force_area.value as force_area_value,
    marts.metric_label, marts.source, marts.direction, marts.comparison_note, marts.target_value,
    marts.target_direction, marts.rag, marts.region_value, marts.england_value, marts.official_value,
    marts.comparators_are_stale, marts.is_restated, marts.caveats, catalogue.definition
from publication.partnership_scorecard as published
inner join marts.partnership_scorecard as marts using (la_code, metric_code, period_end)
inner join reference.metric_catalogue as catalogue using (metric_code)
left join publication.partnership_scorecard as force_area
    on force_area.la_code = ? and force_area.metric_code = published.metric_code
    and force_area.period_end = published.period_end and published.la_code <> ?
order by published.la_code, published.metric_code, published.period_end
"""

RECONCILIATION_SQL = """
select fidelity.*, published.value as published_cell
from marts.published_figure_fidelity as fidelity
left join publication.partnership_scorecard as published
    on published.la_code = fidelity.la_code and published.metric_code = fidelity.metric_code
    and published.period_end = fidelity.period_end
order by fidelity.la_code, fidelity.source, fidelity.period_end, fidelity.measure, fidelity.seed_file
"""


@dataclass(frozen=True)
class Area:
    """An area with a page of its own: an authority or the police force area."""

    code: str
    name: str
    area_type: str

    @property
    def page(self) -> str:
        return f"{self.code}.html"


@dataclass(frozen=True)
class MetricLine:
    """One metric's row in a source table, every figure as the page prints it."""

    label: str
    definition: str
    value: str
    previous: str
    change: str
    pct_change: str
    direction: str | None
    target: str | None
    rag: str | None
    comparators: list[tuple[str, str]]
    chart: Markup
    chart_span: tuple[str, str]
    notes: list[int]
    is_restated: bool
    comparison_note: str | None


@dataclass
class SourceTable:
    """One source's metrics at its latest period end, with the caveats their footnote numbers refer to."""

    heading: str
    period_end: date
    metrics: list[MetricLine] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReconciledFigure:
    """A figure a report published, beside the warehouse's, every figure as the page prints it."""

    report: str
    source: str
    period: str
    measure: str
    published: str
    then: str
    now: str
    status: str
    is_restated: bool
    note: str | None


@dataclass
class AreaPage:
    """Everything one area's page shows."""

    area: Area
    tables: list[SourceTable]
    reconciliation: list[ReconciledFigure]

    @property
    def latest(self) -> date | None:
        """The latest period end of any source: sources report on different calendars."""
        return max((table.period_end for table in self.tables), default=None)

    @property
    def rag_counts(self) -> dict[str, int]:
        """Ratings shown at each metric's latest period, for the index's one-line summary."""
        ratings = [metric.rag for table in self.tables for metric in table.metrics]
        return {rag: ratings.count(rag) for rag in ("Green", "Amber", "Red")}


def render_report(published: Path, out_dir: Path) -> list[Path]:
    """Write index.html and one page per area from the published warehouse file into `out_dir`; the paths."""
    with connect_published(published) as connection:
        pages = read_pages(connection)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    environment.filters["day"] = long_date
    generated = datetime.now(ZoneInfo("Europe/London"))
    context = {"pages": pages, "generated": f"{long_date(generated)} at {generated:%H:%M}"}
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_atomically(out_dir / "index.html", environment.get_template("index.html.j2").render(**context))]
    for page in pages:
        html = environment.get_template("area.html.j2").render(page=page, **context)
        written.append(write_atomically(out_dir / page.area.page, html))
    return written


def read_pages(connection: duckdb.DuckDBPyConnection) -> list[AreaPage]:
    """Every area's page, authorities first, from one read of the published file."""
    areas = [
        Area(*row)
        for row in connection.execute(
            "select la_code, la_name, area_type from reference.authorities order by area_type, la_code"
        ).fetchall()
    ]
    # No order by: DuckDB keeps insertion order, so metrics come in the catalogue's own order.
    order = {
        code: i
        for i, (code,) in enumerate(connection.execute("select metric_code from reference.metric_catalogue").fetchall())
    }
    series: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    force_area = load_registry().force_area()
    for row in _records(connection, SCORECARD_SQL, [force_area, force_area]):
        series[row["la_code"]][row["metric_code"]].append(row)
    reconciled: dict[str, list[ReconciledFigure]] = defaultdict(list)
    for row in _records(connection, RECONCILIATION_SQL):
        reconciled[row["la_code"]].append(reconciled_figure(row))
    return [
        AreaPage(area, source_tables(series[area.code], order), reconciled[area.code])
        for area in areas
        if area.code in series
    ]


def _records(connection: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def source_tables(metrics: dict[str, list[dict[str, Any]]], order: dict[str, int]) -> list[SourceTable]:
    """An area's metrics (each a list of rows in period order) as one table per source, in the catalogue's order."""
    tables: dict[str, SourceTable] = {}
    for code in sorted(metrics, key=lambda code: order.get(code, len(order))):
        rows = metrics[code]
        latest = rows[-1]
        heading = SOURCES.get(latest["source"], latest["source"])
        table = tables.setdefault(latest["source"], SourceTable(heading, latest["period_end"]))
        table.metrics.append(metric_line(rows[-TREND_PERIODS:], table.caveats))
    rank = {source: i for i, source in enumerate(SOURCES)}
    return [tables[source] for source in sorted(tables, key=lambda source: rank.get(source, len(rank)))]


def metric_line(rows: list[dict[str, Any]], caveats: list[str]) -> MetricLine:
    """The latest row of a metric with its trend; its caveats (over the charted periods) are added to `caveats`,
    the table's numbered list, and referred to by number."""
    latest, unit = rows[-1], rows[-1]["unit"]
    shown = is_number(latest["value"])
    compared = is_number(latest["change"])
    notes = []
    for caveat in dict.fromkeys(c for row in rows if row["caveats"] for c in row["caveats"].split(" | ")):
        if caveat not in caveats:
            caveats.append(caveat)
        notes.append(caveats.index(caveat) + 1)
    return MetricLine(
        label=latest["metric_label"],
        definition=latest["definition"] or "",
        value=figure(latest["value"], unit),
        previous=figure(latest["previous_value"], unit),
        change=signed(latest["change"], " pts" if unit == "percent" else ""),
        pct_change=signed(latest["pct_change"], "%"),
        direction=latest["direction"] if compared else None,
        target=target(latest["target_value"], latest["target_direction"], unit),
        rag=latest["rag"] if shown else None,
        comparators=comparators(latest),
        chart=trend_svg([(row["period_end"], row["value"]) for row in rows], latest["metric_label"], unit),
        chart_span=(short_date(rows[0]["period_end"]), short_date(latest["period_end"])),
        notes=notes,
        is_restated=bool(latest["is_restated"]) and shown,
        comparison_note=latest["comparison_note"],
    )


def comparators(row: dict[str, Any]) -> list[tuple[str, str]]:
    """Labelled comparators of a scorecard row: the force area's published figure, and the official statistics."""
    stale = " (last good download)" if row["comparators_are_stale"] else ""
    found = [
        ("Force area", row["force_area_value"] and figure(row["force_area_value"], row["unit"])),
        (f"South West{stale}", official(row["region_value"], row["unit"])),
        (f"England{stale}", official(row["england_value"], row["unit"])),
        ("DfE official", official(row["official_value"], row["unit"])),
    ]
    return [(label, value) for label, value in found if value is not None]


def reconciled_figure(row: dict[str, Any]) -> ReconciledFigure:
    """A figure a report published beside the warehouse's then and now, warehouse counts protected."""
    hidden = row["published_cell"] == SUPPRESSED
    return ReconciledFigure(
        report=row["seed_file"],
        source=RECONCILED_SOURCES.get(row["source"], row["source"]),
        period=f"{short_date(row['period_start'])} – {short_date(row['period_end'])}",
        measure=row["measure"],
        published=figure(_plain(row["published_value"]), row["unit"]),
        then=protected(row["warehouse_value"], row["unit"], hidden),
        now=protected(row["latest_value"], row["unit"], hidden),
        status=row["status"],
        is_restated=bool(row["is_restated"]),
        note=row["note"],
    )


def protected(value: float | None, unit: str, hidden: bool) -> str:
    """A warehouse figure as the publication would show it: c for a count of 1 to 4 or a suppressed cell."""
    if value is None:
        return NOT_AVAILABLE
    if unit == "count" and (hidden or 1 <= round_half_up(value) < SMALLEST_SHOWN):
        return SUPPRESSED
    return official(value, unit) or NOT_AVAILABLE


def trend_svg(points: Sequence[tuple[date, str]], label: str, unit: str = "") -> Markup:
    """An inline SVG sparkline of published cells, oldest first: numbers joined by lines, a gap for anything else
    and a grey tick on the baseline where a figure is suppressed (c), so a hidden value is never plotted."""
    width, height, pad, marks = CHART_WIDTH, CHART_HEIGHT, 4, 8  # marks: the strip for suppressed ticks
    values = [number(text) for _, text in points]
    known = [v for v in values if v is not None]
    low, high = (min(known), max(known)) if known else (0.0, 0.0)
    top, bottom = pad, height - marks - pad / 2

    def x(i: int) -> float:
        return width / 2 if len(points) == 1 else pad + i * (width - 2 * pad) / (len(points) - 1)

    def y(v: float) -> float:
        return (top + bottom) / 2 if high == low else bottom - (v - low) * (bottom - top) / (high - low)

    shapes = [f'<line class="axis" x1="{pad}" y1="{bottom:.1f}" x2="{width - pad}" y2="{bottom:.1f}"/>']
    for run in _runs(values):
        if len(run) > 1:
            coords = " ".join(f"{x(i):.1f},{y(values[i]):.1f}" for i in run)
            shapes.append(f'<polyline class="line" points="{coords}"/>')
        shapes.append(f'<circle class="point" cx="{x(run[-1]):.1f}" cy="{y(values[run[-1]]):.1f}" r="2"/>')
    for i, (period, text) in enumerate(points):
        if text == SUPPRESSED:
            shapes.append(
                f'<rect class="suppressed" x="{x(i) - 1.5:.1f}" y="{height - marks + 1}" width="3" '
                f'height="{marks - 2}"><title>{escape(long_date(period))}: suppressed (c)</title></rect>'
            )
    description = escape(trend_description(points, label, unit))
    return Markup(
        f'<svg class="trend" role="img" aria-label="{description}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{description}</title>'
        + "".join(shapes)
        + "</svg>"
    )


def _runs(values: Sequence[float | None]) -> Iterable[list[int]]:
    """Indexes of consecutive known values, one list per unbroken stretch of the line."""
    run: list[int] = []
    for i, value in enumerate(values):
        if value is None:
            if run:
                yield run
            run = []
        else:
            run.append(i)
    if run:
        yield run


def trend_description(points: Sequence[tuple[date, str]], label: str, unit: str) -> str:
    """What a chart shows, in words: its first and last points and how many are suppressed or missing."""
    if not points:
        return f"{label}: no figures"
    (first, first_text), (last, last_text) = points[0], points[-1]
    words = f"{label}: {figure(first_text, unit)} at {long_date(first)}"
    if len(points) > 1:
        words += f", {figure(last_text, unit)} at {long_date(last)}"
    hidden = sum(text == SUPPRESSED for _, text in points)
    missing = sum(number(text) is None and text != SUPPRESSED for _, text in points)
    if hidden:
        words += f"; {hidden} of {len(points)} suppressed"
    if missing:
        words += f"; {missing} of {len(points)} not available"
    return words


def number(text: str | None) -> float | None:
    """A published cell's number; None for c, x, z or nothing."""
    parsed = _decimal(text)
    return None if parsed is None else float(parsed)


def is_number(text: str | None) -> bool:
    """Whether a published cell shows a figure (a RAG or a better/worse may stand beside it)."""
    return _decimal(text) is not None


def _decimal(text: str | None) -> Decimal | None:
    try:
        parsed = Decimal(text) if text is not None else None
    except InvalidOperation:
        return None
    return parsed if parsed is not None and parsed.is_finite() else None


def figure(text: str | None, unit: str) -> str:
    """A published cell as printed: thousands separated and the unit's suffix; c, x and z as they are."""
    parsed = _decimal(text)
    if parsed is None:
        return text or NOT_AVAILABLE
    return f"{parsed:,}{UNIT_SUFFIX.get(unit, '')}"


def signed(text: str | None, suffix: str) -> str:
    """A published change with its sign (a true minus) and suffix; c, x and z as they are."""
    parsed = _decimal(text)
    if parsed is None:
        return text or NOT_AVAILABLE
    sign = "+" if parsed > 0 else MINUS if parsed < 0 else ""
    return f"{sign}{abs(parsed):,}{suffix}"


def official(value: float | None, unit: str) -> str | None:
    """A public statistic (or a protected warehouse figure) rounded as the publication rounds: whole counts, one
    decimal place for shares and rates."""
    if value is None:
        return None
    return figure(_plain(round_half_up(value, 0 if unit == "count" else 1)), unit)


def target(value: float | None, direction: str | None, unit: str) -> str | None:
    """A target as a reader states it: "≥ 85%"."""
    if value is None:
        return None
    return f"{TARGET_SIGN.get(direction or '', '')} {official(value, unit)}".strip()


def _plain(value: float | Decimal | None) -> str | None:
    """A number as published text: a whole number without a decimal point."""
    if value is None:
        return None
    parsed = Decimal(str(value))
    return str(parsed.to_integral_value()) if parsed == parsed.to_integral_value() else str(parsed)


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def short_date(day: date) -> str:
    return f"{day:%b %Y}"
