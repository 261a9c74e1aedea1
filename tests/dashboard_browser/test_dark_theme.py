"""The dashboard's dark theme (``prefers-color-scheme: dark``) in Debian's Chromium: every page a
moderator uses has a dark background, passes axe-core's audit (colour contrast included) with
its states shown (a selected card, the current one, one the server refused, an open reject
panel, flashes of both kinds, a filled form), the overview's SVG charts keep their contrast, and
the light theme keeps its colours. Screenshots of the queue and the overview for a person."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from ..conftest import browser_key
from .conftest import Newsroom, Service
from .test_overview_browser import _fortnight

pytestmark = pytest.mark.browser

DARK = {"color_scheme": "dark", "bypass_csp": True, "viewport": {"width": 1200, "height": 1000}}

# Colour helpers run in the page: computed colours as [r, g, b, a], the colour an element sits on
# (its own or its nearest ancestor's opaque-enough background, blended over the page), WCAG's
# relative luminance and contrast ratio.
COLOURS = """
window.__colours = (() => {
  const parse = (text) => {
    const m = /rgba?\\(([^)]*)\\)/.exec(text || '');
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => top.slice(0, 3).map(
    (c, i) => c * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const backdrop = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let colour = [255, 255, 255, 1];  // the canvas under a page with no background at all
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  return { parse, backdrop, luminance, contrast };
})();
"""


def page_colours(page: Any) -> dict[str, float]:
    """The luminance of the page's background and of its text."""
    page.evaluate(COLOURS)
    return page.evaluate(
        """() => {
          const c = window.__colours;
          return { background: c.luminance(c.backdrop(document.body)),
                   text: c.luminance(c.parse(getComputedStyle(document.body).color)) };
        }"""
    )


def assert_dark(page: Any) -> None:
    colours = page_colours(page)
    assert colours["background"] < 0.03, colours  # #121518 is 0.008; white is 1
    assert colours["text"] > 0.6, colours
    scheme = page.evaluate("getComputedStyle(document.documentElement).colorScheme")
    assert scheme == "light dark"


def axe_violations(page: Any, axe_source: str) -> list[dict[str, Any]]:
    page.add_script_tag(content=axe_source)
    results = page.evaluate(
        """async () => await axe.run(document,
            { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] })"""
    )
    return [
        {"id": v["id"], "nodes": [[n["target"], n.get("failureSummary")] for n in v["nodes"]][:5]}
        for v in results["violations"]
    ]


def audit(page: Any, axe_source: str, audits: dict[str, Any], name: str) -> None:
    """Dark, with every disclosure open (hidden parts get audited too), and axe's verdict."""
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    assert_dark(page)
    audits[name] = axe_violations(page, axe_source)


def assert_focus_ring_visible(page: Any) -> None:
    """The focused element's outline is drawn, 3:1 at least against what it sits on."""
    page.evaluate(COLOURS)
    ring = page.evaluate(
        """() => {
          const c = window.__colours, e = document.activeElement, s = getComputedStyle(e);
          return { tag: e.tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                   contrast: c.contrast(c.parse(s.outlineColor), c.backdrop(e.parentElement)) };
        }"""
    )
    assert ring["style"] != "none" and ring["width"] >= 2, ring
    assert ring["contrast"] >= 3, ring


def submit(service: Service, site: str, body: str, **fields: Any) -> int:
    """A comment through the widget API from one reader's browser (one ``X-Guest-Key``), so all
    of a test's comments are one author's, on one author's page."""
    client = service.app.test_client()
    url = f"/api/v1/sites/{site}/articles/{quote('/2026/11/story', safe='')}/comments"
    headers = {"X-Guest-Key": browser_key(site, "Reader")}
    token = client.get(url, headers=headers).headers["X-Form-Token"]
    payload = {"body": body, "author_name": "Reader", "author_email": "reader@example.org",
               "form_token": token, **fields}  # fmt: skip
    response = client.post(url, json=payload, headers=headers)
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["comment"]["id"])


