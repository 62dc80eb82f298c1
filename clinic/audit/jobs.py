"""The audit trail's background jobs: sealing the hash chain every five minutes (docs/deploy.md "Audit trail").

Sealing ran from a systemd timer (``manage.py seal_audit``); it is now a periodic job of the worker, so it needs no
timer and also runs under ``make run``. The command stays, for a seal by hand and ``--ship-from``.
"""

from __future__ import annotations

import logging

from clinic.audit import chain, shipping
from clinic.background.queue import BACKOFF, app

logger = logging.getLogger(__name__)


def seal_and_ship(*, ship_from: int | None = None) -> str:
    """Link the audit rows written since the last seal into the hash chain, ship one fingerprint line per new link and
    then the head (security.md G2, G5); return the sentence for the journal.

    Idempotent: a second run links nothing and ships only the head again. A run cut off between linking and shipping
    leaves those links unshipped, as the timer did: ``seal_audit --ship-from POSITION`` sends them.
    """
    before, _ = chain.head()
    linked = chain.seal()
    position, head = chain.head()
    start = before if ship_from is None else max(0, min(before, ship_from))
    shipped = shipping.ship_links(after=start, upto=position)
    shipping.ship_head(position, head)
    return f"Sealed {linked} audit rows. Chain head: position {position}, hash {head}. Shipped {shipped} links."


# lock: one sealing at a time, whichever worker; queueing_lock: a run waiting in the queue (or to be retried) is
# enough, so a stopped worker does not come back to a pile of them.
@app.periodic(cron="*/5 * * * *")
@app.task(lock="audit_chain", queueing_lock="seal_audit", retry=BACKOFF)
def seal_audit(timestamp: int) -> None:
    """Every five minutes: seal and ship, and write the chain head into the journal."""
    logger.info(seal_and_ship())
