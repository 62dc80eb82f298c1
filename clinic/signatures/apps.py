from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    """Electronic signatures (21 CFR Part 11): re-authentication, manifestation and content hash of signed records."""

    name = "clinic.signatures"
    label = "signatures"
    verbose_name = "Electronic signatures"
