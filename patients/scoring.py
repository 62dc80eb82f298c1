"""Outcome questionnaires as data, and their scoring: pure functions, no database.

Each instrument lists its items, the points of each answer, its score range, its severity bands and its source.
The rules and sources are those of docs/clinical.md §8; where the source material left a value
unverified (❓), the value chosen here is the one in the instrument's own published scoring guide, and the
docstring says so.

Item wording: PHQ-9 and GAD-7 are free to reproduce (Pfizer; "no permission required"). HIT-6 (QualityMetric) and
MIDAS (Innovative Medical Research) are free for clinical use; MADRS items are the published item names. Clinics
holding a licence for the exact printed wording can edit the text here without touching the scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypedDict


@dataclass(frozen=True)
class Option:
    points: int
    label: str


@dataclass(frozen=True)
class Item:
    """One question. Either a choice among ``options`` or a whole number between ``low`` and ``high``."""

    key: str
    text: str
    options: tuple[Option, ...] = ()
    low: int = 0
    high: int = 0
    unit: str = ""
    scored: bool = True  # unscored items (PHQ-9 difficulty, MIDAS A and B) are recorded but not added

    @property
    def is_choice(self) -> bool:
        return bool(self.options)

    @property
    def allowed(self) -> range | set[int]:
        return {o.points for o in self.options} if self.options else range(self.low, self.high + 1)

    def option_label(self, points: int | None) -> str:
        """The words of the answer worth ``points`` ("" for numeric items or no answer)."""
        return next((o.label for o in self.options if o.points == points), "")


@dataclass(frozen=True)
class Band:
    """A severity band, inclusive at both ends."""

    low: int
    high: int
    code: str
    label: str


@dataclass(frozen=True)
class RiskItem:
    """The item whose answer at or above ``at_least`` opens a suicide-risk alert (docs/clinical.md §8.3)."""

    key: str
    at_least: int
    about: str  # what the item asks, in the words the alert uses


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str  # short name, e.g. PHQ-9
    title: str  # what it measures
    instructions: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    source: str
    clinician_rated: bool = False
    recall: str = ""
    #: Days one answer covers (its recall period): asked again when the last is older at the visit
    #: (docs/clinical.md §8.9). None: not asked of the patient ahead of a visit (clinician-rated, or at the chair).
    recall_days: int | None = None
    risk_item: RiskItem | None = None
    scored_items: tuple[Item, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scored_items", tuple(i for i in self.items if i.scored))

    @property
    def min_score(self) -> int:
        return sum(min(i.allowed) for i in self.scored_items)

    @property
    def max_score(self) -> int:
        return sum(max(i.allowed) for i in self.scored_items)

    @property
    def normal_band(self) -> Band:
        """The lowest band (none, minimal, normal, little or no impact): a baseline in it has nothing to respond from
        (docs/clinical.md §9.1). Every instrument lists it first."""
        return self.bands[0]

    def item(self, key: str) -> Item:
        return next(i for i in self.items if i.key == key)

    def band(self, total: int) -> Band:
        return band_for(self, total)

    def band_label(self, code: str) -> str:
        return next((b.label for b in self.bands if b.code == code), code)


class IncompleteAnswers(ValueError):
    """Scored items left unanswered; ``missing`` holds their keys in form order."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(f"{len(missing)} question(s) not answered: {', '.join(missing)}")


class InvalidAnswer(ValueError):
    def __init__(self, key: str, value: object) -> None:
        self.key = key
        super().__init__(f"Question {key}: {value!r} is not one of the allowed answers.")


@dataclass(frozen=True)
class Score:
    total: int
    band: Band


def band_for(instrument: Instrument, total: int) -> Band:
    for band in instrument.bands:
        if band.low <= total <= band.high:
            return band
    raise ValueError(f"{instrument.name} total {total} is outside {instrument.min_score}-{instrument.max_score}.")


