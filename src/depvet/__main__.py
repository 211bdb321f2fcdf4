"""Allow ``python -m depvet``."""

from depvet.cli import main

raise SystemExit(main())
