"""The router in AppTests: what a run that switches pages may and may not draw."""

from __future__ import annotations

from app_session import new_app

from ui import demo, sidebar


def test_the_run_that_switches_to_the_demo_draws_no_sidebar(monkeypatch):
    """The demo's run ends in ``st.switch_page``: a sidebar drawn after it would start the
    sidebar's live fragment on the old page, whose timer reruns the old page while the Train
    page loads and blanks it. Only the Train page's own run draws the sidebar."""
    events = []
    monkeypatch.setattr(demo, "start_demo", lambda: events.append("demo") or object())
    draw = sidebar.render
    monkeypatch.setattr(sidebar, "render", lambda: events.append("sidebar") or draw())
    at = new_app()
    events.clear()
    at.button(key="_home.demo").click().run()
    assert not at.exception
    assert at.title[0].value == "Train"
    assert events == ["demo", "sidebar"]
