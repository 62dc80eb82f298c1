"""Writes for infusions: courses and sessions (the state machine). Import from here: ``from infusions import
services``; ``services.session_start(...)``."""

from infusions.services.sessions import *  # noqa: F403
from infusions.services.sessions import PADSS_ITEMS, SECOND_CHECKER_SAME  # noqa: F401  (used by tests and views)
