"""Audit evidence shipped off the machine (security.md G5; HIPAA 164.312(b), ONC 170.315(d)(2)).

The audit rows themselves stay in the database (they carry patient ids and the backups are where they are kept,
K1). What leaves the machine is their **fingerprint**: each time ``seal_audit`` links new rows into the hash chain
(``clinic.audit.chain``), one line per new link — position, table, row key, the row's hash and the chain hash —
then the new head goes to the logger ``clinic.audit.ship``. That logger always writes to the journal (stderr under
systemd) and, when ``CLINIC_AUDIT_SYSLOG`` names a collector (``udp://host:514`` or ``tcp://host:514``), straight
to that remote syslog server too. The lines hold no names and no clinical values, only hashes and record keys.

Why fingerprints and not the rows: someone who owns the database can disable the triggers and rewrite rows, seals
and the chain consistently (the limit stated in ``clinic.audit.chain``). A head, or a row's hash, written down on
another machine before the rewrite cannot be rewritten with it: ``verify_audit --head POSITION:HASH`` checks the
database's chain against a head taken from the collector and fails if that link no longer matches.
"""

from __future__ import annotations

import logging
from typing import cast

from clinic.audit.models import AuditSeal

logger = logging.getLogger("clinic.audit.ship")

SHIP_BATCH = 2000  # links read per query while shipping a large run


def ship_links(*, after: int, upto: int) -> int:
    """Write one line per chain link with ``after < position <= upto``, then the head; return the lines shipped.

    Positions are contiguous (``verify_audit`` checks it), so the range is exactly the links of one sealing run.
    """
    shipped = 0
    while after < upto:
        links = list(
            AuditSeal.objects.filter(position__gt=after, position__lte=upto)
            .order_by("position")
            .values_list("position", "table_name", "row_pk", "row_hash", "chain_hash")[:SHIP_BATCH]
        )
        if not links:
            break
        for position, table, row_pk, row_hash, chain_hash in links:
            logger.info(
                "audit-link position=%d table=%s row=%d row_hash=%s chain_hash=%s",
                position, table, row_pk, bytes(row_hash).hex(), bytes(cast(bytes, chain_hash)).hex(),  # linked: set
            )  # fmt: skip
        shipped += len(links)
        after = cast(int, links[-1][0])  # a linked seal has its position
    return shipped


def ship_head(position: int, head_hash: str) -> None:
    logger.info("audit-head position=%d chain_hash=%s", position, head_hash)


def link_hash(position: int) -> str | None:
    """The chain hash (hex) stored at ``position``, or None when there is no such link."""
    found = AuditSeal.objects.filter(position=position).values_list("chain_hash", flat=True).first()
    return bytes(found).hex() if found is not None else None


def parse_head(text: str) -> tuple[int, str]:
    """``"48211:3f9c…"`` → (48211, "3f9c…"); ValueError with a readable message otherwise."""
    position, sep, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if not sep or not position.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("expected POSITION:HASH, the position and the 64-hex-digit chain hash of a shipped head")
    return int(position), digest


__all__ = ["link_hash", "parse_head", "ship_head", "ship_links"]
