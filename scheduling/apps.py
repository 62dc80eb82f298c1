from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """The clinic's schedule (issue #18): rooms, chairs, opening hours, closure days and the bookings that hold a
    chair for a session. Above ``infusions``: it books the course page's sessions through ``infusions.hooks``
    (a Booker) and frees a chair when infusions cancels a session."""

    name = "scheduling"
    verbose_name = "Schedule"
    patient_record = True  # its bookings are part of the patient's electronic copy (a period is a plain range there)

    def ready(self) -> None:
        from clinic.accounts.roles import grant
        from clinic.navigation import register
        from infusions import hooks
        from patients.panels import register_panel
        from scheduling import counts, navigation, panels, roles, selectors, services

        grant(roles.PERMISSIONS)
        register(nav=navigation.NAV, waiting=counts.WAITING)
        register_panel(panels.bookings_panel)
        hooks.register_history_source(hooks.HistorySource(
            kind="booking_moved", label="Moved sessions", order=15, records=selectors.moved_bookings,
            at=lambda booking: booking.start, entry=selectors.moved_entry))  # fmt: skip
        hooks.register_booker(hooks.Booker(chair_choices=services.chair_choices, book=services.book_from_form,
                                           series_url=services.series_url))  # fmt: skip
        hooks.register_session_cancelled(services.session_released)
