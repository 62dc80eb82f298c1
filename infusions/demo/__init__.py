"""The infusions part of ``manage.py seed_demo`` (``clinic.seeding``): courses and sessions (``sessions``) and the
outcome questionnaires answered along them (``outcomes``)."""

from infusions.demo.sessions import holds_data, seed

__all__ = ["holds_data", "seed"]
