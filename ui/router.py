"""The router: page config, the pages, the sidebar, and shared settings in the URL.

It also installs the clean shutdown of the server process (``lstm_core.shutdown``: SIGTERM and
SIGINT interrupt every job and keep its run, then the process exits with status 0), and, in
hosted mode, settles the visitor's workspace before the URL is rewritten.

``app.py`` calls ``run()`` on every script run. Every page also starts with ``ensure_routed()``,
because of a Streamlit quirk: while a ``pages/`` folder sits beside the entry point, a server
process that has not yet run ``st.navigation`` (its first visitor came in by a deep link such
as ``/train``) runs the page file alone, without ``app.py``, in Streamlit's older multipage
mode. ``ensure_routed`` notices and runs the router instead, which switches Streamlit to
``st.navigation`` for good and then runs the same page.
"""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from lstm_core import shutdown
from ui import share, sidebar, workspace
from ui.errors import show_error

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
# (file, title, icon), in the order of the navigation.
PAGES = (
    ("home.py", "Home", ":material/home:"),
    ("data.py", "Data", ":material/table_chart:"),
    ("model.py", "Model", ":material/stacks:"),
    ("train.py", "Train", ":material/monitoring:"),
    ("states.py", "States", ":material/grid_on:"),
    ("vanishing.py", "Vanishing gradients", ":material/trending_down:"),
    ("ablation.py", "Ablation lab", ":material/science:"),
    ("sweeps.py", "Sweeps", ":material/scatter_plot:"),
    ("runs.py", "Runs", ":material/history:"),
)
_routing = threading.local()  # Streamlit runs each session's script in its own thread


def run() -> None:
    """Set up the page, read the URL's settings, run the page, then write the URL and sidebar."""
    # An emoji icon: the browser draws it; a ":material/...:" one is fetched from Google's servers.
    st.set_page_config(page_title="LSTM Lab", page_icon="🔁", layout="wide")
    workspace.use_backend_secret()
    shutdown.install()
    workspace.remember_visitor()  # before the URL is read and rewritten: it may hold the key
    share.apply_query_params_once()
    page = st.navigation(
        [
            st.Page(PAGES_DIR / file, title=title, icon=icon, default=file == "home.py")
            for file, title, icon in PAGES
        ]
    )
    # Filled after the page, so the URL and the summary show what the page just changed.
    summary = st.sidebar.container()
    _routing.active = True
    try:
        page.run()
    except Exception as error:  # a bug: one short line here, the traceback in the server log
        show_error(error)
    finally:
        _routing.active = False
    # Only a page that ran to its end (or failed) gets here: st.switch_page, st.rerun and
    # st.stop raise past this point, and the next run draws the URL and the summary. A run that
    # switches pages must start no live fragment (the summary's, while a job runs): the browser
    # would fire its timer while the new page loads, asking to rerun it on the old page, and
    # that rerun clears the new page (blank; "Bad delta path index" in the console once the new
    # page's own live fragment redraws). Pages therefore end early by returning, not stopping.
    share.write_query_params()
    with summary:
        sidebar.render()


def ensure_routed() -> None:
    """Run the router if Streamlit ran this page without it (see the module docstring)."""
    if not getattr(_routing, "active", False):
        run()
        st.stop()
