"""The Streamlit shell's helpers: session state, errors, workspace, store, jobs and sharing.

Pages import these so that what every page needs is written once; nothing here computes what
belongs in ``lstm_core``.
"""
