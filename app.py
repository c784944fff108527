"""LSTM Lab: the entry point. Run with ``streamlit run app.py``.

Every run goes through the router in ``ui/router.py``: the page config, settings shared in the
URL, ``st.navigation`` over the pages in ``pages/``, the sidebar summary, then the page.
"""

from ui import router

router.run()
