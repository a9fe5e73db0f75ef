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
from datetime import date, timedelta
from importlib import resources

from postmortems.catalog import metrics, themes
from postmortems.catalog.records import Catalog
from postmortems.model.figures import downtime_rule, human_minutes
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
        self.scale: dict | None = None  # a linear/log choice for one axis, see duration_axis

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
    note: str = ""  # a sentence above the chart, such as why it opens on every month
    empty: bool = False  # nothing to draw: the note says so instead
    nothing: str = "No incidents"  # what the note says when the chart has nothing to show

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


# Durations stay in exact minutes; an axis labels them at round values, in the words every
# page uses for a duration (human_minutes): 30 min, 1 h, 6 h, 1 d.
LINEAR_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 4320, 10080, 20160)
LOG_MARKS = (1, 10, 60, 360, 1440, 10080, 43200, 525600)  # one label a decade or so
MAX_TICKS = 6


def linear_ticks(top: float) -> list[float]:
    """0 and multiples of the smallest round step that needs at most MAX_TICKS labels."""
    month = 43200
    step = next((s for s in LINEAR_STEPS if top / s < MAX_TICKS), None)
    step = step or month * math.ceil(top / (MAX_TICKS - 1) / month)
    return [step * n for n in range(math.ceil(top / step) + 1 if top > 0 else 2)]


def log_ticks(low: float, top: float) -> list[float]:
    """Round marks from just below the smallest value to just above the largest: one a
    decade or so, or where that leaves fewer than three in view, the round steps between,
    each at least twice the one before."""
    marks = _around(LOG_MARKS, low, top)
    if len([m for m in marks if low <= m <= top]) < 3:
        spread: list[float] = []
        for mark in _around(sorted({*LINEAR_STEPS, *LOG_MARKS}), low, top):
            if not spread or mark >= 2 * spread[-1]:
                spread.append(mark)
        marks = spread
    return marks


def _around(marks: Iterable[float], low: float, top: float) -> list[float]:
    """The marks within [low, top], and the one either side."""
    marks = sorted(marks)
    below = [m for m in marks if m < low][-1:]
    above = [m for m in marks if m > top][:1]
    return below + [m for m in marks if low <= m <= top] + above


def duration_axis(figure: Figure, axis: str, values: Iterable[float | None], title: str) -> None:
    """A duration axis with Linear and Log buttons (drawn by the page: plotly's own keep a
    light face in the dark palette), log first where an outlier would flatten every other
    bar or point; each scale has its own round ticks, labelled as durations."""
    known = [v for v in values if v]
    top, low = max(known, default=60), min(known, default=1)
    ticks = {
        "linear": _labelled(linear_ticks(top)),
        "log": _labelled(log_ticks(low, top)),
    }
    log = outlier(known)
    shown = ticks["log" if log else "linear"]
    figure.layout[axis] = {
        **figure.layout.get(axis, {}),
        "title": dict(text=title),
        "type": "log" if log else "linear",
        "tickmode": "array",
        "tickvals": shown[0],
        "ticktext": shown[1],
    }
    figure.scale = {"axis": axis, "log": log, "ticks": ticks}


def _labelled(ticks: list[float]) -> list[list]:
    return [ticks, ["0" if t == 0 else human_minutes(t) for t in ticks]]


def spoken(values: Iterable[float | None]) -> list[str]:
    """Each duration as a hover says it."""
    return [human_minutes(v) for v in values]