def seeded(service: Service, *, is_admin: bool = False) -> tuple[Newsroom, dict[str, Any]]:
    """A site with one author's comments in every status a moderator meets: pending ones, an
    approved and featured one that readers reported, a reply to it, a rejected one, a spam one."""
    newsroom = service.newsroom(is_admin=is_admin)
    site = newsroom.site
    root = submit(service, site, "The tram will change the quays for the better.")
    service.decide([root], "approve")
    service.decide([root], "feature")
    service.app.test_client().post(
        f"/api/v1/comments/{root}/flags", json={"reason": "off_topic", "note": "Old news."}
    )
    rejected = submit(service, site, "Everyone on the council is a crook.")
    service.decide([rejected], "reject")
    spam = submit(service, site, "Cheap watches at example.com, click now!")
    service.decide([spam], "spam")
    reply = submit(
        service, site, "Not if you live on the Lange Straat during the works.", parent_id=root
    )
    pending = [submit(service, site, f"Comment {i}: the works start in May.") for i in range(3)]
    return newsroom, {"root": root, "rejected": rejected, "spam": spam, "reply": reply,
                      "pending": pending}  # fmt: skip


def test_the_queue_is_dark_and_passes_axe_in_every_state(
    service: Service, signed_in: Any, axe_source: str, artifacts: Path
) -> None:
    newsroom, ids = seeded(service)
    statuses = service.statuses([ids["root"], ids["rejected"], ids["spam"], *ids["pending"]])
    assert set(statuses.values()) == {"approved", "rejected", "spam", "pending"}
    watched = signed_in(newsroom, f"/dashboard/queue?site={newsroom.site}", **DARK)
    page = watched.page
    cards = page.locator("#cards .card:visible")
    expect(cards).to_have_count(4)  # the reply and three more, all pending
    first = cards.first.get_attribute("data-id")
    service.decide([int(first)], "approve")  # another moderator was faster
    page.keyboard.press("a")  # refused: the card keeps an error, the page an alert
    expect(page.locator(f"#comment-{first} .card-error")).to_be_visible()
    expect(page.locator("#dashboard-alert")).to_contain_text("not saved")
    page.keyboard.press("x")  # the next card, now current, selected: the bulk bar is active
    page.keyboard.press("j")
    page.keyboard.press("r")  # a reject panel open, with its fields
    expect(page.locator(".card.selected")).to_have_count(1)
    expect(page.locator(".bulk.active")).to_be_visible()
    expect(page.locator(".card.current details.reject[open]")).to_be_visible()
    page.locator(".card.current details.original").evaluate("(d) => { d.open = true; }")
    assert_dark(page)
    page.keyboard.press("Tab")
    assert_focus_ring_visible(page)
    page.screenshot(path=str(artifacts / "dashboard-queue-dark.png"), full_page=True)
    audits = {"queue": axe_violations(page, axe_source)}

    for view in ("flagged", "approved", "rejected", "spam"):
        page.goto(f"{service.url}/dashboard/queue?site={newsroom.site}&view={view}")
        expect(page.locator("#cards .card:visible").first).to_be_visible()
        audit(page, axe_source, audits, view)
    expect(page.locator(".badge-spam").first).to_be_visible()
    page.goto(f"{service.url}/dashboard/search?q=reader%40example.org")  # every status
    for status in ("approved", "rejected", "spam", "pending"):
        expect(page.locator(f".badge-{status}").first).to_be_visible()
    audit(page, axe_source, audits, "search")
    assert all(v == [] for v in audits.values()), json.dumps(audits, indent=2)
    assert watched.pwned() == 0
    # The one refused decision is the only error the console saw.
    assert [e for e in watched.errors() if "409 (CONFLICT)" not in e] == []


