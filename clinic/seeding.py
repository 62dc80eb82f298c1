"""Where the demo data comes from: each app's ``demo`` module (``holds_data()``, ``seed(*, stdout)``, and optionally
``visit_companion(...)`` for its part of each demo visit), found in INSTALLED_APPS order. Used by ``manage.py
seed_demo`` and by the infusions demo, which asks the apps above it for their part of a visit."""

from __future__ import annotations

import importlib
from types import ModuleType

from django.apps import apps


def demo_modules() -> list[ModuleType]:
    modules = []
    for app_config in apps.get_app_configs():
        try:
            modules.append(importlib.import_module(f"{app_config.name}.demo"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{app_config.name}.demo":
                raise
    return modules