def score(instrument: Instrument, answers: Mapping[str, int | None]) -> Score:
    """Total and severity band. Every scored item must be answered: no prorating (the published scoring guides
    of these instruments define the total only for a complete form)."""
    missing = [i.key for i in instrument.scored_items if answers.get(i.key) is None]
    if missing:
        raise IncompleteAnswers(missing)
    for item in instrument.items:
        value = answers.get(item.key)
        if value is not None and value not in item.allowed:
            raise InvalidAnswer(item.key, value)
    total = sum(int(answers[i.key] or 0) for i in instrument.scored_items)  # every scored item is answered (above)
    return Score(total=total, band=band_for(instrument, total))


def suicide_risk(instrument: Instrument, answers: Mapping[str, int | None]) -> bool:
    """The instrument's suicide item answered at or above its line needs a clinician's assessment the same day,
    whatever the total (docs/clinical.md §8.3): PHQ-9 item 9 ("thoughts that you would be better off dead, or of
    hurting yourself") above 0 (Kroenke 2001 [R80]); MADRS item 10 (suicidal thoughts) at 2 or more, the first anchor
    that names suicidal thoughts (Montgomery and Åsberg 1979 [R83]). Instruments without a suicide item never alert."""
    item = instrument.risk_item
    return item is not None and (answers.get(item.key) or 0) >= item.at_least


# Answer scales -----------------------------------------------------------------------------------------------------

FREQUENCY_2_WEEKS = (
    Option(0, "Not at all"),
    Option(1, "Several days"),
    Option(2, "More than half the days"),
    Option(3, "Nearly every day"),
)
DIFFICULTY = (
    Option(0, "Not difficult at all"),
    Option(1, "Somewhat difficult"),
    Option(2, "Very difficult"),
    Option(3, "Extremely difficult"),
)
# HIT-6 per-answer values 6/8/10/11/13 (docs/clinical.md §8.6): these are the values of the HIT-6 scoring
# guide (Kosinski 2003, QualityMetric HIT-6 v1.1 scoring), which give the published 36-78 range.
HIT6_SCALE = (
    Option(6, "Never"),
    Option(8, "Rarely"),
    Option(10, "Sometimes"),
    Option(11, "Very often"),
    Option(13, "Always"),
)
MADRS_SCALE = tuple(
    Option(n, label)
    for n, label in enumerate(
        [
            "0: absent / normal",
            "1",
            "2: mild",
            "3",
            "4: moderate / marked",
            "5",
            "6: severe / extreme",
        ]
    )
)


def _choice_items(texts: list[str], options: tuple[Option, ...]) -> tuple[Item, ...]:
    return tuple(Item(str(n), text, options=options) for n, text in enumerate(texts, start=1))


# The instruments -------------------------------------------------------------------------------------------------

PHQ9 = Instrument(
    code="phq9",
    recall_days=14,
    name="PHQ-9",
    title="Depression (Patient Health Questionnaire)",
    recall="Over the last 2 weeks",
    instructions="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    items=(
        *_choice_items(
            [
                "Little interest or pleasure in doing things",
                "Feeling down, depressed, or hopeless",
                "Trouble falling or staying asleep, or sleeping too much",
                "Feeling tired or having little energy",
                "Poor appetite or overeating",
                "Feeling bad about yourself, or that you are a failure or have let yourself or your family down",
                "Trouble concentrating on things, such as reading the newspaper or watching television",
                "Moving or speaking so slowly that other people could have noticed? Or the opposite, being so "
                "fidgety or restless that you have been moving around a lot more than usual",
                "Thoughts that you would be better off dead or of hurting yourself in some way",
            ],
            FREQUENCY_2_WEEKS,
        ),
        Item(
            "difficulty",
            "If you checked off any problems, how difficult have these problems made it for you to do your work, "
            "take care of things at home, or get along with other people?",
            options=DIFFICULTY,
            scored=False,
        ),
    ),
    # Kroenke, Spitzer & Williams 2001 [R80]: 5, 10, 15, 20 = mild, moderate, moderately severe, severe.
    bands=(
        Band(0, 4, "minimal", "None–minimal"),
        Band(5, 9, "mild", "Mild"),
        Band(10, 14, "moderate", "Moderate"),
        Band(15, 19, "moderately_severe", "Moderately severe"),
        Band(20, 27, "severe", "Severe"),
    ),
    source="Kroenke K, Spitzer RL, Williams JB. J Gen Intern Med 2001;16:606-13 [R80]; range 0-27 [R81].",
    # Any answer above "Not at all" [R80].
    risk_item=RiskItem("9", 1, "thoughts of being better off dead or of self-harm"),
)

