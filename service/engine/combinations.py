"""Combination findings: rules whose slots are each filled by a different input.

Severity follows the policy (``service/knowledge/severity.py``): the rule's own severity,
raised by a joined lab result that is ``high`` on its own or matches one of the rule's
escalations; a dose-limited rule whose dose the text does not give is ``low`` and says to
check the dose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

from service.engine._systems import system_of
from service.engine.findings import (
    PREGNANCY_CONDITION,
    Facts,
    LabResult,
    corrected_value,
    latest_by_analyte,
    shown_unit,
)
from service.engine.matches import ConditionMatch, DrugHit, LabMatch, MedicationMatch
from service.engine.models import Basis, Finding, LabInput, MedicationInput, Severity
from service.engine.prepared import Knowledge, PreparedRule
from service.engine.refs import CONDITIONS, LABS, MEDICATIONS, Ref, input_ref
from service.engine.render import SharedLists, combination_detail, shared_lists
from service.engine.strings import STRENGTH, and_list, cap, shown_at, strength_mg, unique
from service.knowledge.schema import CombinationRule, Drug, DuplicateAdvice, EffectKind, Slot
from service.knowledge.severity import SEVERITY_RANK, most_severe
from service.knowledge.text import tokens

# A strength written without its unit right after the name ("Zocor 80"): not a ratio
# ("10/40") or a range, and no other unit, count or duration after it ("1 tab", "2 puffs",
# "3 days").
_BARE_STRENGTH = re.compile(
    r"^[^\d]*?[a-z)]\s+(\d+(?:\.\d+)?)(?![\d./-])(?!\s*(?:mcg|ug|g\b|gm|units?|iu|ml|meq|mmol"
    r"|%|tab|cap|pill|puff|drop|spray|patch|dose|time|x\b|day|week|month|hour|hr|min))",
    re.IGNORECASE,
)
# A product's strength pair: "10/40", "10-40 mg", "10 mg/40 mg", "10 mg-80 mg".
_STRENGTH_PAIR = re.compile(
    r"(?<![\d./])(\d+(?:\.\d+)?)\s*(?:mg)?\s*[/-]\s*(\d+(?:\.\d+)?)(?![\d./])(?:\s*mg\b)?",
    re.IGNORECASE,
)
# How many tablets a dose is ("take 2 tablets", "1/2 tab", "half a tablet").
_TABLETS = re.compile(
    r"\b((?:one|1)\s+(?:and\s+(?:a\s+|one[\s-]+)?half|and\s+1/2|1/2)|\d+(?:\.\d+)?|1/2|\u00bd|half"
    r"|one|two|three|four|ii|iii)\s+(?:a\s+)?"
    r"(?:tabs?|tablets?|caps?|capsules?|pills?)\b",
    re.IGNORECASE,
)
# A count written as "x2" right after the strength ("simvastatin 20 mg x2 qhs": two
# tablets), not a course ("x5 days", "x 2 weeks").
_TIMES_COUNT = re.compile(
    r"^\s*x\s*([2-4])\b(?!\s*(?:d\b|days?|wks?|weeks?|months?|mo\b|doses?|refills?))",
    re.IGNORECASE,
)
# A count written before the strength it multiplies (review56 D5): "2x20mg", "2 x 10 mg",
# "2 \u00d7 20 mg" (the x right before the strength), and "two 20 mg tablets", "take 2 20 mg
# tabs" (a count word, or a digit after "take", with a tablet word after the strength).
# Not a frequency or a course, which come after a strength or have no strength right after
# them ("2 x daily 20 mg", "20 mg x 2 weeks"), nor a quantity ("30 x 20 mg": one digit).
_COUNT_X_BEFORE = re.compile(r"(?<![\w./,])([1-4])\s*[x\u00d7*]\s*$", re.IGNORECASE)
_COUNT_WORD_BEFORE = re.compile(r"(?:\b(one|two|three|four)|\btakes?\s+([1-4]))\s+$", re.IGNORECASE)
# Only when the count stands right after the drug's name (review57c R2): what comes before
# it is words alone, with only whitespace, ":" or "-" before the count, and none of them a
# word of a quantity, a refill, a step or a day ("refills: 3 x 20 mg", "(box of 2 x 20 mg)",
# "Q2 x 20mg", "step 2 x 20mg", "day 2 x 20 mg", "1-2 x 20 mg" keep 20 mg).
_NAME_BEFORE_COUNT = re.compile(
    r"^\s*(?:[a-z][a-z'-]*\s+)*?[a-z][a-z'-]*\s*[:-]?\s*$|^\s*$", re.IGNORECASE
)
_NOT_A_NAME_WORD = re.compile(
    r"\b(?:refills?|rf|box(?:es)?|packs?|packets?|bottles?|blisters?|strips?|steps?|days?|weeks?"
    r"|wks?|months?|cycles?|phases?|q|qty|quantity|dispensed?|disp|supply|of|then|dose|doses"
    r"|sig|no|number|level|stage)\b",
    re.IGNORECASE,
)
# After the strength, what makes a count before it no dose's: another count ("take 1
# daily", "(1 tab qhs)"), a quantity dispensed ("tablets dispensed", "#60", "qty", "box",
# "pack", "refills") or a later regimen ("then 1 tab daily").
_NOT_THE_DOSE_AFTER = re.compile(
    r"\b(?:takes?|give|inject)\s+(?:\d|one|two|three|four|half|1/2|\u00bd)"
    r"|(?<![\w.])(?:\d+(?:\.\d+)?|one|two|three|four|half|1/2|\u00bd)\s*(?:tabs?|tablets?|caps?|capsules?|pills?)\b"
    r"|\bdispensed?\b|\bdisp\b|#|\bqty\b|\bquantity\b|\bbox(?:es)?\b|\bpacks?\b|\brefills?\b"
    r"|\bthen\b",
    re.IGNORECASE,
)
_TABLET_AFTER = re.compile(
    r"\s*(?:oral\s+)?(?:tabs?|tablets?|caps?|capsules?|pills?)\b", re.IGNORECASE
)
# A square metre of body surface, as a dose is written per it ("m2", "m\u00b2", "sq m", "BSA").
_SURFACE_UNIT = r"(?:m2|m\^2|m\u00b2|sq\.?\s*m|bsa)"
# A strength per body weight or surface ("2 mg/kg", "75 mg/m2", "1 mg per kg"): not a
# daily dose the text gives.
_PER_BODY_SIZE = re.compile(rf"\s*(?:/|per)\s*(?:kg|{_SURFACE_UNIT})\b", re.IGNORECASE)
# A dose change written after the old strength ("80 mg, dose reduced to 40 mg"): the
# strength after it is the dose now taken. Not a plan ("may increase to 80 mg").
_DOSE_CHANGED_TO = re.compile(
    r"\b(?:reduced|decreased|lowered|increased|raised|changed|titrated|adjusted|cut)"
    r"(?:\s+(?:down|up|back))?\s+to\s+(?=\d)|(?:->|\u2192)\s*(?=\d)",
    re.IGNORECASE,
)
# A strength per square metre of body surface ("10 mg/m2/day", "15 mg/m2 divided tid"): its
# daily dose is at most the strength times an adult's body surface area (about 1.7-2.0 m2,
# less for a child), so a replacement dose per m2 stays below a replacement limit.
_PER_SURFACE = re.compile(
    rf"\s*(?:/|per)\s*{_SURFACE_UNIT}\b(\s*(?:/|per|a)\s*(?:day|d)\b)?", re.IGNORECASE
)
_MAX_BODY_SURFACE_M2 = 2.0
# A count said as a dose ("take 10 tablets").
_TAKE_BEFORE = re.compile(r"\b(?:take|takes|give|inject)\s*$", re.IGNORECASE)
# What comes right before a quantity dispensed, not a dose ("(30 tablets)", "#60 tabs").
_DISPENSED = re.compile(r"(?:[(#]|\b(?:qty|quantity|dispense|disp|supply)\b[:.]?)\s*$")
# A count of tablets written without "tablet", before a route or frequency ("simvastatin
# 20 mg, 2 qhs", "Simvastatin 20 MG Oral Tablet; 2 po qhs").
_BARE_COUNT = re.compile(
    r"^[\s,;]*(?:oral\s+)?(?:tablets?|tabs?|capsules?|caps?)?[\s,;]*(?:take\s+)?"
    r"([1-4]|1/2|\u00bd|half|one|two|three|four|ii|iii)\s+(?=(?:po|p\.o\.|by\s+mouth|orally|qhs|qam|qpm|hs"
    r"|daily|nightly|bid|tid|qid|at\s+bedtime|every)\b)",
    re.IGNORECASE,
)
_TABLET_COUNTS = {
    "1/2": 0.5, "\u00bd": 0.5, "half": 0.5, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0,
    "ii": 2.0, "iii": 3.0,
}  # fmt: skip
# A frequency per week ("twice a week", "weekly", "qweek"), not a duration ("for 2 weeks"),
# and every other day.
_PER_WEEK = re.compile(
    r"\b(?:a|per|each|every)\s*(?:week|wk)\b|\bweekly\b|\bq\s?(?:week|wk)\b|/\s*(?:week|wk)\b",
    re.IGNORECASE,
)
# A dose planned or allowed, not taken ("may increase to 40 mg", "max 80 mg", "up to 1.2 mg").
_PLAN = re.compile(
    r"\b(?:may|might|can|could|will|plan|planned|goal|target|max|maximum|up\s+to|if|increase"
    r"|titrate|consider)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]+")
# Words a dosage text may start with before its dose.
_SIG_START = frozenset(
    {"take", "takes", "give", "inject", "administer", "start", "starting", "now", "po", "by",
     "mouth", "orally", "oral", "sig", "dose", "iv", "im", "sc", "subcutaneously"}
)  # fmt: skip
# Another thing a dosage text says a drug is taken with ("take with aspirin 81 mg").
_TAKEN_WITH = re.compile(r"\bwith\b", re.IGNORECASE)
# A product name as an EHR writes it, with its dose form or RxNorm's "MG" ("Simvastatin 20
# MG Oral Tablet"): what follows "; " is then its directions ("prednisone 5 mg daily; 20 mg
# for flare" is a note, not a product and its directions).
_PRODUCT_NAME = re.compile(
    r"(?i:\b(?:tablets?|tabs?|capsules?|caps?|solution|suspension|syrup|elixir|injection|"
    r"injectable|patch|cream|ointment|gel|spray|inhaler|powder|granules|lozenge|film)\b)"
    r"|\d\s*MG\b"
)
# Epic writes a count twice ("2 (two) times daily", "every 12 (twelve) hours"), and a
# dose's total after it ("1 tablet (0.6 mg total)"): read once, not added up.
_COUNT_ECHO = re.compile(
    r"\s*\((?:one|two|three|four|five|six|eight|twelve|twenty-four|seventy-two)\)", re.IGNORECASE
)
_TOTAL_ECHO = re.compile(r"\([^()]*\btotal\)", re.IGNORECASE)
_EVERY_OTHER_DAY = re.compile(
    r"\b(?:every|q)\s+other\s+day\b|\bq\.?o\.?d\b|\bqod\b|\balternate\s+days\b",
    re.IGNORECASE,
)
# Doses a day by the frequency written after the strength.
_TIMES_A_DAY = {
    "bid": 2, "bd": 2, "twice": 2, "tid": 3, "tds": 3, "qid": 4, "qds": 4, "q12h": 2,
    "q8h": 3, "q6h": 4,
}  # fmt: skip
# More tablets at a time of day after a frequency ("1 cap tid and 2 caps qhs"): the count.
_AND_MORE_AT = re.compile(
    r"\b(?:bid|bd|tid|tds|qid|qds|daily|qd|once\s+daily|once\s+a\s+day)\b,?\s+and\s+"
    r"(\d+(?:\.\d+)?|one|two|three|four)\s*"
    r"(?:tabs?|tablets?|caps?|capsules?)\s+(?:po\s+|by\s+mouth\s+)?(?:at\s+|in\s+the\s+|every\s+)?"
    r"(?:q?hs|bedtime|night|evening|q?pm|morning|q?am|noon|midday)\b"
)
# Every N hours or days ("q48h", "every 72 hours", "every 3 days", "q other day").
_EVERY_HOURS = re.compile(r"\bq\s?(\d+)\s?h(?:ours?|rs?)?\b|\bevery\s+(\d+)\s+hours?\b")
_EVERY_DAYS = re.compile(r"\bevery\s+(\d+)\s+days?\b|\bq\s?(\d+)\s?d(?:ays?)?\b")
# Three named days a week written as letters ("MWF", "M-W-F", "qMWF", "T/Th/Sat").
_THREE_DAYS = re.compile(r"\bq?m[/\-]?w[/\-]?f\b|\bq?tu?[/\-]?th[/\-]?s(?:a|at)?\b")
# A count of doses written as words or "N times" / "Nx" ("three times weekly", "3x/week").
_N_TIMES = re.compile(
    r"\b(once|twice|thrice|one|two|three|four|[1-4])\s*(?:x|times)(?![a-z])|\b(once|twice|thrice)\b",
    re.IGNORECASE,
)
_COUNTS = {"once": 1, "one": 1, "twice": 2, "two": 2, "thrice": 3, "three": 3, "four": 4}
# Doses a week written as a code ("TIW": three times a week).
_TIMES_A_WEEK = {"biw": 2, "tiw": 3}
# Named days of the week ("after dialysis on Tuesdays and Saturdays", "Mon and Thu"): a
# short name counts only beside another ("avoid sun" is no Sunday), and none beside a daily
# frequency ("daily; hold on Sundays").
_WEEKDAY_NAME = re.compile(r"\b(mon|tues|wednes|thurs|fri|satur|sun)days?\b", re.IGNORECASE)
# Where a day's name may start (what _weekdays needs before it looks further).
_WEEKDAY_START = re.compile(r"mon|tue|wed|thu|fri|sat|sun", re.IGNORECASE)
_WEEKDAY_SHORT = re.compile(r"\b(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b", re.IGNORECASE)
_DAILY = re.compile(
    r"\b(?:daily|qd|every\s+day|a\s+day|per\s+day|nightly|qhs|bid|tid|qid)\b", re.IGNORECASE
)
_THEN = re.compile(r"\bthen\b|\btaper|\bwean|\b(?:decrease|reduce)\s+by\b")
_THEN_STEP = re.compile(r"\bthen\b", re.IGNORECASE)
# A strength in micrograms ("colchicine 500 mcg bid"): a thousandth of a mg.
_MICROGRAMS = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:mcg|ug|\u00b5g|\u03bcg|micrograms?)\b", re.IGNORECASE
)
# A liquid's strength per volume ("15 mg/5 mL", "25 mg/mL", "10 mg per 5 ml"), and the
# volume of a dose.
_PER_VOLUME = re.compile(r"\s*(?:/|per)\s*(\d+(?:\.\d+)?)?\s*(?:ml|cc)\b", re.IGNORECASE)
# How often a dose is taken, right after it ("5 mL daily", "10 mL twice a day").
_DOSE_FREQUENCY = re.compile(
    r"\s*(?:po\s+|by\s+mouth\s+|orally\s+)?(?:daily|qd|bid|tid|qid|q\s?\d+\s?h|every|nightly"
    r"|qhs|at\s+bedtime|once|twice|three\s+times|four\s+times|weekly|in\s+the)\b",
    re.IGNORECASE,
)
_VOLUME = re.compile(r"(?<![\d./])(\d+(?:\.\d+)?)\s*(?:ml|cc)\b", re.IGNORECASE)
# A dose not taken now, or only on a condition ("40 mg qam previously", "if LDL above goal").
_NOT_NOW = re.compile(
    r"\b(?:previous|previously|prior|was|were|formerly|old|stopped|discontinued|d/c|dc'?d"
    r"|instead|pending|recheck|depending)\b|\bor\b(?!\s+without)",
    re.IGNORECASE,
)
# A hold parameter ("hold for muscle pain", "hold if SBP < 90"): when not to take a dose,
# which says nothing about the dose taken.
_HOLD = re.compile(r"\b(?:hold|stop)\b[^;]*", re.IGNORECASE)
# A time of day a part of a split dose is taken at.
_TIME_OF_DAY = re.compile(
    r"\b(?:q?am|q?pm|a\.m\.|p\.m\.|morning|noon|midday|lunch|afternoon|evening|night|q?hs"
    r"|bedtime|breakfast|supper|dinner)\b|(?<=\d)\s*(?:am|pm)\b",
    re.IGNORECASE,
)
# Times of day that are one time, by the time they are: the evening and the night are one
# ("1 tab qpm at bedtime", "qhs 30 min after dinner" are one dose).
_TIME_SLOTS = {
    "am": "morning", "qam": "morning", "a.m.": "morning", "morning": "morning",
    "breakfast": "morning", "noon": "midday", "midday": "midday", "lunch": "midday",
    "pm": "night", "qpm": "night", "p.m.": "night", "evening": "night", "supper": "night",
    "dinner": "night", "hs": "night", "qhs": "night", "night": "night", "bedtime": "night",
}  # fmt: skip
# The hour of a clock time before its "am" or "pm" ("at 2", "at 8:30").
_CLOCK_HOUR = re.compile(r"(?:\bat\s+)?\d{1,2}(?::\d{2})?\s*$")
# A count of tablets right before a time of day ("2 tabs qhs", "1 qam", "one in the morning").
_COUNT_BEFORE = re.compile(
    r"\b(\d+(?:\.\d+)?|1/2|half|one|two|three|four)\s*(?:tabs?|tablets?|caps?|capsules?)?"
    r"\s*(?:po\s+|by\s+mouth\s+)?(?:at|in\s+the|every|each|with)?\s*$",
    re.IGNORECASE,
)
# The words that may stand between the parts of a split dose, besides their times.
_SPLIT_WORDS = frozenset(
    {"and", "at", "in", "the", "every", "each", "take", "po", "by", "mouth", "orally", "tab",
     "tabs", "tablet", "tablets", "cap", "caps", "capsule", "capsules", "one", "two", "half",
     "q", "am", "pm", "qam", "qpm", "hs", "qhs", "morning", "noon", "midday", "lunch",
     "afternoon", "evening", "night", "bedtime", "breakfast", "supper", "dinner", "a", "m", "p"}
)  # fmt: skip
# How far after the strength its tablet count and frequency are looked for, in characters.
_DOSE_WINDOW = 90


# Per-check objects are plain classes with Final attributes, not frozen dataclasses: the
# compiled engine builds them natively (a frozen dataclass's __init__ stays interpreted).
class Request:
    """What the rules read from the request besides the matches."""

    __slots__ = (
        "_single_doses", "conds", "lab_items", "labs", "latest", "med_items", "meds", "results",
        "sent_tests", "shown_values",
    )  # fmt: skip

    def __init__(
        self,
        meds: Sequence[MedicationMatch],
        conds: Sequence[ConditionMatch],
        labs: Sequence[LabMatch],
        med_items: Sequence[MedicationInput],
        lab_items: Sequence[LabInput],
        results: Sequence[LabResult | None],
        latest: dict[str, int] | None = None,
        shown_values: Sequence[str] = (),
    ) -> None:
        self.meds: Final = meds
        self.conds: Final = conds
        self.labs: Final = labs
        self.med_items: Final = med_items
        self.lab_items: Final = lab_items
        self.results: Final = results
        # Per analyte, the position of its latest result.
        self.latest: Final = latest_by_analyte(results) if latest is None else latest
        # The lab tests known but not checked that the request has ("digoxin_level").
        self.sent_tests: Final = frozenset(lab.test_id for lab in labs if lab.test_id)
        self._single_doses: dict[int, bool] = {}
        # Each lab value as the texts show it (``lab_values``: a bound's comparator).
        self.shown_values: Final = shown_values

    def single_dose(self, index: int) -> bool:
        """Whether medication ``index`` is a one-time dose (``_single_dose``), read once per
        request."""
        found = self._single_doses.get(index)
        if found is None:
            found = self._single_doses[index] = _single_dose(self.med_items[index].text)
        return found


# A dose-limited slot's input as its finding says it: the dose (None when the text gives
# none), the limit, in the unit the note says (mg a day, a week, or a flare course's total),
# and the note's template.
_Dose = tuple[Ref, float | None, float, str]
# Limits compare with this slack: 0.3 mg twice a week is 0.6 mg a week, not just above it.
_DOSE_SLACK = 1e-9


class _Fired:
    __slots__ = ("doses", "drugs", "ident", "refs", "rule")

    def __init__(
        self,
        rule: PreparedRule,
        refs: list[Ref],
        ident: str,
        doses: tuple[_Dose, ...] = (),
        drugs: tuple[DrugHit, ...] = (),
    ) -> None:
        self.rule: Final = rule
        self.refs: Final = refs
        self.ident: Final = ident
        # Dose-limited slots: (drug ref, its daily dose or None when the text gives none).
        self.doses: Final = doses
        # A same-ingredient rule: the drugs the entries repeat (one product's ingredients).
        self.drugs: Final = drugs


def daily_mg(text: str | None, drug: str | None = None, order: Sequence[str] = ()) -> float | None:
    """The daily dose in mg of ``drug`` that a medication text gives: "simvastatin 20 mg
    bid" -> 40, "simvastatin 20 mg, take 2 tablets" -> 40, "simvastatin 40 mg 1/2 tab" ->
    20, "ezetimibe 10 MG / simvastatin 40 MG" -> 40 for simvastatin, "Zocor 80" -> 80; of
    a product whose ingredients' strength ``order`` is known, "Vytorin 10/40" -> 40 for
    simvastatin."""
    if not text:
        return None
    current = _current_dose(text)
    if STRENGTH.search(current):
        text = current  # the dose now taken, not the one before
    sig = _sig_dose(text) if len(order) != 2 else None
    if sig is not None:
        text, drug = sig, None  # the sig's own dose, not the product's strength
    steps = _THEN_STEP.split(text)
    if len(steps) > 1 and not _said_otherwise(text):
        # Steps of a titration or a taper ("20 mg x 7 days then 40 mg"): the highest, as
        # the patient will take each; a limit is passed when any step passes it. Not a plan
        # ("may increase to 40 mg then 80 mg").
        doses = [daily_mg(step, drug, order) for step in steps if STRENGTH.search(step)]
        if len(doses) > 1 and all(dose is not None for dose in doses):
            return max(dose or 0.0 for dose in doses)
    pair = _STRENGTH_PAIR.search(text) if drug in order and len(order) == 2 else None
    if pair is not None:
        return float(pair.group(order.index(drug or "") + 1)) * _doses_a_day(text, pair.end())
    # A strength planned or allowed ("max 6 mg", "may increase to 40 mg") is not taken.
    strengths = [
        m
        for m in STRENGTH.finditer(text)
        if not _PLAN.search(text, max(0, m.start() - 16), m.start())
    ]
    if len(strengths) > 1 and (split := _split_over_the_day(text, strengths)) is not None:
        return split
    found: re.Match[str] | None = strengths[0] if strengths else None
    if len(strengths) > 1 and drug:
        # A product's strengths: the one written after this drug's name.
        lowered = text.lower()
        found = next(
            (m for m in strengths if lowered[: m.start()].rstrip().endswith(drug.lower())), None
        )
        if found is None:
            return None
    if found is None:
        micrograms = _MICROGRAMS.search(text)
        if micrograms is not None:
            return float(micrograms.group(1)) / 1000 * _doses_a_day(text, micrograms.end())
        found = _BARE_STRENGTH.match(text)
        if found is None:
            return None
    if _PER_BODY_SIZE.match(text, found.end()):
        return None
    per_volume = _PER_VOLUME.match(text, found.end())
    if per_volume is not None:
        # A liquid's strength per volume ("15 mg/5 mL, 10 mL daily"): the dose is the
        # volume taken; without one the text gives no dose.
        volume = _dose_volume(text, per_volume.end())
        if volume is None:
            return None
        per_ml = strength_mg(found) / float(per_volume.group(1) or 1)
        return per_ml * float(volume.group(1)) * _doses_a_day(text, volume.end())
    return strength_mg(found) * _count_before(text, found) * _doses_a_day(text, found.end())


def _count_before(text: str, strength: re.Match[str]) -> float:
    """How many of a strength a dose is when the count is written before it ("2x20mg",
    "two 20 mg tablets": 2); 1 when it is not, or when a count after the strength says it
    ("2 x 20 mg, take 2 tabs": the count after is the dose's, read by ``_doses_a_day``)."""
    window = max(0, strength.start() - 12)
    before = text[window : strength.start()]
    count = _COUNT_X_BEFORE.search(before)
    if count is None:
        worded = _COUNT_WORD_BEFORE.search(before)
        if worded is None or not _TABLET_AFTER.match(text, strength.end()):
            return 1.0
        word = (worded.group(1) or worded.group(2)).lower()
        lead = text[: window + worded.start()]
        if worded.group(2):  # "take 2 20 mg tabs": the name stands before "take"
            lead = re.sub(r"\btakes?\s*$", "", lead, flags=re.IGNORECASE)
    else:
        word = count.group(1)
        lead = text[: window + count.start()]
    if word in ("1", "one"):
        return 1.0
    if not _NAME_BEFORE_COUNT.match(lead) or _NOT_A_NAME_WORD.search(lead):
        return 1.0
    if _NOT_THE_DOSE_AFTER.search(text, strength.end()):
        return 1.0
    after = _THEN.split(
        _COUNT_ECHO.sub("", text[strength.end() : strength.end() + _DOSE_WINDOW].lower()), 1
    )[0]
    if _tablets(after) or _TIMES_COUNT.match(after) or _BARE_COUNT.match(after):
        return 1.0
    return _TABLET_COUNTS.get(word) or float(word)


def _dose_volume(text: str, start: int) -> re.Match[str] | None:
    """The volume one dose is: the only one after ``start``, or of several (a bottle's,
    "150 mL", before the dose's) the one followed by how often it is taken; None when that
    does not decide."""
    volumes = list(_VOLUME.finditer(text, start))
    if len(volumes) > 1:
        volumes = [v for v in volumes if _DOSE_FREQUENCY.match(text, v.end())]
    return volumes[0] if len(volumes) == 1 else None


def _split_over_the_day(text: str, strengths: Sequence[re.Match[str]]) -> float | None:
    """A dose split over the day, each strength at its own time ("20 mg qam and 20 mg
    qhs", "5 mg in the morning and 2.5 mg in the evening", "40 mg at 8am, 20 mg at 2pm"):
    the day's total. None unless only times, counts and joining words stand between the
    strengths (not another drug, a course, a plan or a previous dose)."""
    if _said_otherwise(text[strengths[0].start() :]):
        return None
    total = 0.0
    times: set[str] = set()
    for n, strength in enumerate(strengths):
        last = n + 1 == len(strengths)
        part = text[strength.end() : len(text) if last else strengths[n + 1].start()]
        time = _TIME_OF_DAY.search(part)
        if time is None or _PER_BODY_SIZE.match(part) or _PER_VOLUME.match(part):
            return None
        if not last and not _SPLIT_WORDS.issuperset(_WORD.findall(part.lower())):
            return None
        times.add(time.group().lower())
        total += strength_mg(strength) * _doses_a_day(part, 0)
    return total if len(times) == len(strengths) else None


def _sig_dose(text: str) -> str | None:
    """The dosage text after a product's name and strength, when it gives a strength of its
    own ("Colchicine 0.6 MG Oral Tablet; 1.2 mg then 0.6 mg in 1 hour": 1.2 mg, not the
    tablet's 0.6; "Prednisone 5 MG Oral Tablet; 40 mg daily"), up to any other thing it is
    taken with ("take with aspirin 81 mg"); else None, as for a plan written before its
    strength ("may increase to 40 mg", "max 80 mg")."""
    label, sep, sig = text.partition("; ")
    if not sep or not STRENGTH.search(label) or not _PRODUCT_NAME.search(label):
        return None
    sig = _TAKEN_WITH.split(sig, 1)[0]
    strength = STRENGTH.search(sig)
    if strength is None or _PLAN.search(sig, 0, strength.start()):
        return None
    # The dose is what the directions start with ("40 mg daily", "take 1.2 mg now"), not a
    # note after them ("1 tab daily; do not exceed 20 mg", "(previously 20 mg)").
    before = _WORD.findall(sig[: strength.start()].lower())
    return sig if all(word in _SIG_START for word in before) else None


def _current_dose(text: str) -> str:
    """The part of a medication text that gives the dose now taken: after a dose change
    written after the old strength ("80 mg, dose reduced to 40 mg"), else all of it."""
    changed = _DOSE_CHANGED_TO.search(text)
    return text if changed is None else text[changed.end() :]


def _doses_a_day(text: str, end: int) -> float:
    """How many strengths a day the text after a strength gives: tablets times doses."""
    # The frequency of this dose, not of a later step ("0.6 mg bid x 3 days then 0.3 mg weekly").
    after = _THEN.split(_COUNT_ECHO.sub("", text[end : end + _DOSE_WINDOW].lower()), 1)[0]
    count = _tablets(after) or _TIMES_COUNT.match(after) or _BARE_COUNT.match(after)
    tablets = 1.0
    if count is not None:
        word = count.group(1)
        # "one and one-half", "1 1/2": the only counts written in several words.
        tablets = 1.5 if " " in word else _TABLET_COUNTS.get(word) or float(word)
    words = after.replace(",", " ").replace(".", "").split()
    times = next((_TIMES_A_DAY[w] for w in words if w in _TIMES_A_DAY), None)
    if (more := _AND_MORE_AT.search(after)) and not _said_otherwise(after):
        # "1 cap tid and 2 caps qhs": five a day; "1 tab daily and 2 tabs at bedtime": three
        return tablets * (times or 1) + (_TABLET_COUNTS.get(more.group(1)) or float(more.group(1)))
    if times is None and (counted_parts := _tablets_by_time_of_day(after)):
        return counted_parts  # "1 tab qam and 2 tabs qhs": three tablets a day
    if times is None:
        counted = _N_TIMES.search(after)
        word = (counted.group(1) or counted.group(2)).lower() if counted else "1"
        times = _COUNTS.get(word) or int(word)
    weekly = next((_TIMES_A_WEEK[w] for w in words if w in _TIMES_A_WEEK), None)
    # Each pattern below is searched only when a letter or digit it needs is in the text.
    if weekly is None and ("f" in after or "th" in after) and _THREE_DAYS.search(after):
        weekly = 3
    if weekly is not None:
        return tablets * weekly / 7
    if any(c.isdigit() for c in after):
        hours = _every(_EVERY_HOURS, after)
        if hours:
            return tablets * 24 / hours  # "q48h": half a dose a day
        days_apart = _every(_EVERY_DAYS, after)
        if days_apart:
            return tablets / days_apart
    if "w" in after and _PER_WEEK.search(after):
        return tablets * times / 7  # "0.3 mg twice a week", "80 mg weekly"
    days = _weekdays(after) if _WEEKDAY_START.search(after) else 0
    if days:
        return tablets * days / 7  # "0.3 mg Mon and Thu"
    if "d" in after and _EVERY_OTHER_DAY.search(after):
        return tablets * times / 2
    return tablets * times


def _said_otherwise(text: str) -> bool:
    """Whether a dosage text says a dose is past, an alternative, planned or conditional
    (``_NOT_NOW``, ``_PLAN``), its hold asides left out ("hold for muscle pain" says when
    not to take a dose, nothing about the dose)."""
    unheld = _HOLD.sub(" ", text)
    return bool(_NOT_NOW.search(unheld) or _PLAN.search(unheld))


def _tablets_by_time_of_day(text: str) -> float:
    """The tablets a day of a dose split over the day by counts of one strength ("1 tab
    qam and 2 tabs qhs": 3; "1 qam, 1 qhs": 2): each count before its own time of day,
    each time another; 0 when the text is not written so (one time, or a past or
    conditional part)."""
    found = list(_TIME_OF_DAY.finditer(text))
    if len(found) < 2:
        return 0.0
    if _said_otherwise(text):
        return 0.0
    total = 0.0
    slots: set[str] = set()
    start = 0
    for time in found:
        slot = _TIME_SLOTS.get(time.group().lower().strip(), time.group().lower().strip())
        if slot in slots:
            return 0.0
        slots.add(slot)
        before = text[start : time.start()]
        if text[time.start() - 1 : time.start()].isdigit():
            before = _CLOCK_HOUR.sub("", before)  # "at 2 pm": the hour is no count
        count = _COUNT_BEFORE.search(before)
        word = count.group(1).lower() if count else "1"
        total += _TABLET_COUNTS.get(word) or float(word)
        start = time.end()
    return total


def _tablets(text: str) -> re.Match[str] | None:
    """The first count of tablets a dose is, not a quantity dispensed ("(30 tablets)",
    "#60 tablets", "qty 30 tabs")."""
    for found in _TABLETS.finditer(text):
        if _DISPENSED.search(text, max(0, found.start() - 12), found.start()):
            continue
        # Ten or more is a quantity dispensed ("bid, 60 tablets"), unless said as a dose
        # ("take 10 tablets weekly").
        word = found.group(1)
        if word.isdigit() and int(word) >= 10 and not _TAKE_BEFORE.search(text, 0, found.start()):
            continue
        return found
    return None


def _every(pattern: re.Pattern[str], text: str) -> int:
    """The N of "every N hours" or "every N days" (either of the pattern's two spellings);
    0 when the text gives none."""
    found = pattern.search(text)
    return int(found.group(1) or found.group(2)) if found else 0


def _weekdays(text: str) -> int:
    """How many named days of the week a dosage text gives it on (0: none, or daily)."""
    if _DAILY.search(text):
        return 0
    days = {m.group(1).lower()[:3] for m in _WEEKDAY_NAME.finditer(text)}
    short = {m.group(1).lower()[:3] for m in _WEEKDAY_SHORT.finditer(text)}
    if len(short) >= 2:
        days |= short
    return len(days)


def _strength_order(knowledge: Knowledge, match: MedicationMatch, text: str | None) -> list[str]:
    """The names of a two-drug product's ingredients in the order its strengths are
    written: as the text names them ("atorvastatin/amlodipine 80/10"), else as its label
    writes them (``strength_orders``: "Caduet 10/80" is amlodipine, atorvastatin)."""
    if text is None or len(match.hits) != 2:
        return []
    drugs = knowledge.kb.drugs
    names = [drugs[hit.drug_id].name for hit in match.hits]
    lowered = text.lower()
    where = [lowered.find(name.lower()) for name in names]
    if min(where) >= 0:
        return [name for _, name in sorted(zip(where, names, strict=True))]
    words = f" {' '.join(tokens(text))} "
    for product, order in knowledge.kb.strength_orders.items():
        if f" {product} " in words and {hit.drug_id for hit in match.hits} == set(order):
            return [drugs[d].name for d in order]
    return []


def _total_mg(text: str | None) -> float | None:
    """Every strength a one-drug text gives, added up ("10 mg am, 5 mg pm" -> 15); a total
    echoed after a count ("1 tablet (0.6 mg total)") is not another dose."""
    text = _current_dose(text) if text else text
    text = (_sig_dose(text) or text) if text else text
    text = _TOTAL_ECHO.sub(" ", text) if text else text
    strengths = list(STRENGTH.finditer(text)) if text else []
    if len(strengths) < 2 or any(_PER_BODY_SIZE.match(text or "", m.end()) for m in strengths):
        return None
    return sum(strength_mg(m) for m in strengths)


def dose_text(item: MedicationInput, knowledge: Knowledge) -> str | None:
    """Where a medication's strength is written: its text, a coding's display, or the
    RxNorm name of its product code."""
    if item.text and STRENGTH.search(item.text):
        return item.text
    for coding in item.coding or ():
        if coding.display and STRENGTH.search(coding.display):
            return coding.display
        row = knowledge.kb.rxnorm_codes.get(coding.code.strip()) if coding.code else None
        if row is not None and system_of(coding.system) == "rxnorm":
            return row.name
    return item.text


def combination_findings(knowledge: Knowledge, facts: Facts, request: Request) -> list[Finding]:
    rules = knowledge.rules
    if len(facts.inputs) < 2 and knowledge.one_input_rules.isdisjoint(facts.touched):
        return []
    candidates = facts.complete()
    below = _additive_doses(knowledge, request)
    fired: list[_Fired] = []
    # A rule that another can make redundant is evaluated only when that one has not
    # fired: after it (``suppression_order``; the loader rules out cycles).
    suppressible: list[int] = []
    for r in sorted(candidates):
        slots = candidates[r]
        if rules[r].rule.suppressed_by:
            suppressible.append(r)
        else:
            fired += _evaluate(knowledge, rules[r], slots, request, below)
    if suppressible:
        ids = {item.rule.rule.id for item in fired}
        order = knowledge.suppression_order
        for r in sorted(suppressible, key=order.__getitem__):
            if not any(s in ids for s in rules[r].rule.suppressed_by):
                found = _evaluate(knowledge, rules[r], candidates[r], request, below)
                fired += found
                ids.update(item.rule.rule.id for item in found)
        fired.sort(key=_rule_position)
    names = _Names(knowledge, request)
    return [_render(knowledge, item, request, names) for item in fired]


def _shown_mg(mg: float) -> str:
    """A dose as a clinician writes it: at most three significant figures ("0.171")."""
    return f"{mg:.3g}" if mg < 100 else f"{mg:,.0f}"


# The dose note's template by (floor, dose unknown); "_week" after it for a weekly limit.
_DOSE_NOTES = {
    (False, True): "dose_unknown",
    (False, False): "dose_above",
    (True, True): "dose_unknown_floor",
    (True, False): "dose_from_floor",
}


def _one_product_fills(candidates: Sequence[Sequence[Ref]], request: Request) -> bool:
    """Whether one medication read as a combination product fills every slot."""
    common = set(candidates[0]).intersection(*candidates[1:])
    return any(ref[0] == MEDICATIONS and request.meds[ref[1]].how == "product" for ref in common)


def _rule_position(item: _Fired) -> int:
    return item.rule.index


def distinct_fill(candidates: Sequence[Sequence[Ref]]) -> bool:
    """Whether every slot can be filled by a different input (small backtracking)."""
    if len(candidates) == 2:  # the usual pair: fails only when one input is all there is
        return len({*candidates[0], *candidates[1]}) >= 2

    def fill(slot: int, used: frozenset[Ref]) -> bool:
        if slot == len(candidates):
            return True
        return any(fill(slot + 1, used | {ref}) for ref in candidates[slot] if ref not in used)

    return fill(0, frozenset())


def _evaluate(
    knowledge: Knowledge,
    prepared: PreparedRule,
    candidates: list[list[Ref]],
    request: Request,
    additive: _AdditiveDoses,
) -> list[_Fired]:
    """The findings of a rule whose every slot some input can fill (none when different
    inputs cannot fill them, or a dose-limited drug is within its limit)."""
    rule = prepared.rule
    # A result beyond the other end stops a one-analyte rule only (see CombinationRule).
    measured_by = rule.measured_by
    if measured_by and "+" not in measured_by and _measured_opposite(measured_by, request):
        return []
    otherwise = rule.unless_measured_otherwise
    if (
        otherwise is not None and _latest_not_in(otherwise, request) is not None
    ) or _not_this_request(rule, candidates, request):
        return []
    doses: list[_Dose] = []
    for s, limit, floor, weekly in prepared.dose_limits:
        slot = rule.slots[s]
        kept = []
        for ref, dose, shown, at_least in _slot_doses(
            knowledge, prepared, candidates[s], request, floor=floor
        ):
            course = _flare_course(knowledge, slot, ref, request)
            if (
                course is None
                and at_least is not None
                and not floor
                and at_least > limit + _DOSE_SLACK
            ):  # a count of tablets with no strength: at least this
                kept.append(ref)
                if shown:
                    days = 7 if weekly else 1
                    key = "dose_at_least" + ("_week" if weekly else "")
                    doses.append((ref, at_least * days, limit * days, key))
                continue
            if dose is None and (rule.one_input or slot.needs_dose):
                continue  # a drug alone is a dose problem only at a dose the text gives
            if course is not None:  # a flare course: its own label dosing
                flare_limit = slot.flare_course_above_mg
                if flare_limit is None or course[0] is None or course[0] <= flare_limit:
                    continue
                kept.append(ref)
                if shown:
                    doses.append((ref, course[0], flare_limit, "dose_flare_above"))
                continue
            if dose is None or (dose >= limit if floor else dose > limit + _DOSE_SLACK):
                kept.append(ref)
                if shown:
                    days = 7 if weekly else 1
                    shown_dose = None if dose is None else dose * days
                    key = _DOSE_NOTES[floor, dose is None] + ("_week" if weekly else "")
                    doses.append((ref, shown_dose, limit * days, key))
        if not kept:
            return []
        candidates[s] = kept
    if rule.adds_up is not None and additive.below:
        for s, refs in enumerate(candidates):
            candidates[s] = [ref for ref in refs if ref not in additive.below]
            if not candidates[s]:
                return []
    if prepared.predicted_adding_up and additive.unread:
        doses += _unread_additive_doses(candidates, additive.unread)
    if rule.same_ingredient:
        return _same_ingredient(knowledge, prepared, candidates[0], request)
    if len(candidates) == 1:
        if rule.adds_up is not None:
            candidates[0][:] = _adding_up(knowledge, rule.adds_up, candidates[0], request)
        drugs = {
            hit.drug_id
            for rank, index in candidates[0]
            if rank == MEDICATIONS
            for hit in _filling(knowledge, request.meds[index], prepared.index)
        }
        if len(drugs) < rule.min_distinct_drugs or len(candidates[0]) < 2 - rule.one_input:
            return []
        # A one-input rule is one drug's own dose problem: its classes do not matter (a
        # drug with none, mifepristone at a Cushing syndrome dose, has one).
        if (
            not rule.one_input
            and _distinct_classes(knowledge, rule, candidates[0], request)
            < rule.min_distinct_classes
        ):
            return []
    elif not distinct_fill(candidates) and not (
        rule.one_product_fills and _one_product_fills(candidates, request)
    ):
        return []
    refs = sorted({ref for group in candidates for ref in group})
    return [_Fired(prepared, refs, rule.id, tuple(doses))]


# A one-off or flare course, not a daily regimen ("0.6 mg single dose for gout flare", "1.2 mg
# at the first sign of a flare, then 0.6 mg in 1 hour", "x1, not to repeat within 14 days").
_FLARE_COURSE = re.compile(
    r"\bflares?\b|\bsingle\s+dose\b|\bone\s+dose\b|\bonce\s+only\b|\bx\s?1\b(?!\s*(?:d\b|days?|wks?|weeks?))"
    r"|\bonce\s*[.;]?\s*$"
    r"|\bnot\s+to\s+(?:be\s+)?repeat|\bfirst\s+sign\b"
    r"|\bthen\s+[\d.]+\s*mg\s+(?:in\s+(?:1|one)\s+hours?|(?:1|one)\s+hours?\s+later)",
    re.IGNORECASE,
)


def _flare_course(
    knowledge: Knowledge, slot: Slot, ref: Ref, request: Request
) -> tuple[float | None] | None:
    """For a slot that reads flare courses, a medication written as one: the course's total
    in mg (None when the text gives none); else None."""
    if ref[0] != MEDICATIONS or (
        slot.flare_course_above_mg is None and not slot.flare_course_exempt
    ):
        return None
    text = dose_text(request.med_items[ref[1]], knowledge)
    if not text or _FLARE_COURSE.search(text) is None:
        return None
    return (_total_mg(text) or daily_mg(text),)


def _slot_doses(
    knowledge: Knowledge,
    prepared: PreparedRule,
    refs: Sequence[Ref],
    request: Request,
    *,
    floor: bool = False,
) -> list[tuple[Ref, float | None, bool, float | None]]:
    """Each input of a dose-limited slot with its daily dose (None when the text gives
    none), whether its dose is shown in the finding, and, for a dose written as a count of
    tablets alone, the least it can be (``_counted_mg``). Entries of one drug that are one
    regimen (``_split_dose``: "simvastatin 20 mg every morning" and "20 mg at bedtime")
    each carry the regimen's total, shown once."""
    found: list[tuple[Ref, float | None, bool, float | None]] = []
    by_drug: dict[str, list[int]] = {}
    for ref in refs:
        dose = at_least = None
        if ref[0] == MEDICATIONS:
            match = request.meds[ref[1]]
            filling = _filling(knowledge, match, prepared.index)
            drug = knowledge.kb.drugs[filling[0].drug_id] if filling else None
            text = dose_text(request.med_items[ref[1]], knowledge)
            dose = _entry_mg(knowledge, match, text, drug)
            if (
                dose is None
                and drug is not None
                and drug.smallest_unit_mg is not None
                and _brand_unit_mg(drug, text) is None
            ):
                at_least = _counted_mg(text, drug.smallest_unit_mg)
            if filling and not match.prn:
                by_drug.setdefault(filling[0].drug_id, []).append(len(found))
        if dose is None and floor and (least := _brand_least_mg(knowledge, ref, request)):
            # A brand only taken at this daily dose or more (Korlym named alone): the
            # floor is met, but no dose is shown, as none was written.
            found.append((ref, least, False, None))
            continue
        found.append((ref, dose, True, at_least))
    for positions in by_drug.values():
        regimen = [found[p] for p in positions]
        if len(regimen) < 2 or any(dose is None for _, dose, _, _ in regimen):
            continue
        if _split_dose(knowledge, [ref for ref, _, _, _ in regimen], request):
            total = sum(dose or 0.0 for _, dose, _, _ in regimen)
            for n, p in enumerate(positions):
                found[p] = (found[p][0], total, n == 0, None)
    return found


def _entry_mg(
    knowledge: Knowledge, match: MedicationMatch, text: str | None, drug: Drug | None
) -> float | None:
    """The daily dose one entry's text gives (None when it gives none): its strength and
    schedule, or a count of a brand sold in one strength (exact)."""
    dose = daily_mg(
        text, drug.name if drug is not None else None, _strength_order(knowledge, match, text)
    )
    if dose is None and drug is not None and (unit := _brand_unit_mg(drug, text)) is not None:
        dose = _counted_mg(text, unit)
    return dose


def _brand_least_mg(knowledge: Knowledge, ref: Ref, request: Request) -> float:
    """The least daily dose a medication's brand alone says (``Drug.brand_least_daily_mg``:
    "Korlym" is at least 300 mg a day); 0 when it names no such brand."""
    if ref[0] != MEDICATIONS:
        return 0.0
    text = dose_text(request.med_items[ref[1]], knowledge)
    if not text:
        return 0.0
    words = tokens(text)
    for hit in request.meds[ref[1]].hits:
        least = knowledge.kb.drugs[hit.drug_id].brand_least_daily_mg
        for brand, mg in least.items():
            if brand.lower() in words:
                return mg
    return 0.0


def _brand_unit_mg(drug: Drug, text: str | None) -> float | None:
    """The one strength of a brand the text names (``Drug.brand_unit_mg``), if any."""
    if not drug.brand_unit_mg or not text:
        return None
    words = tokens(text)
    return next((mg for brand, mg in drug.brand_unit_mg.items() if brand.lower() in words), None)


def _counted_mg(text: str | None, smallest_unit_mg: float) -> float | None:
    """The least daily dose a text that gives a count of tablets and no strength can mean
    ("colchicine 1 tab BID": at least two of the smallest tablets); None without a count."""
    count = _TABLETS.search(text) if text and not STRENGTH.search(text) else None
    if count is None or text is None:
        return None
    return smallest_unit_mg * _doses_a_day(text, count.start())


def _unread_additive_doses(
    candidates: Sequence[Sequence[Ref]], unread: Mapping[Ref, float]
) -> list[_Dose]:
    """A slot only a strength without a schedule fills ("prednisone 5 mg"): the predicted
    risk holds only if the dose is more than adds up, so the finding says so (a rule that
    joins a measured result is that result's problem, whatever the dose)."""
    return [
        (ref, None, unread[ref], "dose_unread_adds_up")
        for refs in candidates
        if all(ref in unread for ref in refs)
        for ref in refs
    ]


class _AdditiveDoses:
    """The medication inputs whose effect does not add up at the dose their text gives
    (``adds_up_above_mg``), and those whose text gives a strength within that limit but no
    schedule, for a drug whose dose needs one: read neither way (input -> the limit)."""

    __slots__ = ("below", "unread")

    def __init__(self, below: frozenset[Ref], unread: dict[Ref, float]) -> None:
        self.below: Final = below
        self.unread: Final = unread


def _additive_doses(knowledge: Knowledge, request: Request) -> _AdditiveDoses:
    """Which inputs are below their additive dose, and which give no daily dose to tell; a
    product of several drugs, and a dose not given at all, count in full."""
    limits = knowledge.dose_limited_adding_up
    below: set[Ref] = set()
    unread: dict[Ref, float] = {}
    for index, match in enumerate(request.meds):
        if len(match.hits) != 1 or (limit := limits.get(match.hits[0].drug_id)) is None:
            continue
        drug_id = match.hits[0].drug_id
        text = dose_text(request.med_items[index], knowledge)
        dose = _total_mg(text) or daily_mg(text, knowledge.kb.drugs[drug_id].name)
        if dose is None and text:
            dose = _per_surface_mg(text)
        if dose is None or dose > limit:
            continue
        if drug_id not in knowledge.dose_needs_schedule or _has_schedule(text, knowledge):
            below.add((MEDICATIONS, index))
        elif text is None or _THEN.search(text) is None:  # a taper starts higher: it counts
            unread[MEDICATIONS, index] = limit
    return _AdditiveDoses(frozenset(below), unread)


def _per_surface_mg(text: str) -> float | None:
    """The most a dose per m2 of body surface can be in mg a day (``_PER_SURFACE``)."""
    for found in STRENGTH.finditer(text):
        per = _PER_SURFACE.match(text, found.end())
        if per is not None:
            times = 1.0 if per.group(1) else _doses_a_day(text, per.end())
            return strength_mg(found) * _MAX_BODY_SURFACE_M2 * times
    return None


def _has_schedule(text: str | None, knowledge: Knowledge) -> bool:
    """Whether a medication text says how often its dose is taken ("5 mg daily")."""
    return text is not None and not knowledge.schedule_words.isdisjoint(tokens(text))


def _classes_with(
    knowledge: Knowledge, effect: EffectKind | None, ref: Ref, request: Request
) -> set[str]:
    """The classes through which a medication input has the effect (any, for None)."""
    kb = knowledge.kb
    return {
        class_id
        for hit in request.meds[ref[1]].hits
        for class_id in knowledge.drugs_at_route[hit].applicable
        if effect is None or any(e.kind == effect for e in kb.classes[class_id].effects)
    }


def _adding_up(
    knowledge: Knowledge, effect: EffectKind, refs: Sequence[Ref], request: Request
) -> list[Ref]:
    """The inputs whose effect adds up: without a drug whose every class with the effect is
    one another input's effect does not add up with (``not_additive_with``)."""
    kb = knowledge.kb
    classes_of = {
        ref: _classes_with(knowledge, effect, ref, request) for ref in refs if ref[0] == MEDICATIONS
    }
    countered = {
        other
        for classes in classes_of.values()
        for class_id in classes
        for e in kb.classes[class_id].effects
        if e.kind == effect
        for other in e.not_additive_with
    }
    if not countered:
        return list(refs)
    return [ref for ref in refs if not (classes_of.get(ref) and classes_of[ref] <= countered)]


def _distinct_classes(
    knowledge: Knowledge, rule: CombinationRule, refs: Sequence[Ref], request: Request
) -> int:
    """How many different drug classes with the rule's effect the inputs bring."""
    effect = rule.adds_up or rule.slots[0].effect
    classes: set[str] = set()
    for ref in refs:
        if ref[0] == MEDICATIONS:
            classes |= _classes_with(knowledge, effect, ref, request)
    return len(classes)


def _same_ingredient(
    knowledge: Knowledge, prepared: PreparedRule, refs: Sequence[Ref], request: Request
) -> list[_Fired]:
    """One finding per set of entries that repeat a contributing drug in two or more
    regular (not as-needed) orders: two products with the same ingredient, or one drug
    listed twice. One product listed twice under two names (Maxzide and "triamterene/HCTZ")
    is one finding for all the ingredients it repeats (review54 D1)."""
    rule_index = prepared.index
    by_drug: dict[str, list[Ref]] = {}
    hits: dict[str, DrugHit] = {}
    for ref in refs:
        match = request.meds[ref[1]] if ref[0] == MEDICATIONS else None
        if match is None or match.prn:
            continue
        for hit in _filling(knowledge, match, rule_index):
            by_drug.setdefault(hit.drug_id, []).append(ref)
            hits.setdefault(hit.drug_id, hit)
    by_entries: dict[tuple[Ref, ...], list[DrugHit]] = {}
    for drug_id, found in by_drug.items():
        refs = sorted(set(found))
        if len(refs) > 1:  # a one-time dose beside a regular order is no second regimen
            refs = [ref for ref in refs if not request.single_dose(ref[1])]
        if len(refs) >= 2 and not _split_dose(knowledge, refs, request):
            by_entries.setdefault(tuple(refs), []).append(hits[drug_id])
    return [
        _Fired(
            prepared,
            list(entries),
            f"{prepared.rule.id}/{'+'.join(hit.drug_id for hit in drugs)}",
            drugs=tuple(drugs),
        )
        for entries, drugs in by_entries.items()
    ]


# One dose, not a regimen: a one-time order ("x1 now", "once", "single dose") or a step of
# the labeled colchicine flare dose ("1.2 mg at first sign of a flare", "0.6 mg one hour
# later"). Beside a regular order of the drug, or of its class, it is no second regimen
# (review32 O2). Not when the entry gives a frequency, a course or a refill count ("refills
# x1", "x1 month", "bid at first sign of flare until resolved": review33 R4).
_SINGLE_DOSE = re.compile(
    r"\bx\s?1\s*(?:doses?\b|now\b|stat\b|today\b|tonight\b|for\b|[.;,)]|$)|\bsingle\s+dose\b"
    r"|\bone\s+dose\b|\bonce\s*(?:now\b|only\b|today\b|tonight\b|stat\b|this\s+(?:morning|afternoon|evening)\b"
    r"|(?:in|at)\s+(?:the\s+)?(?:ed|er|clinic|office|hospital)\b|prior\b|before\s+(?:ct|mri|surgery|procedure)\b"
    r"|for\b|[.;,()-]|$)|\bfirst\s+sign\b"
    r"|\b(?:1|one)\s+hours?\s+later\b"
    r"|\bin\s+(?:1|one)\s+hours?\b",
    re.IGNORECASE,
)
_REGIMEN = re.compile(
    r"\brefills?\b|#\s*\d|\b(?:bid|tid|qid|qd|qod|qow|daily|twice|every|until|weekly|monthly|nightly)\b"
    r"|\bq\s?\d+\s*h|\bq\s?(?:am|pm|hs|day|week)\b|\b(?:a|per)\s+(?:day|week|month)\b"
    r"|\b(?:x\s?\d+|for)\s*\d*\s*(?:d\b|days?|wks?|weeks?|mo\b|months?|yrs?|years?)"
    r"|\bq\s?\d+\s*(?:mo|months?|wks?|weeks?)\b|\byearly\b|\bat\s+night\b"
    r"|\bin\s+(?:the\s+)?(?:am|pm|morning|evening)\b"
    r"|\bbefore\s+(?:breakfast|bed|meals?)\b",
    re.IGNORECASE,
)


# Each _SINGLE_DOSE alternative holds one of these: most entries are passed over without a
# regular expression.
_SINGLE_DOSE_HINTS = ("x1", "x 1", "once", "single", "one dose", "sign", "hour")


def _single_dose(text: str | None) -> bool:
    if text is None:
        return False
    lowered = text.lower()
    return (
        any(hint in lowered for hint in _SINGLE_DOSE_HINTS)
        and _SINGLE_DOSE.search(text) is not None
        and _REGIMEN.search(text) is None
    )


def _split_dose(knowledge: Knowledge, refs: Sequence[Ref], request: Request) -> bool:
    return one_regimen([request.med_items[ref[1]].text for ref in refs], knowledge)


def one_regimen(texts: Sequence[str | None], knowledge: Knowledge) -> bool:
    """Whether entries of one drug are one regimen, not the same drug twice: each names one
    time of day, each another ("every morning", "at bedtime"), one says it is a part of the
    regimen ("Humalog correction scale", "with 5 mg for 6 mg total"), or of two entries one
    is an extended-release form taken at one time of day and the other is not ("Mestinon
    Timespan 180 mg at bedtime" beside "pyridostigmine 60 mg tid")."""
    normalization = knowledge.kb.normalization
    words = [_clock_words(tokens(text)) if text else [] for text in texts]
    part_words = frozenset(normalization.regimen_part_words)
    if any(not part_words.isdisjoint(text_words) for text_words in words):
        return True
    times = normalization.dose_times
    if len(words) == 2:
        release_words = frozenset(normalization.extended_release_words)
        extended = [not release_words.isdisjoint(text_words) for text_words in words]
        if extended[0] != extended[1]:
            at = words[0] if extended[0] else words[1]
            if len({times[w] for w in at if w in times}) == 1:
                return True
    seen: set[str] = set()
    for text_words in words:
        named = {times[w] for w in text_words if w in times}
        if len(named) != 1 or not seen.isdisjoint(named):
            return False
        seen |= named
    return True


# A clock time written as one word ("2pm", "8am", "q8am"): read as its "am" or "pm", as
# "2 pm" is (review41 #3).
_CLOCK_TIME = re.compile(r"q?\d{1,2}([ap]m)")


def _clock_words(words: list[str]) -> list[str]:
    return [m.group(1) if (m := _CLOCK_TIME.fullmatch(w)) else w for w in words]


# Times of day (``normalization.dose_times``) that are one time for two orders of one
# product: "in the evening" and "at bedtime" are one order written twice.
_SAME_TIME = {"evening": "night", "afternoon": "midday"}


def split_over_the_day(texts: Sequence[str | None], knowledge: Knowledge) -> bool:
    """Whether orders of one product are the parts of a dose split over the day: each names
    one time (the morning, midday or afternoon, or the evening or night), each another, and
    none is conditional, planned or past ("in the morning if LDL above goal")."""
    times = knowledge.kb.normalization.dose_times
    seen: set[str] = set()
    for text in texts:
        if not text or _said_otherwise(text):
            return False
        said = _clock_words(tokens(_HOLD.sub(" ", text)))
        named = {_SAME_TIME.get(times[w], times[w]) for w in said if w in times}
        if len(named) != 1 or not seen.isdisjoint(named):
            return False
        seen |= named
    return True


def _measured_normal(rule: CombinationRule, request: Request) -> list[int] | None:
    """The lab inputs whose latest results of the rule's ``measured_by`` analytes are not in
    the predicted state (a normal potassium for a potassium-loss rule), if all are; with
    several analytes each must have been measured and be within its reference interval."""
    if rule.measured_by is None:
        return None
    parts = rule.measured_by.split("+")
    if len(parts) == 1:
        latest = _latest_not_in(parts[0], request)
        return None if latest is None else [latest]
    found = []
    for part in parts:
        latest = request.latest.get(part.split(":")[0])
        result = request.results[latest] if latest is not None else None
        if latest is None or result is None or result.states:
            return None
        interval = result.analyte.reference_interval
        if len(interval) == 2 and not interval[0] <= result.value <= interval[1]:
            return None
        found.append(latest)
    return found


def _latest_not_in(analyte_state: str, request: Request) -> int | None:
    """The lab input with the latest result of the analyte of ``analyte:state`` (or
    ``analyte:band``) when that result is not in the state (or band), if any."""
    analyte_id, state = analyte_state.split(":")
    latest = request.latest.get(analyte_id)
    if latest is None:
        return None
    result = request.results[latest]
    if result is None or state in result.states:
        return None
    return None if any(band.name == state for band in result.bands) else latest


def _not_this_request(rule: CombinationRule, candidates: list[list[Ref]], request: Request) -> bool:
    """Whether the request itself rules the rule out (``unless_measured``,
    ``unless_condition``); for a duplicate-therapy rule, ``candidates`` lose the one-time
    doses beside a regular order (review32 O2)."""
    if rule.unless_measured is not None and _latest_in(rule.unless_measured, request):
        return True
    if (
        rule.unless_condition
        and any(
            condition_id in rule.unless_condition
            for m in request.conds
            for condition_id in m.condition_ids
        )
        # the conditions exempt only while the measured analyte is not beyond the other
        # end: a high potassium in Gitelman syndrome is the duplicate's own hazard
        and not (
            rule.unless_measured is not None and _measured_opposite(rule.unless_measured, request)
        )
    ):
        return True
    if (
        rule.basis == "duplicate_therapy"
        and not rule.same_ingredient  # _same_ingredient drops them from its pairs only
        and len(rule.slots) == 1
        and len(candidates[0]) > 1
    ):
        candidates[0] = [
            ref for ref in candidates[0] if ref[0] != MEDICATIONS or not request.single_dose(ref[1])
        ]
    return False


def _latest_in(analyte_state: str, request: Request) -> bool:
    """Whether the latest result of the analyte of ``analyte:state`` is in that state."""
    analyte_id, state = analyte_state.split(":")
    latest = request.latest.get(analyte_id)
    result = request.results[latest] if latest is not None else None
    return result is not None and state in result.states


def _measured_opposite(measured_by: str, request: Request) -> bool:
    """Whether the latest result of a ``measured_by`` analyte lies beyond the other end of
    its reference interval (a high potassium for a potassium-loss rule): lowering it is then
    the aim of treatment, not a risk, so the rule does not fire."""
    analyte_id, state = measured_by.split(":")
    latest = request.latest.get(analyte_id)
    result = request.results[latest] if latest is not None else None
    if result is None or len(interval := result.analyte.reference_interval) != 2:
        return False
    return result.value > interval[1] if state == "low" else result.value < interval[0]


def _severity(
    rule: CombinationRule, item: _Fired, request: Request, measured_normal: list[int] | None
) -> tuple[Severity, Basis]:
    severity: Severity = rule.severity
    basis: Basis = rule.basis
    if measured_normal is not None or any(dose is None for _, dose, _, _ in item.doses):
        return "low", basis
    for rank, index in item.refs:
        result = request.results[index] if rank == LABS else None
        if result is None:
            continue
        # An escalation may name a band that only joins rules (a severely low phosphate).
        raised = [
            e.severity
            for e in rule.escalate
            if e.lab in result.tags
            and (not e.with_condition or any(rank == CONDITIONS for rank, _ in item.refs))
        ]
        if result.worst is not None and result.worst.severity == "high":
            raised.append("high")
        top = most_severe(raised, default=severity)
        if SEVERITY_RANK[top] > SEVERITY_RANK[severity]:
            # A measured abnormality is the basis of a high finding; a raised one that is
            # moderate stays a second factor (the policy table).
            severity, basis = top, ("measured_abnormality" if top == "high" else basis)
    return severity, basis


def _render(knowledge: Knowledge, item: _Fired, request: Request, names: _Names) -> Finding:
    kb = knowledge.kb
    prepared = item.rule
    rule = prepared.rule
    templates = kb.texts.templates
    rule_index = prepared.index
    named = ", ".join(unique(names.of(ref, rule_index) for ref in item.refs))
    detail = prepared.detail
    measured_normal = _measured_normal(rule, request)
    if item.doses or measured_normal is not None:
        detail = rule.detail
        for ref, dose, limit, key in item.doses:
            drug = names.of(ref, rule_index)
            others = ", ".join(
                unique(n for r in item.refs if r != ref and (n := names.of(r, rule_index)) != drug)
            )
            note = templates[key].format(
                drug=drug, dose=_shown_mg(dose or 0.0), limit=_shown_mg(limit), other=others
            )
            detail += " " + cap(note)
        if measured_normal is not None:
            shown = []
            for index in measured_normal:
                result = request.results[index]
                assert result is not None
                lab = request.lab_items[index]
                shown.append(
                    templates["measured_normal_result"].format(
                        analyte=result.analyte.name,
                        value=shown_at(request.shown_values, index, lab.value),
                        unit=shown_unit(lab.unit, result.analyte),
                    )
                )
            key = "measured_normal" if len(shown) == 1 else "measured_normal_all"
            results = and_list(shown)
            detail += " " + cap(templates[key].format(results=results))
        detail = combination_detail(kb, rule, detail)
    severity, basis = _severity(rule, item, request, measured_normal)
    raised = SEVERITY_RANK[severity] > SEVERITY_RANK[rule.severity]
    lists = prepared.lists_when_raised if raised else prepared.lists
    if lists is prepared.lists:
        for analyte_ids, measured in prepared.lists_when_measured:
            if all(a in request.latest or a in request.sent_tests for a in analyte_ids):
                lists = measured
                break
    if item.drugs and rule.duplicate_advice:
        lists, totals = _duplicate_advice(knowledge, item, request, lists)
        if totals:
            detail = combination_detail(kb, rule, " ".join([rule.detail, *totals]))
    return Finding(
        id=f"combination/{item.ident}",
        kind="combination",
        severity=severity,
        title=templates["combination_title"].format(title=_title(rule, item), names=named),
        detail=detail,
        monitoring=lists.monitoring,
        management=lists.management,
        evidence=lists.evidence,
        inputs=[input_ref(rank, index) for rank, index in item.refs],
        evidence_level=rule.evidence_level,
        evidence_grade=rule.grade,
        labs_to_check=lists.labs_to_check,
        basis=basis,
    )


def _duplicate_advice(
    knowledge: Knowledge, item: _Fired, request: Request, lists: SharedLists
) -> tuple[SharedLists, list[str]]:
    """A same-ingredient finding's lists with the advice for what the repeated drugs are
    (``CombinationRule.duplicate_advice``: the checks of a statin for a statin; that
    advice's sources in place of the rule's), and the total-dose notes of a drug whose
    entries add up to a labeled limit (simvastatin 40 mg twice: 80 mg a day)."""
    kb = knowledge.kb
    chosen = []
    totals = []
    for hit in item.drugs:
        classes = knowledge.drugs_at_route[hit].applicable
        for advice in item.rule.rule.duplicate_advice:
            if hit.drug_id not in advice.drug and all(c not in advice.drug_class for c in classes):
                continue
            said = bool(advice.monitoring or advice.management)
            if advice.total_detail is not None and hit.drug_id in advice.drug:
                total = _entries_mg(knowledge, hit.drug_id, item.refs, request)
                if total is not None and total >= (advice.total_at_least_mg or 0.0):
                    totals.append(
                        advice.total_detail.format(
                            drug=kb.drugs[hit.drug_id].name, total=_shown_mg(total)
                        )
                    )
                    said = True
            if said and advice not in chosen:
                chosen.append(advice)
    if not chosen:
        return lists, totals
    # The first check of what is repeated joins the rule's own first one, which the note
    # shows: "Confirm the intended total dose; Potassium, sodium and magnesium".
    monitoring = list(lists.monitoring)
    advised = [line for a in chosen for line in _advice_monitoring(a, request)]
    if monitoring and advised:
        monitoring[0] = f"{monitoring[0]}; {advised.pop(0)}"
    return shared_lists(
        kb,
        [*monitoring, *advised],
        [*lists.management, *(line for a in chosen for line in a.management)],
        [s for a in chosen for s in a.sources],
        lists.labs_to_check,
    ), totals


def _advice_monitoring(advice: DuplicateAdvice, request: Request) -> list[str]:
    """A duplicate advice's checks: those of its first ``monitoring_when_measured`` key
    whose analytes are all sent (a low potassium sent beside two albuterol entries: the
    potassium is asked for by its own finding, not again), else its ``monitoring``."""
    for key, lines in advice.monitoring_when_measured.items():
        if all(a in request.latest or a in request.sent_tests for a in key.split("+")):
            return lines
    return advice.monitoring


def _entries_mg(
    knowledge: Knowledge, drug_id: str, refs: Sequence[Ref], request: Request
) -> float | None:
    """The daily dose of a drug over the entries that each name it, if each text gives it."""
    drug = knowledge.kb.drugs[drug_id]
    total = 0.0
    for ref in refs:
        text = dose_text(request.med_items[ref[1]], knowledge)
        dose = _entry_mg(knowledge, request.meds[ref[1]], text, drug)
        if dose is None:
            return None
        total += dose
    return total


def _title(rule: CombinationRule, item: _Fired) -> str:
    """The rule's title; ``title_dose_unknown`` when no dose-limited drug's dose was read."""
    unknown = rule.title_dose_unknown
    if unknown and item.doses and all(dose is None for _, dose, _, _ in item.doses):
        return unknown
    return rule.title


def _filling(knowledge: Knowledge, match: MedicationMatch, rule_index: int) -> list[DrugHit]:
    """The drugs of a medication input that fill a slot of the rule (a product's other
    ingredients do not)."""
    found = []
    for hit in match.hits:
        prepared = knowledge.drugs_at_route[hit]
        if rule_index in (prepared.rules_prn if match.prn else prepared.rules):
            found.append(hit)
    return found


class _Names:
    """How findings name inputs: a product by the ingredients that fill the rule; each
    name is worked out once per check (a product's once per rule)."""

    __slots__ = ("knowledge", "known", "request")

    def __init__(self, knowledge: Knowledge, request: Request) -> None:
        self.knowledge = knowledge
        self.request = request
        # By input, and by (list rank, index, rule) for a product.
        self.known: dict[tuple[int, ...], str] = {}

    def of(self, ref: Ref, rule_index: int) -> str:
        name = self.known.get(ref)
        if name is not None:
            return name
        kb = self.knowledge.kb
        request = self.request
        rank, index = ref
        if rank == MEDICATIONS:
            match = request.meds[index]
            if len(match.hits) != 1:  # a product: named by what fills this rule
                key = (rank, index, rule_index)
                name = self.known.get(key)
                if name is None:
                    filling = _filling(self.knowledge, match, rule_index)
                    name = " + ".join(kb.drugs[h.drug_id].name for h in filling or match.hits)
                    self.known[key] = name
                return name
            name = kb.drugs[match.hits[0].drug_id].name
        elif rank == CONDITIONS:
            ids = request.conds[index].condition_ids
            if len(ids) > 1:  # named by the concepts that fill this rule
                key = (rank, index, rule_index)
                name = self.known.get(key)
                if name is None:
                    named = self.knowledge.rules[rule_index].condition_ids
                    name = " + ".join(
                        kb.conditions[c].name for c in ([c for c in ids if c in named] or ids)
                    )
                    self.known[key] = name
                return name
            name = " + ".join(kb.conditions[c].name for c in ids)
        elif rank == LABS:
            analyte_id = request.labs[index].analyte_id
            item = request.lab_items[index]
            if analyte_id is None:
                name = f"lab {shown_at(request.shown_values, index, item.value)} {item.unit}"
            else:
                analyte = kb.analytes[analyte_id]
                unit = shown_unit(item.unit, analyte)
                corrected = corrected_value(request.results[index], request.labs[index], analyte)
                if corrected is None or analyte.corrected is None:
                    name = (
                        f"{analyte.name} {shown_at(request.shown_values, index, item.value)} {unit}"
                    )
                else:
                    name = kb.texts.templates["lab_name_corrected"].format(
                        analyte=analyte.name,
                        value=f"{corrected} {unit}",
                        by=kb.analytes[analyte.corrected.by].name,
                    )
        else:
            name = kb.conditions[PREGNANCY_CONDITION].name
        self.known[ref] = name
        return name
