from django.apps import AppConfig


class SideEffectsConfig(AppConfig):
    """Side effects: grading, seriousness, causality, the review queue, the safety overview and external reports
    (issue #5). Above ``infusions``: it adds itself to the chart, the patient page and the history through the
    registries of the apps below."""

    name = "side_effects"
    verbose_name = "Side effects"
    patient_record = True  # its rows are part of the patient's electronic copy

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from clinic.accounts.roles import grant
        from clinic.navigation import register
        from infusions import hooks
        from patients.panels import register_panel, register_patient_action
        from side_effects import counts, navigation, panels, roles, selectors
        from side_effects.reference import ensure_side_effect_terms_after_migrate

        post_migrate.connect(ensure_side_effect_terms_after_migrate, sender=self, dispatch_uid="side_effects.terms")
        grant(roles.PERMISSIONS)
        register(nav=navigation.NAV, shortcuts=navigation.SHORTCUTS, waiting=counts.WAITING)
        register_panel(panels.side_effects_panel)
        register_patient_action(panels.report_from_patient)
        hooks.register_chart_link(panels.report_from_chart)
        hooks.register_chart_link(panels.report_open_alert)
        hooks.register_session_section(panels.session_side_effects)
        hooks.register_history_source(selectors.HISTORY_SOURCE)
        hooks.register_cohort_flag("side_effect", selectors.COHORT_SESSIONS_SQL)
        hooks.register_report(
            hooks.ReportCard(
                title="Safety overview",
                text="Side-effect rates per 100 sessions by term, grade and protocol.",
                url_name="side_effects:safety_overview",
                permission="side_effects.view_sideeffect",
                icon="bi-graph-up",
            )
        )
