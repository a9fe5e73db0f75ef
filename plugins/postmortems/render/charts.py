"""Dashboard charts as plotly figures, built from monthly aggregates only.

Chart data never grows with the number of post-mortems: one point per month,
per severity or per service, whatever the size of the catalog. Labels that come
from front matter are HTML-escaped, because plotly reads a subset of HTML in text.
"""

from __future__ import annotations

import functools
import html
import json
import math
from dataclasses import dataclass
from datetime import date
from importlib import resources

from postmortems.catalog import metrics
from postmortems.catalog.records import Catalog
from postmortems.model.figures import downtime_rule
from postmortems.model.settings import Settings

SEVERITY_COLOURS = ["#b71c1c", "#e65100", "#f9a825", "#546e7a", "#78909c"]
RANGES = [
    dict(count=6, label="6 months", step="month", stepmode="backward"),
    dict(count=12, label="12 months", step="month", stepmode="backward"),
    dict(step="all", label="all"),
]


class Figure:
    """A plotly figure as the plain dict plotly.js reads. ``plotly.graph_objects`` validated
    every property on every call, which cost more than computing all the figures; the
    browser test draws each chart, so a property plotly.js does not know still shows."""

    def __init__(self) -> None:
        self.data: list[dict] = []
        self.layout: dict = {"template": _template()}

    def add_bar(self, **trace) -> None:
        self.data.append({"type": "bar", **trace})

    def add_scatter(self, **trace) -> None:
        self.data.append({"type": "scatter", **trace})

    def add_box(self, **trace) -> None:
        self.data.append({"type": "box", **trace})

    def update_layout(self, **layout) -> None:
        self.layout.update(layout)

    def update_xaxes(self, **axis) -> None:
        self.layout["xaxis"] = {**self.layout.get("xaxis", {}), **axis}

    def to_plotly_json(self) -> dict:
        return {"data": self.data, "layout": self.layout}


@functools.lru_cache(maxsize=1)
def _template() -> dict:
    """plotly's default look ('plotly'), as graph_objects put into every figure; read from
    the package's data, since plotly.io builds and validates a Template object first."""
    text = (resources.files("plotly") / "package_data" / "templates" / "plotly.json").read_text(
        "utf-8"
    )
    return json.loads(text)


@dataclass
class Chart:
    """One chart: where it goes, what it shows, how its figures are defined."""

    key: str
    title: str
    figure: Figure
    definition: str
    left_out: str = ""

    def spec(self) -> dict:
        return {"key": self.key, "figure": self.figure.to_plotly_json()}


def label(text: str) -> str:
    """Front-matter text made safe for plotly's HTML-ish labels and hovers."""
    return html.escape(str(text), quote=False)


def _colour(settings: Settings, severity: str) -> str:
    return SEVERITY_COLOURS[min(settings.severity_rank(severity), len(SEVERITY_COLOURS) - 1)]


