from django.apps import AppConfig


class StockConfig(AppConfig):
    """The ketamine stock ledger (issue #9): products, receipts, vials, append-only movements, counts and the DEA
    reports. Above ``infusions``: it adds its dose guard, start check (nothing drawn yet), chart link, patient-page
    flag and the lots drawn for a session (named by side-effect reports) through the registries of the apps below."""

    name = "stock"
    verbose_name = "Ketamine stock"
    patient_record = True  # a session's draws, administration and waste are part of the patient's electronic copy

    def ready(self) -> None:
        from clinic.accounts.roles import grant
        from clinic.navigation import register
        from infusions import hooks
        from patients.panels import register_panel
        from stock import counts, navigation, panels, roles
        from stock.selectors import drawn_strength_problem, nothing_drawn_problem, session_lots

        grant(roles.PERMISSIONS)
        register(nav=navigation.NAV, shortcuts=navigation.SHORTCUTS, waiting=counts.WAITING)
        register_panel(panels.unreconciled_stock_panel)
        hooks.register_chart_link(panels.session_stock_link)
        hooks.register_chart_link(panels.session_draw_link)
        hooks.register_dose_guard(drawn_strength_problem)
        hooks.register_session_lots(session_lots)
        hooks.register_start_check(nothing_drawn_problem)