GAD7 = Instrument(
    code="gad7",
    recall_days=14,
    name="GAD-7",
    title="Anxiety (Generalized Anxiety Disorder 7)",
    recall="Over the last 2 weeks",
    instructions="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=_choice_items(
        [
            "Feeling nervous, anxious, or on edge",
            "Not being able to stop or control worrying",
            "Worrying too much about different things",
            "Trouble relaxing",
            "Being so restless that it's hard to sit still",
            "Becoming easily annoyed or irritable",
            "Feeling afraid as if something awful might happen",
        ],
        FREQUENCY_2_WEEKS,
    ),
    # Spitzer 2006 [R82]: 5, 10, 15 = mild, moderate, severe.
    bands=(
        Band(0, 4, "minimal", "Minimal"),
        Band(5, 9, "mild", "Mild"),
        Band(10, 14, "moderate", "Moderate"),
        Band(15, 21, "severe", "Severe"),
    ),
    source="Spitzer RL, Kroenke K, Williams JB, Löwe B. Arch Intern Med 2006;166:1092-7 [R82].",
)


class _Range(TypedDict):
    low: int
    high: int
    unit: str


_DAYS_3_MONTHS: _Range = {"low": 0, "high": 90, "unit": "days"}
MIDAS = Instrument(
    code="midas",
    recall_days=90,
    name="MIDAS",
    title="Migraine disability (Migraine Disability Assessment)",
    recall="In the last 3 months",
    instructions="Answer each question about ALL your headaches over the last 3 months. Write 0 if you did not do "
    "the activity in the last 3 months.",
    items=(
        Item("1", "On how many days did you miss work or school because of your headaches?", **_DAYS_3_MONTHS),
        Item(
            "2",
            "How many days was your productivity at work or school reduced by half or more because of your "
            "headaches? (Do not include days you counted in question 1.)",
            **_DAYS_3_MONTHS,
        ),
        Item("3", "On how many days did you not do household work because of your headaches?", **_DAYS_3_MONTHS),
        Item(
            "4",
            "How many days was your productivity in household work reduced by half or more because of your "
            "headaches? (Do not include days you counted in question 3.)",
            **_DAYS_3_MONTHS,
        ),
        Item(
            "5",
            "On how many days did you miss family, social or leisure activities because of your headaches?",
            **_DAYS_3_MONTHS,
        ),
        Item("A", "On how many days did you have a headache? (not scored)", scored=False, **_DAYS_3_MONTHS),
        Item(
            "B",
            "On a scale of 0-10, on average how painful were these headaches? (not scored)",
            low=0,
            high=10,
            scored=False,
        ),
    ),
    # Stewart 2001 [R95]: grade I 0-5, II 6-10, III 11-20, IV 21+. The top of grade IV is the form's maximum
    # (5 questions x 90 days).
    bands=(
        Band(0, 5, "grade_1", "Grade I: little or no disability"),
        Band(6, 10, "grade_2", "Grade II: mild disability"),
        Band(11, 20, "grade_3", "Grade III: moderate disability"),
        Band(21, 450, "grade_4", "Grade IV: severe disability"),
    ),
    source="Stewart WF, Lipton RB, et al. Neurology 2001;56(6 Suppl 1):S20-8 [R95].",
)

