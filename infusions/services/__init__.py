"""Writes for infusions: sessions (the state machine) and the ketamine stock ledger. Import from here:
``from infusions import services``; ``services.session_start(...)``, ``services.stock_draw(...)``."""

from infusions.services.sessions import *  # noqa: F403
from infusions.services.sessions import PADSS_ITEMS, SECOND_CHECKER_SAME  # noqa: F401  (used by tests and views)
from infusions.services.stock import *  # noqa: F403
