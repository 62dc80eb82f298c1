"""The remote syslog handler for shipped audit lines (``clinic.audit.shipping``; security.md G5).

Read by ``clinic/settings.py`` before the apps load, so it imports nothing of Django.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def syslog_handler_config(address: str) -> dict[str, object]:
    """The logging handler for ``CLINIC_AUDIT_SYSLOG`` (``udp://host:port`` or ``tcp://host:port``).

    Plain syslog carries no encryption: point it at a collector on the same network segment or at a local relay
    (rsyslog, syslog-ng) that forwards with TLS (docs/deploy.md).
    """
    parts = urlsplit(address.strip())
    if parts.scheme not in {"udp", "tcp"} or not parts.hostname or parts.path not in {"", "/"}:
        raise ValueError(f"CLINIC_AUDIT_SYSLOG must look like udp://host:514 or tcp://host:514, not {address!r}")
    socktype = "ext://socket.SOCK_STREAM" if parts.scheme == "tcp" else "ext://socket.SOCK_DGRAM"
    return {
        "class": "logging.handlers.SysLogHandler",
        "address": (parts.hostname, parts.port or 514),
        "socktype": socktype,
        "facility": "authpriv",
        "formatter": "syslog",
    }