def _layout(figure: Figure, y_title: str, time_axis: bool = True, **extra) -> Figure:
    layout = dict(
        margin=dict(l=50, r=20, t=20, b=40),
        height=340,
        hovermode="x unified" if time_axis else "closest",
        legend=dict(orientation="h", y=-0.2),
        yaxis=dict(title=dict(text=y_title), rangemode="tozero"),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    figure.update_layout(**{**layout, **extra})
    if time_axis:
        figure.update_xaxes(type="date", tickformat="%b %Y", rangeselector=dict(buttons=RANGES))
    return figure


def _left_out(count: int, what: str) -> str:
    if not count:
        return "No incident was left out."
    return f"{count} incident(s) left out: {what}."


def build(catalog: Catalog, today: date) -> tuple[list[Chart], list[metrics.Month]]:
    """Every dashboard chart, and the months they were computed from."""
    settings = catalog.settings
    months = metrics.months(catalog.records, settings, today)
    if not months:
        return [], []
    x = [m.month for m in months]
    charts = [
        _per_severity(
            "downtime",
            "Downtime per month, by severity",
            months,
            x,
            settings,
            lambda r: r.figures.downtime or 0,
            "minutes",
            "Minutes of user-facing downtime of the incidents that started in the month: "
            f"{downtime_rule(settings)}.",
            _left_out(
                sum(m.downtime_left_out for m in months),
                "no downtime_minutes, mitigated or resolved",
            ),
        ),
        _times(months, x, settings),
        _per_severity(
            "incidents",
            "Incidents per month, by severity",
            months,
            x,
            settings,
            lambda r: 1,
            "incidents",
            "Incidents counted in the calendar month of started, in the site's time zone "
            f"({settings.timezone}).",
            "No incident was left out.",
        ),
        _ttr_distribution(catalog, settings),
        _backlog(catalog, months, x, settings, today),
        _services(catalog, settings, today),
        _shares(months, x, settings),
    ]
    return charts, months


def _per_severity(key, title, months, x, settings, value, unit, definition, left_out) -> Chart:
    figure = Figure()
    for severity in settings.severities:
        figure.add_bar(
            name=label(severity),
            x=x,
            y=[m.by_severity(value)[severity] for m in months],
            marker=dict(color=_colour(settings, severity)),
        )
    _layout(figure, unit, barmode="stack")
    return Chart(key, title, figure, definition, left_out)


def _ttr_label(settings: Settings) -> str:
    start = "detected" if settings.ttr_start == "detected" else "started"
    return f"resolved − {start}"


def _times(months, x, settings) -> Chart:
    ttr = [m.ttr for m in months]
    ttd = [m.ttd for m in months]
    figure = Figure()
    for spreads, short, colour, light in (
        (ttr, "TTR", "#3949ab", "#9fa8da"),
        (ttd, "TTD", "#00897b", "#80cbc4"),
    ):
        figure.add_scatter(
            name=f"M{short} (mean)",
            x=x,
            y=[s.mean for s in spreads],
            mode="lines+markers",
            line=dict(color=colour, width=3),
            connectgaps=False,
        )
        figure.add_scatter(
            name=f"{short} median",
            x=x,
            y=[s.median for s in spreads],
            mode="lines",
            line=dict(color=colour, dash="dot"),
            connectgaps=False,
        )
        figure.add_scatter(
            name=f"{short} p90",
            x=x,
            y=[s.p90 for s in spreads],
            mode="lines",
            line=dict(color=light, dash="dash"),
            connectgaps=False,
        )
    if settings.mttr_target_minutes is not None:
        figure.add_scatter(
            name="MTTR target",
            x=[x[0], x[-1]],
            y=[settings.mttr_target_minutes] * 2,
            mode="lines",
            line=dict(color="#c62828", dash="longdash"),
        )
    _layout(figure, "minutes")
    left = sum(s.left_out for s in ttr)
    definition = (
        f"TTR = {_ttr_label(settings)} (the site's ttr_start is '{settings.ttr_start}'); "
        "TTD = detected − started. MTTR is the mean TTR of the incidents that started in "
        "the month, shown with the median and the 90th percentile; likewise MTTD. "
        "A month with no incident has no point."
    )
    if settings.mttr_target_minutes is not None:
        definition += f" Target: {settings.mttr_target_minutes} minutes."
    return Chart(
        "times",
        "MTTR and MTTD per month",
        figure,
        definition,
        _left_out(left, f"missing resolved or {settings.ttr_start}")
        + f" TTD: {_left_out(sum(s.left_out for s in ttd), 'missing detected').lower()}",
    )


def _ttr_distribution(catalog: Catalog, settings: Settings) -> Chart:
    figure = Figure()
    left = 0
    for severity in settings.severities:
        values = metrics.known(
            r.figures.ttr for r in catalog.records if r.meta.get("severity") == severity
        )
        left += sum(
            1
            for r in catalog.records
            if r.meta.get("severity") == severity and r.figures.ttr is None
        )
        if not values:
            continue
        figure.add_box(
            name=label(severity),
            x=[label(severity)],
            q1=[metrics.quantile(values, 0.25)],
            median=[metrics.quantile(values, 0.5)],
            q3=[metrics.quantile(values, 0.75)],
            lowerfence=[min(values)],
            upperfence=[max(values)],
            mean=[metrics.mean(values)],
            marker=dict(color=_colour(settings, severity)),
            boxpoints=False,
        )
    _layout(figure, "minutes", time_axis=False, showlegend=False)
    return Chart(
        "ttr-distribution",
        "Time to resolve by severity",
        figure,
        f"TTR = {_ttr_label(settings)}, over all incidents of each severity: the box spans "
        "the 25th to 75th percentile, the line is the median, the whiskers the extremes, "
        "the dashed line the mean.",
        _left_out(left, "missing a timestamp for TTR"),
    )


def _backlog(catalog, months, x, settings, today) -> Chart:
    items = metrics.action_items(catalog.records, settings)
    stats = metrics.backlog(items, settings, x, today)
    figure = Figure()
    figure.add_bar(name="opened", x=x, y=[stats.opened[m] for m in x], marker=dict(color="#5c6bc0"))
    figure.add_bar(
        name="completed", x=x, y=[stats.completed[m] for m in x], marker=dict(color="#43a047")
    )
    figure.add_scatter(
        name="open at month end",
        x=x,
        y=[stats.open_at_end[m] for m in x],
        mode="lines+markers",
        line=dict(color="#ef6c00", width=3),
    )
    figure.add_scatter(
        name="of which overdue",
        x=x,
        y=[stats.overdue_at_end[m] for m in x],
        mode="lines",
        fill="tozeroy",
        line=dict(color="#c62828"),
        fillcolor="rgba(198,40,40,0.25)",
    )
    _layout(figure, "action items", barmode="group")
    return Chart(
        "action-items",
        "Action items",
        figure,
        "Opened: action items of the incidents that started in the month. Completed: "
        f"items whose completed date falls in the month. Open at month end: opened and "
        f"not yet completed; overdue: of those, past their due date. Done means "
        f"{', '.join(settings.action_item_done)}.",
        (
            f"{stats.completed_undated} done item(s) have no completed date and are left "
            "out of 'completed' and of the backlog."
        )
        if stats.completed_undated
        else "No action item was left out.",
    )


def _services(catalog, settings, today) -> Chart:
    since = _first_of_last_12(today)
    totals: dict[str, float] = {}
    for record in catalog.records:
        month = record.month(settings)
        if month is None or month < since:
            continue
        for service in record.meta.get("services") or []:
            totals[service] = round(totals.get(service, 0) + (record.figures.downtime or 0), 2)
    top = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:10][::-1]
    figure = Figure()
    figure.add_bar(
        x=[v for _, v in top],
        y=[label(name) for name, _ in top],
        orientation="h",
        marker=dict(color="#3949ab"),
        hovertemplate="%{y}: %{x} min<extra></extra>",
    )
    _layout(
        figure,
        "",
        time_axis=False,
        showlegend=False,
        xaxis=dict(title=dict(text="minutes of downtime")),
        height=60 + 30 * max(len(top), 1),
    )
    return Chart(
        "services",
        "Downtime by service, last 12 months (top 10)",
        figure,
        "Each incident's downtime counts in full for every service it names.",
    )


