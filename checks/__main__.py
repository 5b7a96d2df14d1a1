"""`python -m checks` runs the `fastapi-guardrails` command line."""

import sys

from checks.cli import main

sys.exit(main())
