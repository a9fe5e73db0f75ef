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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import NamedTuple

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
        self.scale: dict | None = None  # a linear/log choice for one axis, see scale_toggle

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
        spec = {"key": self.key, "figure": self.figure.to_plotly_json()}
        if self.figure.scale is not None:
            spec["scale"] = self.figure.scale
        return spec


def label(text: str) -> str:
    """Front-matter text made safe for plotly's HTML-ish labels and hovers."""
    return html.escape(str(text), quote=False)


def _colour(settings: Settings, severity: str) -> str:
    return SEVERITY_COLOURS[min(settings.severity_rank(severity), len(SEVERITY_COLOURS) - 1)]


class Unit(NamedTuple):
    """The unit a duration axis reads best in: minutes, hours or days."""

    name: str
    minutes: float

    def of(self, values: Iterable[float | None]) -> list[float | None]:
        return [None if v is None else round(v / self.minutes, 2) for v in values]

    @property
    def hover(self) -> str:
        return f"%{{y:.3~g}} {self.name}"


def unit_for(values: Iterable[float | None]) -> Unit:
    """Days once the largest value is three days or more, hours from three hours on."""
    top = max((v for v in values if v), default=0)
    if top >= 3 * 1440:
        return Unit("days", 1440)
    if top >= 180:
        return Unit("hours", 60)
    return Unit("minutes", 1)


