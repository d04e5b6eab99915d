"""Allow ``python -m dbtui``."""

from dbtui.cli import main

raise SystemExit(main())