def outlier(values: Iterable[float | None]) -> bool:
    """Whether one value is so far above the rest that a linear axis flattens them: the
    largest over ten times the median of the others."""
    known = sorted(v for v in values if v)
    if len(known) < 3:
        return False
    rest = known[:-1]
    return known[-1] > 10 * rest[len(rest) // 2]


def _layout(figure: Figure, y_title: str, time_axis: bool = True, **extra) -> Figure:
    layout = dict(
        margin=dict(l=50, r=20, t=40, b=40),
        height=340,
        hovermode="x unified" if time_axis else "closest",
        legend=dict(orientation="h", y=-0.2),
        yaxis=dict(title=dict(text=y_title), rangemode="tozero", automargin=True),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    figure.update_layout(**{**layout, **extra})
    if time_axis:
        figure.update_xaxes(
            type="date",
            tickformat="%b %Y",
            ticklabelmode="period",
            rangeselector=dict(buttons=RANGES, x=0, xanchor="left", y=1.02, yanchor="bottom"),
        )
        for trace in figure.data:  # a month's bar or point spans its month, labels between
            trace.update(xperiod="M1", xperiodalignment="middle")
    return figure


OPENING_MONTHS = 12  # the months a time chart opens on; its buttons offer 6 and all


def frame(chart: Chart, today: date) -> None:
    """Open a time chart on the last OPENING_MONTHS months with the month under review (the
    last full one) shaded; where those months hold nothing, open on all of them and say so."""
    layout = chart.figure.layout
    if layout.get("xaxis", {}).get("type") != "date":
        return
    review = metrics.previous_month(today.strftime("%Y-%m"))
    start = _first_of_last_12(today)
    end = metrics.month_end(today.strftime("%Y-%m")) + timedelta(days=1)

    def shown(since: str) -> bool:
        return any(
            y for trace in chart.figure.data for x, y in zip(trace["x"], trace["y"]) if x >= since
        )

    if not shown(""):
        chart.note, chart.empty = f"{chart.nothing} in any month.", True
        return
    if not shown(start):
        chart.note = (
            f"{chart.nothing} in the last {OPENING_MONTHS} months; the chart shows every month."
        )
        return
    layout["xaxis"]["range"] = [f"{start}-01", end.isoformat()]
    layout["shapes"] = [
        dict(
            type="rect",
            xref="x",
            yref="paper",
            x0=f"{review}-01",
            x1=(metrics.month_end(review) + timedelta(days=1)).isoformat(),
            y0=0,
            y1=1,
            fillcolor="rgba(92,107,192,0.12)",
            line=dict(width=0),
            layer="below",
        )
    ]
    layout["annotations"] = [
        dict(
            text="under review",
            xref="x",
            yref="paper",
            x=f"{review}-15",
            y=1,
            yanchor="bottom",
            showarrow=False,
            font=dict(size=10),
        )
    ]


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
            "downtime",
            "User-facing downtime of the incidents that started in the month: "
            f"{downtime_rule(settings)}. Log shows the small months beside a long outage.",
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
        _factors(catalog, settings, today),
        _shares(months, x, settings),
        _follow_ups(catalog, settings, today),
    ]
    for chart in charts:
        frame(chart, today)
    return charts, months


def _per_severity(
    key, title, months, x, settings, value, unit, definition, left_out, duration=False
) -> Chart:
    """Stacked bars by severity; a duration in exact minutes on a duration axis."""
    figure = Figure()
    per_month = [m.by_severity(value) for m in months]
    for severity in settings.severities:
        values = [shares[severity] for shares in per_month]
        trace = dict(
            name=label(severity), x=x, y=values, marker=dict(color=_colour(settings, severity))
        )
        if duration:
            trace.update(
                customdata=spoken(values),
                hovertemplate=f"{label(severity)}: %{{customdata}}<extra></extra>",
            )
        else:
            trace.update(hovertemplate=f"{label(severity)}: %{{y}}<extra></extra>")
        figure.add_bar(**trace)
    _layout(figure, unit, barmode="stack")
    if duration:
        duration_axis(figure, "yaxis", [sum(shares.values()) for shares in per_month], unit)
    nothing = "No downtime" if duration else "No incidents"
    return Chart(key, title, figure, definition, left_out, nothing=nothing)


def _ttr_label(settings: Settings) -> str:
    start = "detected" if settings.ttr_start == "detected" else "started"
    return f"resolved − {start}"


def _times(months, x, settings) -> Chart:
    ttr = [m.ttr for m in months]
    ttd = [m.ttd for m in months]
    every = [v for s in ttr + ttd for v in (s.mean, s.median, s.p90)]
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
                y=values,
                mode="lines+markers" if "mean" in name else "lines",
                line=line,
                connectgaps=False,
                customdata=spoken(values),
                hovertemplate=f"{name}: %{{customdata}}<extra></extra>",
            )
    if settings.mttr_target_minutes is not None:
        figure.add_scatter(
            name="MTTR target",
            x=[x[0], x[-1]],
            y=[settings.mttr_target_minutes] * 2,
            mode="lines",
            line=dict(color="#d32f2f", dash="longdash"),
            customdata=spoken([settings.mttr_target_minutes] * 2),
            hovertemplate="MTTR target: %{customdata}<extra></extra>",
        )
    _layout(figure, "time")
    duration_axis(figure, "yaxis", every, "time")
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
        nothing="No resolved incidents",
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
    for severity, values in by_severity.items():
        if not values:
            continue
        five = [
            min(values),
            metrics.quantile(values, 0.25),
            metrics.quantile(values, 0.5),
            metrics.quantile(values, 0.75),
            max(values),
        ]
        figure.add_box(
            name=label(severity),
            x=[label(severity)],
            lowerfence=[five[0]],
            q1=[five[1]],
            median=[five[2]],
            q3=[five[3]],
            upperfence=[five[4]],
            mean=[metrics.mean(values)],
            marker=dict(color=_colour(settings, severity)),
            boxpoints=False,
            hoverinfo="skip",  # plotly would say the five figures in minutes: the marker below
        )
        low, q1, median, q3, high = spoken(five)
        figure.add_scatter(
            x=[label(severity)],
            y=[five[2]],
            mode="markers",
            marker=dict(size=24, opacity=0),
            showlegend=False,
            hovertemplate=(
                f"{label(severity)}, {len(values)} incident(s): median {median}; half within "
                f"{q1} to {q3}; all within {low} to {high}; mean "
                f"{human_minutes(metrics.mean(values))}<extra></extra>"
            ),
        )
    _layout(figure, "time to resolve", time_axis=False, showlegend=False)
    duration_axis(
        figure, "yaxis", [v for values in by_severity.values() for v in values], "time to resolve"
    )
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
        nothing="No action items",
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
        marker=dict(color="#5c6bc0"),
        customdata=spoken(v for _, v in top),
        hovertemplate="%{y}: %{customdata}<extra></extra>",
    )
    _layout(
        figure,
        "",
        time_axis=False,
        showlegend=False,
        height=90 + 30 * max(len(top), 1),
    )
    duration_axis(figure, "xaxis", [v for _, v in top], "downtime")
    chart = Chart(
        "services",
        f"Downtime by service, last {OPENING_MONTHS} months (top 10)",
        figure,
        "Each incident's downtime counts in full for every service it names.",
    )
    if not top:
        chart.note, chart.empty = f"No incidents in the last {OPENING_MONTHS} months.", True
    elif not any(v for _, v in top):
        chart.note = f"No downtime in the last {OPENING_MONTHS} months."
        chart.empty = True
    return chart