def _first_of_last_12(today: date) -> str:
    """The first of the twelve months ending with today's, 'YYYY-MM'."""
    start = today.strftime("%Y-%m")
    for _ in range(11):
        start = metrics.previous_month(start)
    return start


def _shares(months, x, settings) -> Chart:
    series = [
        ("recurrences", lambda m: m.recurrences, "#e65100"),
        ("detected by monitoring", lambda m: m.detected_by_monitoring, "#00897b"),
        (
            f"mitigated within {settings.mitigation_target_minutes} min",
            lambda m: m.mitigated_in_target,
            "#3949ab",
        ),
        ("reviews on time", lambda m: m.reviews_on_time, "#6d4c41"),
    ]
    figure = Figure()
    for name, share, colour in series:
        values = [share(m) for m in months]
        figure.add_scatter(
            name=name,
            x=x,
            y=[v.percent for v in values],
            mode="lines+markers",
            line=dict(color=colour),
            connectgaps=False,
            customdata=[[v.part, v.whole] for v in values],
            hovertemplate=(
                f"{name}: %{{y}}% (%{{customdata[0]}} of %{{customdata[1]}})<extra></extra>"
            ),
        )
    _layout(figure, "percent", yaxis=dict(title=dict(text="percent"), range=[0, 105]))
    return Chart(
        "shares",
        "Recurrences, detection, mitigation and reviews",
        figure,
        "Recurrences: incidents that list an earlier one under recurrence / all incidents. "
        "Detected by monitoring: detected_by monitoring / incidents that state detected_by. "
        f"Mitigated within {settings.mitigation_target_minutes} min: TTD + TTM ≤ "
        f"{settings.mitigation_target_minutes} / incidents with both. Reviews on time: "
        "review_meeting by the deadline / post-mortems with a deadline and a meeting "
        f"(deadlines: {_deadlines(settings)}).",
        "Each share counts only the incidents that state what it needs; the hover says n of m.",
    )


def _deadlines(settings: Settings) -> str:
    return ", ".join(f"{s} {d} after resolved" for s, d in settings.review_deadlines) or "none"


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def to_json(charts: list[Chart]) -> str:
    """The charts as JSON safe inside a <script> element: no '<', '>' or '&' left raw."""
    specs = [c.spec() for c in charts]
    try:
        text = json.dumps(specs, separators=(",", ":"), allow_nan=False)
    except ValueError:  # NaN or infinity is not JSON: plotly.js shows a gap for null
        text = json.dumps(_finite(specs), separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
