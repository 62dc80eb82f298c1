"""The kiosk's state, kept in the signed-in session of the staff member who handed the tablet over (issue #19).

While a session holds a kiosk, ``portal.middleware.KioskMiddleware`` lets through only the pages marked
``kiosk_page``; every other URL answers as if nobody were signed in. The state says which patient, which
questionnaires (fixed at the hand-over), where the patient is in them, the answers so far, and when the tablet was
last touched: untouched for the clinic's idle time it locks, and the locked screen shows nothing of the patient.
Nothing here reads the database; the views do.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from patients.scoring import INSTRUMENTS, Instrument, Item

SESSION_KEY = "portal_kiosk"


@dataclass
class KioskState:
    visit: int
    patient: int
    items: list[str]  # instrument codes, in the order asked
    idle_seconds: int
    index: int = 0  # the questionnaire being answered
    question: int = 0  # the question within it
    answers: dict[str, int] = field(default_factory=dict)
    last: float = field(default_factory=time.time)
    locked: bool = False
    done: bool = False
    support: bool = False  # the crisis text is due: shown before the next question

    @property
    def instrument(self) -> Instrument | None:
        return INSTRUMENTS[self.items[self.index]] if self.index < len(self.items) else None

    @property
    def item(self) -> Item | None:
        instrument = self.instrument
        return instrument.items[self.question] if instrument is not None else None

    def is_idle(self, now: float | None = None) -> bool:
        return (now or time.time()) - self.last > self.idle_seconds

    def answer(self, key: str, points: int | None) -> None:
        """Keep the answer to the current question and move to the next one."""
        if points is not None:
            self.answers[key] = points
        else:
            self.answers.pop(key, None)
        self.question += 1

    def back(self) -> None:
        self.question = max(self.question - 1, 0)

    @property
    def questionnaire_complete(self) -> bool:
        instrument = self.instrument
        return instrument is not None and self.question >= len(instrument.items)

    def risk_line_crossed(self) -> bool:
        """The suicide item just answered at or above its line with every scored question answered: the questionnaire
        is recorded now (raising the clinician's alert at once), whatever unscored question is left."""
        instrument = self.instrument
        risk = instrument.risk_item if instrument is not None else None
        if risk is None or self.answers.get(risk.key, -1) < risk.at_least:
            return False
        return all(item.key in self.answers for item in instrument.scored_items)  # type: ignore[union-attr]

    def next_questionnaire(self) -> None:
        self.index, self.question, self.answers = self.index + 1, 0, {}
        self.done = self.index >= len(self.items)


def start(request: Any, state: KioskState) -> None:
    request.session[SESSION_KEY] = asdict(state)


def state_of(request: Any) -> KioskState | None:
    """The kiosk the request's session holds, or None. Reads the session only (no query when it is cached)."""
    session = getattr(request, "session", None)
    data = session.get(SESSION_KEY) if session is not None else None
    return KioskState(**data) if data else None


def save(request: Any, state: KioskState, *, touched: bool = True) -> None:
    if touched:
        state.last = time.time()
    request.session[SESSION_KEY] = asdict(state)


def end(request: Any) -> None:
    request.session.pop(SESSION_KEY, None)


def end_on_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A staff member signing in on the tablet (their password typed at the sign-in page) ends its kiosk, recorded."""
    state = state_of(request) if request is not None else None
    if state is None:
        return
    from portal.models import KioskEnd
    from portal.services import kiosk_end

    kiosk_end(visit_id=state.visit, by=user, how=KioskEnd.SIGN_IN)
    end(request)
