"""The admin app, configured to use ``clinic.admin_site.ClinicAdminSite`` (kept apart: no model imports here)."""

from django.contrib.admin.apps import AdminConfig


class ClinicAdminConfig(AdminConfig):
    default_site = "clinic.admin_site.ClinicAdminSite"