def outlier(values: Iterable[float | None]) -> bool:
    """Whether one value is so far above the rest that a linear axis flattens them: the
    largest over ten times the median of the others."""
    known = sorted(v for v in values if v)
    if len(known) < 3:
        return False
    rest = known[:-1]
    return known[-1] > 10 * rest[len(rest) // 2]


def scale_toggle(figure: Figure, axis: str, values: Iterable[float | None]) -> None:
    """Linear and log scale for a duration axis (buttons the page draws beside the chart:
    plotly's own keep a light face in the dark palette); log first where an outlier
    would flatten every other bar or point."""
    log = outlier(values)
    figure.layout[axis] = {**figure.layout.get(axis, {}), "type": "log" if log else "linear"}
    figure.scale = {"axis": axis, "log": log}


def _layout(figure: Figure, y_title: str, time_axis: bool = True, **extra) -> Figure:
    layout = dict(
        margin=dict(l=50, r=20, t=40, b=40),
        height=340,
        hovermode="x unified" if time_axis else "closest",
        legend=dict(orientation="h", y=-0.2),
        yaxis=dict(title=dict(text=y_title), rangemode="tozero"),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    figure.update_layout(**{**layout, **extra})
    if time_axis:
        figure.update_xaxes(
            type="date",
            tickformat="%b %Y",
            rangeselector=dict(buttons=RANGES, x=0, xanchor="left", y=1.02, yanchor="bottom"),
        )
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
            "User-facing downtime of the incidents that started in the month: "
            f"{downtime_rule(settings)}. The axis is in the unit the largest month reads "
            "best in; Log shows the small months beside a long outage.",
            _left_out(
                sum(m.downtime_left_out for m in months),
                "no downtime_minutes, mitigated or resolved",
            ),
            duration=True,
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


def _per_severity(
    key, title, months, x, settings, value, unit, definition, left_out, duration=False
) -> Chart:
    """Stacked bars by severity; a duration in the unit its largest month reads best in."""
    figure = Figure()
    per_month = [m.by_severity(value) for m in months]
    totals = [sum(shares.values()) for shares in per_month]
    scale = unit_for(totals) if duration else Unit(unit, 1)
    shown = scale.hover if duration else "%{y}"
    for severity in settings.severities:
        figure.add_bar(
            name=label(severity),
            x=x,
            y=scale.of(shares[severity] for shares in per_month),
            marker=dict(color=_colour(settings, severity)),
            hovertemplate=f"{label(severity)}: {shown}<extra></extra>",
        )
    _layout(figure, scale.name if duration else unit, barmode="stack")
    if duration:
        scale_toggle(figure, "yaxis", totals)
    return Chart(key, title, figure, definition, left_out)


def _ttr_label(settings: Settings) -> str:
    start = "detected" if settings.ttr_start == "detected" else "started"
    return f"resolved − {start}"


def _times(months, x, settings) -> Chart:
    ttr = [m.ttr for m in months]
    ttd = [m.ttd for m in months]
    every = [v for s in ttr + ttd for v in (s.mean, s.median, s.p90)]
    scale = unit_for(every)
    figure = Figure()
    # Line colours hold 3:1 against Material's light and dark backgrounds alike.
    for spreads, short, colour in ((ttr, "TTR", "#5c6bc0"), (ttd, "TTD", "#00897b")):
        for name, values, line in (
            (f"M{short} (mean)", [s.mean for s in spreads], dict(color=colour, width=3)),
            (f"{short} median", [s.median for s in spreads], dict(color=colour, dash="dot")),
            (f"{short} p90", [s.p90 for s in spreads], dict(color=colour, dash="dash", width=1.5)),
        ):
            figure.add_scatter(
                name=name,
                x=x,
                y=scale.of(values),
                mode="lines+markers" if "mean" in name else "lines",
                line=line,
                connectgaps=False,
                hovertemplate=f"{name}: {scale.hover}<extra></extra>",
            )
    if settings.mttr_target_minutes is not None:
        figure.add_scatter(
            name="MTTR target",
            x=[x[0], x[-1]],
            y=scale.of([settings.mttr_target_minutes] * 2),
            mode="lines",
            line=dict(color="#d32f2f", dash="longdash"),
        )
    _layout(figure, scale.name)
    scale_toggle(figure, "yaxis", every)
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
    by_severity = {}
    for severity in settings.severities:
        by_severity[severity] = metrics.known(
            r.figures.ttr for r in catalog.records if r.meta.get("severity") == severity
        )
        left += sum(
            1
            for r in catalog.records
            if r.meta.get("severity") == severity and r.figures.ttr is None
        )
    scale = unit_for(v for values in by_severity.values() for v in values)
    for severity, values in by_severity.items():
        if not values:
            continue
        figure.add_box(
            name=label(severity),
            x=[label(severity)],
            q1=scale.of([metrics.quantile(values, 0.25)]),
            median=scale.of([metrics.quantile(values, 0.5)]),
            q3=scale.of([metrics.quantile(values, 0.75)]),
            lowerfence=scale.of([min(values)]),
            upperfence=scale.of([max(values)]),
            mean=scale.of([metrics.mean(values)]),
            marker=dict(color=_colour(settings, severity)),
            boxpoints=False,
        )
    _layout(figure, scale.name, time_axis=False, showlegend=False)
    scale_toggle(figure, "yaxis", [v for values in by_severity.values() for v in values])
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
        line=dict(color="#d32f2f"),
        fillcolor="rgba(211,47,47,0.25)",
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
    scale = unit_for(v for _, v in top)
    figure = Figure()
    figure.add_bar(
        x=scale.of(v for _, v in top),
        y=[label(name) for name, _ in top],
        orientation="h",
        marker=dict(color="#5c6bc0"),
        hovertemplate=f"%{{y}}: %{{x:.3~g}} {scale.name}<extra></extra>",
    )
    _layout(
        figure,
        "",
        time_axis=False,
        showlegend=False,
        xaxis=dict(title=dict(text=f"{scale.name} of downtime")),
        height=90 + 30 * max(len(top), 1),
    )
    scale_toggle(figure, "xaxis", [v for _, v in top])
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


SHARE_WINDOW = 3  # months each share point covers: one month's 1-3 incidents say little


def _shares(months, x, settings) -> Chart:
    series = [
        ("recurrences", lambda m: m.recurrences, "#e65100"),
        ("detected by monitoring", lambda m: m.detected_by_monitoring, "#00897b"),
        (
            f"mitigated within {settings.mitigation_target_minutes} min",
            lambda m: m.mitigated_in_target,
            "#5c6bc0",
        ),
        ("reviews on time", lambda m: m.reviews_on_time, "#8d6e63"),
    ]
    figure = Figure()
    for name, share, colour in series:
        values = metrics.rolling([share(m) for m in months], SHARE_WINDOW)
        figure.add_scatter(
            name=name,
            x=x,
            y=[v.percent for v in values],
            mode="lines+markers",
            line=dict(color=colour),
            connectgaps=False,
            customdata=[[v.part, v.whole] for v in values],
            hovertemplate=(
                f"{name}: %{{y}}% (%{{customdata[0]}} of %{{customdata[1]}} incidents in "
                f"the {SHARE_WINDOW} months to here)<extra></extra>"
            ),
        )
    _layout(figure, "percent", yaxis=dict(title=dict(text="percent"), range=[0, 105]))
    return Chart(
        "shares",
        f"Recurrences, detection, mitigation and reviews (rolling {SHARE_WINDOW} months)",
        figure,
        f"Each point covers its month and the {SHARE_WINDOW - 1} before it, so a month with "
        "one or two incidents does not swing the line from 0 to 100; a point needs at least "
        f"{metrics.MIN_SHARE_WHOLE} incidents that state what it needs. "
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
