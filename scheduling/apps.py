from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """The clinic's schedule (issue #18): rooms, chairs, opening hours, closure days and the bookings that hold a
    chair for a session. Above ``infusions``: it books the course page's sessions through ``infusions.hooks``
    (a Booker) and frees a chair when infusions cancels a session."""

    name = "scheduling"
    verbose_name = "Schedule"
    # Not yet part of the electronic copy: clinic.canonical has no plain form for a time range (the booking's
    # period) yet.
    patient_record = False

    def ready(self) -> None:
        from clinic.accounts.roles import grant
        from infusions import hooks
        from scheduling import roles, services

        grant(roles.PERMISSIONS)
        hooks.register_booker(hooks.Booker(chair_choices=services.chair_choices, book=services.book_from_form))
        hooks.register_session_cancelled(services.session_released)