def _factors(catalog, settings, today) -> Chart:
    """The contributing factors of the last 12 months' incidents, the most frequent on top."""
    since = _first_of_last_12(today)
    recent = [r for r in catalog.records if (r.month(settings) or "") >= since]
    top = themes.counted(recent)[:10][::-1]
    figure = Figure()
    downtime = {
        name: sum(r.figures.downtime or 0 for r in recent if name in themes.factors_of(r))
        for name, _ in top
    }
    figure.add_bar(
        x=[n for _, n in top],
        y=[label(name) for name, _ in top],
        orientation="h",
        marker=dict(color="#8d6e63"),
        customdata=[human_minutes(downtime[name]) for name, _ in top],
        hovertemplate="%{y}: %{x} incident(s), %{customdata} of downtime<extra></extra>",
    )
    _layout(
        figure,
        "",
        time_axis=False,
        showlegend=False,
        xaxis=dict(title=dict(text="incidents"), dtick=1 if top and top[-1][1] < 8 else None),
        height=90 + 30 * max(len(top), 1),
    )
    chart = Chart(
        "factors",
        f"Contributing factors, last {OPENING_MONTHS} months (top 10)",
        figure,
        "Incidents that list each factor under contributing_factors; an incident counts once "
        "for every factor it lists. The themes page has each factor's incidents and trend.",
    )
    if not top:
        chart.note = f"No incident of the last {OPENING_MONTHS} months lists a contributing factor."
        chart.empty = True
    return chart


FOLLOW_UP_QUARTERS = 8


def _follow_ups(catalog, settings, today) -> Chart:
    """By quarter of the deadline, the share of action items closed by it."""
    rows = themes.follow_ups(catalog, today)[-FOLLOW_UP_QUARTERS:]
    figure = Figure()
    figure.add_bar(
        x=[r.quarter for r in rows],
        y=[r.percent for r in rows],
        marker=dict(color="#43a047"),
        customdata=[[r.in_time, r.due] for r in rows],
        hovertemplate=(
            "%{x}: %{y}% closed within their deadline (%{customdata[0]} of "
            "%{customdata[1]})<extra></extra>"
        ),
    )
    _layout(
        figure,
        "percent",
        time_axis=False,
        showlegend=False,
        yaxis=dict(title=dict(text="percent"), range=[0, 105]),
        # 'Q3' over '2026': eight quarters fit a phone
        xaxis=dict(
            type="category",
            tickmode="array",
            tickvals=[r.quarter for r in rows],
            ticktext=[f"{r.quarter[5:]}<br>{r.quarter[:4]}" for r in rows],
        ),
    )
    deadlines = ", ".join(f"{p} {d}" for p, d in settings.action_item_deadlines) or "none"
    undated = sum(r.undated for r in rows)
    chart = Chart(
        "follow-ups",
        f"Action items closed within their deadline, last {FOLLOW_UP_QUARTERS} quarters",
        figure,
        "Action items whose due date fell in the quarter and has passed, or that are done: "
        "the share completed by their due date. An item with a priority and no due date "
        "is due its priority's deadline after the review meeting (else resolved): "
        f"{deadlines}.",
        f"{undated} done item(s) have no completed date and are left out."
        if undated
        else "No action item was left out.",
        nothing="No action item with a due date",
    )
    if not any(r.due for r in rows):
        chart.note, chart.empty = "No action item has reached its due date yet.", True
    return chart


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
        nothing="Too few incidents for a share",
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
