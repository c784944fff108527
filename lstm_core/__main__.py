"""``python -m lstm_core``: the command line of ``lstm_core.cli``."""

from lstm_core.cli import main

raise SystemExit(main())
