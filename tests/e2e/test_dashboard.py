"""The quality manager's dashboard in a browser: plotly draws every chart from the static
bundle as it is scrolled to, each chart answers the mouse, a click on a bar opens the
answers behind it, and axe-core finds nothing serious."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import pytest
from playwright.sync_api import expect

from survey.models import Organisation, Role

from .entry import member
from .helpers import (
    CHARTS,
    close_and_let_the_server_finish,
    filed_survey,
    log_in,
    new_context,
    scroll_to_every_chart,
    serious_violations,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def test_the_dashboard_draws_its_charts_and_opens_the_answers_behind_a_bar(
    page: Any, live_server: Any, organisation: Organisation
) -> None:
    survey = filed_survey(organisation)
    member(organisation, Role.QUALITY_MANAGER, "responsable")
    log_in(page, live_server, "responsable")

    page.goto(f"{live_server.url}/tableau-de-bord/campagne/{survey.campaign.pk}/")

    scroll_to_every_chart(page)
    drawn = page.evaluate(
        f"[...document.querySelectorAll('{CHARTS}')].every(c => c.querySelector('svg'))"
    )
    assert drawn
    violations = serious_violations(page)
    assert violations == [], "\n".join(violations)

    bar = page.locator(".dashboard-chart").filter(has_text="Q19").locator("g.point path").last
    bar.click(force=True)
    page.wait_for_url("**/questionnaires-recueillis/**")
    expect(page.locator("#answers-behind")).to_contain_text("Très satisfaisant, Satisfaisant")


# The figure a drawn chart holds, as plotly was given it (private keys left out), for the
# schema of the plotly package.
DRAWN_FIGURE = """(chart) => JSON.parse(JSON.stringify(
  {data: chart.data, layout: chart.layout},
  (key, value) => (key.startsWith("_") ? undefined : value)
))"""

# Hover the middle of the first mark (bar or point) large enough to aim at; whether plotly
# wrote a hover label in answer.
HOVER_TARGET = """(chart) => {
  const marks = [...chart.querySelectorAll("g.point path, path.point")];
  const mark = marks.find((m) => {
    const box = m.getBoundingClientRect();
    return box.width >= 3 && box.height >= 3;
  });
  if (!mark) return null;
  const box = mark.getBoundingClientRect();
  return {x: box.x + box.width / 2, y: box.y + box.height / 2};
}"""


def test_charts_are_drawn_as_they_come_near_and_answer_the_mouse(
    browser: Any, live_server: Any, organisation: Organisation
) -> None:
    survey = filed_survey(organisation)
    member(organisation, Role.QUALITY_MANAGER, "responsable")
    context = new_context(browser, viewport=PHONE)
    try:
        page = context.new_page()
        log_in(page, live_server, "responsable")
        page.goto(f"{live_server.url}/tableau-de-bord/campagne/{survey.campaign.pk}/")
        page.wait_for_load_state("load")
        page.wait_for_timeout(1_000)  # what the page would draw at load, it has drawn now

        charts = page.locator(CHARTS)
        total = charts.count()
        assert total >= 15
        drawn_at_load = page.evaluate(
            f"[...document.querySelectorAll('{CHARTS}')].filter(c => c.querySelector('svg')).length"
        )
        # No work at load for the charts below the fold, and no plotly.js while no chart
        # is near the first screen.
        assert drawn_at_load == 0
        assert page.evaluate("typeof window.Plotly") == "undefined"
        assert page.locator("#plotly\\.js-style-global").count() == 0
        # Until drawn, a chart keeps its height: the tables under it do not move.
        assert charts.last.bounding_box()["height"] > 150

        assert scroll_to_every_chart(page) == total
        kinds = set()
        for index in range(total):
            chart = charts.nth(index)
            chart.scroll_into_view_if_needed()
            handle = chart.element_handle()
            figure = page.evaluate(DRAWN_FIGURE, handle)
            assert figure["data"], f"chart {index}: no data bound"
            go.Figure(figure)  # what was drawn passes plotly's schema too
            kinds |= {trace.get("type", "scatter") for trace in figure["data"]}
            target = page.evaluate(HOVER_TARGET, handle)
            if target is None:  # every bar at 0 %: nothing to aim at
                continue
            page.mouse.move(target["x"], target["y"])
            page.wait_for_function(
                "(chart) => chart.querySelector('.hoverlayer').childElementCount > 0", arg=handle
            )
            page.mouse.move(0, 0)
        assert kinds == {"bar", "scatter"}
        # plotly's rules came with it, as the stylesheet that keeps plotly from writing any
        # <style> (the policy allows none).
        assert (
            page.evaluate("document.getElementById('plotly.js-style-global').sheet.cssRules.length")
            > 50
        )
        assert page.locator("style").count() == 0
    finally:
        close_and_let_the_server_finish(context)
