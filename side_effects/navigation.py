"""Side effects in the top navigation and on the home dashboard (registered in apps.py)."""

from clinic.navigation import NavItem, Shortcut

NAV = [
    NavItem(
        "Side effects",
        "side_effects:side_effect_queue",
        "side_effects.view_sideeffect",
        "exclamation-triangle",
        order=30,
    ),
    NavItem("Safety", "side_effects:safety_overview", "side_effects.view_sideeffect", "graph-up", order=40),
]

SHORTCUTS = [
    Shortcut(
        "Side-effect review",
        "Unreviewed and serious side effects first.",
        "side_effects:side_effect_queue",
        "side_effects.view_sideeffect",
        "exclamation-triangle",
        order=40,
    ),
]
