"""`python -m genrelens.core.sandbox --port 0 --profile devmode-2026 ...`"""

from genrelens.core.sandbox.server import main

raise SystemExit(main())