def test_the_overview_and_its_charts_are_dark_and_pass_axe(
    service: Service, signed_in: Any, axe_source: str, artifacts: Path
) -> None:
    newsroom = service.newsroom()
    _fortnight(service, newsroom.site)
    watched = signed_in(newsroom, **DARK)
    page = watched.page
    expect(page.locator("svg.chart-svg[role=img]")).to_have_count(5)
    assert_dark(page)
    page.evaluate(COLOURS)
    # SVG text is beyond axe's contrast rule: measure it, and the marks, against the panel.
    measured = page.evaluate(
        """() => {
          const c = window.__colours, low = [];
          for (const svg of document.querySelectorAll('svg.chart-svg')) {
            const under = c.backdrop(svg.parentElement);
            const marks = 'text, .chart-bar, .chart-point, .chart-swatch, .chart-line';
            for (const e of svg.querySelectorAll(marks)) {
              const s = getComputedStyle(e);
              const colour = c.parse(e.matches('.chart-line') ? s.stroke : s.fill);
              const ratio = c.contrast(colour, under);
              const need = e.tagName === 'text' ? 4.5 : 3;
              if (ratio < need) low.push([e.getAttribute('class') || e.tagName,
                                          e.textContent.slice(0, 30), ratio.toFixed(2)]);
            }
          }
          const fills = [...document.querySelectorAll('svg.chart-stacked rect.chart-bar')]
            .map((e) => getComputedStyle(e).fill);
          return { low, fills: [...new Set(fills)] };
        }"""
    )
    assert measured["low"] == [], measured["low"][:10]
    # The series stay apart from each other (and are not the bare SVG's black).
    assert len(measured["fills"]) >= 3, measured["fills"]
    assert "rgb(0, 0, 0)" not in measured["fills"]
    page.locator("details.chart-figures summary").first.click()
    page.screenshot(path=str(artifacts / "dashboard-overview-dark.png"), full_page=True)
    audits: dict[str, Any] = {}
    audit(page, axe_source, audits, "overview")
    assert audits["overview"] == [], json.dumps(audits, indent=2)
    assert watched.pwned() == 0
    assert watched.errors() == []


def test_the_log_is_dark_and_passes_axe(service: Service, signed_in: Any, axe_source: str) -> None:
    newsroom, _ids = seeded(service)
    watched = signed_in(newsroom, "/dashboard/log", **DARK)
    page = watched.page
    expect(page.locator("table.data tbody tr").first).to_be_visible()
    audits: dict[str, Any] = {}
    audit(page, axe_source, audits, "log")
    assert audits["log"] == [], json.dumps(audits, indent=2)


def test_the_authors_page_from_a_card_is_dark_and_passes_axe(
    service: Service, signed_in: Any, axe_source: str
) -> None:
    newsroom, ids = seeded(service)
    watched = signed_in(newsroom, f"/dashboard/queue?site={newsroom.site}", **DARK)
    page = watched.page
    page.locator(f"#comment-{ids['pending'][0]} .author-name a").click()
    page.wait_for_url(re.compile(rf"/dashboard/sites/{newsroom.site}/authors/[^/?]+$"))
    expect(page.locator(".author-comment")).to_have_count(7)
    page.get_by_label("New note").fill("Writes well, argues hard.")
    page.get_by_role("button", name="Add the note").click()
    expect(page.locator(".flash-info")).to_contain_text("Note added.")
    for status in ("pending", "approved", "rejected", "spam"):
        expect(page.locator(f".author-comment .badge-{status}").first).to_be_visible()
    audits: dict[str, Any] = {}
    audit(page, axe_source, audits, "author")
    assert audits["author"] == [], json.dumps(audits, indent=2)


def test_the_sites_page_is_dark_and_passes_axe_for_an_admin(
    service: Service, signed_in: Any, axe_source: str
) -> None:
    newsroom = service.newsroom(is_admin=True)
    watched = signed_in(newsroom, "/dashboard/sites", **DARK)
    page = watched.page
    expect(page.locator("table.data")).to_contain_text(newsroom.site)
    audits: dict[str, Any] = {}
    audit(page, axe_source, audits, "sites")
    # A refused form: an error flash over fields that keep what was typed.
    page.get_by_label("Slug").fill(newsroom.site)
    page.get_by_label("Name", exact=True).fill("Again")
    page.get_by_label("Allowed origins").fill("https://again.example")
    page.get_by_role("button", name="Add the site").click()
    expect(page.locator(".flash-error")).to_be_visible()
    page.get_by_label("Name", exact=True).focus()
    audit(page, axe_source, audits, "sites with an error")
    assert all(v == [] for v in audits.values()), json.dumps(audits, indent=2)


def test_the_light_theme_keeps_its_colours(service: Service, signed_in: Any) -> None:
    newsroom = service.newsroom()
    watched = signed_in(newsroom, color_scheme="light")
    page = watched.page
    colours = page.evaluate(
        """() => { const s = getComputedStyle(document.documentElement);
                   return [s.backgroundColor, s.color, s.getPropertyValue('--accent').trim()]; }"""
    )
    assert colours == ["rgb(243, 245, 247)", "rgb(27, 31, 36)", "#0b5cad"]
