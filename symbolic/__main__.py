"""``python -m symbolic`` runs the command line."""

from symbolic.cli import main

raise SystemExit(main())
