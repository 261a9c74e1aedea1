"""The overview's charts (moderation.charts): SVG that parses, one shape per figure, every label
escaped, nothing a strict CSP would refuse."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from markupsafe import Markup

from moderation import charts
from moderation.charts import Series

SVG = "{http://www.w3.org/2000/svg}"
DAYS = [date(2026, 11, 24) + timedelta(days=i) for i in range(14)]
HOSTILE = '<script>alert("x")</script> & "quotes"'


def parse(markup: Markup) -> ET.Element:
    assert isinstance(markup, Markup)
    return ET.fromstring(str(markup))


def of_class(root: ET.Element, tag: str, name: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if name in (e.get("class") or "").split()]


def test_stacked_bars_draw_one_rect_per_nonzero_segment():
    approve = [1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 4]
    reject = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    root = parse(
        charts.stacked_bars(
            "c",
            "Decisions",
            DAYS,
            [Series("approve", "Approve", approve), Series("reject", "Reject", reject)],
        )
    )
    assert len(of_class(root, "rect", "chart-bar")) == 6
    assert len(of_class(root, "rect", "chart-series-reject")) == 2 + 1  # bars and the swatch
    assert len(of_class(root, "text", "chart-day-label")) == 14
    assert [t.text for t in of_class(root, "text", "chart-month-label")] == ["Nov", "Dec"]
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-title c-desc"
    assert root.find(f"{SVG}title").text == "Decisions"
    desc = root.find(f"{SVG}desc").text
    assert "12 in all" in desc and "2026-12-07: 5" in desc and "Approve 10, Reject 2" in desc


def test_stacked_bars_stack_in_order_and_reach_the_top_tick():
    root = parse(
        charts.stacked_bars(
            "c", "t", DAYS[:2], [Series("a", "A", [3, 0]), Series("b", "B", [1, 0])]
        )
    )
    a, b = (of_class(root, "rect", f"chart-series-{k}")[-1] for k in "ab")
    assert float(b.get("y")) + float(b.get("height")) == float(a.get("y"))  # b sits on a
    values = [t.text for t in of_class(root, "text", "chart-value-label")]
    assert values[0] == "0" and values[-1] == "4"


def test_line_chart_draws_a_point_per_known_value_and_breaks_at_gaps():
    values = [None, 1, 2, None, 4] + [None] * 9
    root = parse(
        charts.line_chart(
            "q",
            "Queue",
            DAYS,
            [Series("pending", "Pending", values), Series("oldest", "Other", [5] * 14)],
        )
    )
    assert len(of_class(root, "circle", "chart-series-pending")) == 3
    assert len(of_class(root, "circle", "chart-series-oldest")) == 14
    [path] = [p for p in of_class(root, "path", "chart-series-pending")]
    assert path.get("d").count("M") == 2  # a new stroke after the gap


def test_line_chart_of_durations_labels_its_axis_in_time_units():
    root = parse(
        charts.line_chart(
            "t",
            "Time",
            DAYS[:3],
            [Series("median", "Median", [600, 1800, None])],
            value_label=charts.duration_label,
            ticks_for=charts.duration_ticks,
        )
    )
    labels = [t.text for t in of_class(root, "text", "chart-value-label")]
    assert labels[0] == "0" and labels[-1] == "30 min"
    assert "highest 30 min on 2026-11-25" in root.find(f"{SVG}desc").text


def test_an_empty_chart_still_has_axes_and_says_so():
    root = parse(charts.line_chart("e", "Empty", DAYS, [Series("pending", "Pending", [None] * 14)]))
    assert of_class(root, "circle", "chart-point") == []
    assert "Pending: none" in root.find(f"{SVG}desc").text
    bars = parse(charts.stacked_bars("b", "Empty", DAYS, []))
    assert of_class(bars, "rect", "chart-bar") == []
    assert "0 in all" in bars.find(f"{SVG}desc").text


def test_every_label_is_escaped():
    for markup in (
        charts.stacked_bars(HOSTILE, HOSTILE, DAYS, [Series("x", HOSTILE, [1] * 14)]),
        charts.line_chart(
            HOSTILE, HOSTILE, DAYS, [Series("a", HOSTILE, [1] * 14), Series("b", "B", [2] * 14)]
        ),
    ):
        assert "<script" not in markup
        root = parse(markup)  # still well-formed XML
        assert root.find(f"{SVG}title").text == HOSTILE
        assert any(t.text == HOSTILE for t in of_class(root, "text", "chart-legend-label"))
        shapes = [e for e in root.iter() if e.tag in (f"{SVG}rect", f"{SVG}circle")]
        tooltips = [e.findtext(f"{SVG}title") for e in shapes if e.find(f"{SVG}title") is not None]
        assert any(HOSTILE in t for t in tooltips)
        assert HOSTILE in root.find(f"{SVG}desc").text
        assert root.get("aria-labelledby") == f"{HOSTILE}-title {HOSTILE}-desc"


def test_charts_use_no_inline_style_and_colour_from_classes():
    markup = str(
        charts.stacked_bars("c", "t", DAYS, [Series("approve", "Approve", [1] * 14)])
        + charts.line_chart("l", "t", DAYS, [Series("pending", "Pending", [1] * 14)])
    )
    assert "style=" not in markup and "<script" not in markup
    assert "#" not in markup.replace("&#", "")  # no fixed colours: currentColor and classes