HIT6 = Instrument(
    code="hit6",
    recall_days=28,
    name="HIT-6",
    title="Headache impact (Headache Impact Test)",
    recall="In the past 4 weeks",
    instructions="Please answer each question by choosing one answer.",
    items=_choice_items(
        [
            "When you have headaches, how often is the pain severe?",
            "How often do headaches limit your ability to do usual daily activities including household work, "
            "work, school, or social activities?",
            "When you have a headache, how often do you wish you could lie down?",
            "In the past 4 weeks, how often have you felt too tired to do work or daily activities because of your "
            "headaches?",
            "In the past 4 weeks, how often have you felt fed up or irritated because of your headaches?",
            "In the past 4 weeks, how often did headaches limit your ability to concentrate on work or daily "
            "activities?",
        ],
        HIT6_SCALE,
    ),
    # [R96, R97]: ≤49 little or no impact, 50-55 some, 56-59 substantial, ≥60 severe.
    bands=(
        Band(36, 49, "little", "Little or no impact"),
        Band(50, 55, "some", "Some impact"),
        Band(56, 59, "substantial", "Substantial impact"),
        Band(60, 78, "severe", "Severe impact"),
    ),
    source="Kosinski M, et al. Qual Life Res 2003;12:963-74 [R96]; Yang M, et al. Cephalalgia 2011 [R97].",
)

NRS_PAIN = Instrument(
    code="nrs_pain",
    name="NRS pain",
    title="Pain intensity (numeric rating scale)",
    recall="Average over the last 24 hours",
    instructions="On a scale of 0 (no pain) to 10 (worst pain imaginable), how bad has your pain been on average "
    "over the last 24 hours?",
    items=(Item("1", "Average pain over the last 24 hours (0-10)", low=0, high=10),),
    # The sources give no NRS bands (docs/clinical.md §8.8; only the 30 % / 50 % / 2-point change rules [R90, R91]).
    # The usual cut-points 1-3 mild, 4-6 moderate, 7-10 severe are those of Serlin 1995 (Pain 61:277-84), adopted
    # by Boonstra 2016 and most pain services.
    bands=(
        Band(0, 0, "none", "No pain"),
        Band(1, 3, "mild", "Mild"),
        Band(4, 6, "moderate", "Moderate"),
        Band(7, 10, "severe", "Severe"),
    ),
    source="Farrar JT 2001 [R91]; IMMPACT, Dworkin 2008 [R90]; bands Serlin 1995.",
)

MADRS = Instrument(
    code="madrs",
    name="MADRS",
    title="Depression, clinician-rated (Montgomery-Åsberg)",
    recall="Over the past week (MADRS-24h for next-day ratings [R87])",
    instructions="Clinician-rated from the interview. Rate each item 0-6; the anchors are at 0, 2, 4 and 6.",
    clinician_rated=True,
    items=_choice_items(
        [
            "Apparent sadness",
            "Reported sadness",
            "Inner tension",
            "Reduced sleep",
            "Reduced appetite",
            "Concentration difficulties",
            "Lassitude",
            "Inability to feel",
            "Pessimistic thoughts",
            "Suicidal thoughts",
        ],
        MADRS_SCALE,
    ),
    # Snaith 1986 [R84]: 0-6 normal, 7-19 mild, 20-34 moderate, 35-60 severe.
    bands=(
        Band(0, 6, "none", "Normal / symptom absent"),
        Band(7, 19, "mild", "Mild"),
        Band(20, 34, "moderate", "Moderate"),
        Band(35, 60, "severe", "Severe"),
    ),
    source="Montgomery SA, Åsberg M. Br J Psychiatry 1979; bands Snaith 1986 [R84, R85, R86].",
    # Item 10's anchors [R83]: 0 enjoys life or takes it as it comes; 2 weary of life, only fleeting suicidal thoughts;
    # 4 probably better off dead, suicidal thoughts common, suicide considered without specific plans; 6 explicit
    # plans. 2 is the first anchor that names suicidal thoughts, which is what PHQ-9 item 9 above 0 catches; the
    # research line of 4 ("significant" ideation [R89]) would let fleeting thoughts pass without an assessment.
    risk_item=RiskItem("10", 2, "suicidal thoughts"),
)

INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in (PHQ9, GAD7, MIDAS, HIT6, NRS_PAIN, MADRS)}
INSTRUMENT_CHOICES = [(i.code, i.name) for i in INSTRUMENTS.values()]
