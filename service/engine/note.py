"""The chart note: a short plain-text summary a clinician can paste into a chart.

One line per problem (a combination speaks for the findings it absorbs), the low-severity
contributors on one line, the first check of each problem once (of each low contributor
when there is no other problem), spelling corrections, what
could not be checked, and the decision-support line.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet

from service.engine.models import CheckRequest, Finding, InputStatus
from service.engine.status_codes import LAB, PRELIMINARY, read_status
from service.engine.strings import and_list, cap, shown_at, unique
from service.knowledge.base import KnowledgeBase
from service.knowledge.severity import Risk

MAX_CHECKS = 3
_WORDS = re.compile(r"\w+")
# When a check is due, not what it checks: "Potassium and magnesium in 1-2 weeks" asks for
# nothing that "Potassium and magnesium within days" (said first: the more severe problem's)
# has not already asked for.
_WHEN = frozenset(
    {"now", "within", "in", "hours", "hour", "days", "day", "weeks", "week", "months", "month"}
)


# Words that join what a check asks for: "potassium and magnesium" asks for nothing that
# "potassium, magnesium, sodium, creatinine" does not.
_CONNECTORS = frozenset({"and", "or", "with", "the", "a"})


# Results a check asks to measure, by name, and the words that only say when or whether
# ("if there are muscle symptoms"): a later clause that asks for no other result and says
# nothing else asks for nothing new ("CK if there are muscle symptoms" after "CK at least
# weekly"; "Magnesium now and every 6-12 months" after "Potassium and magnesium within days").
RESULT_WORDS = frozenset(
    {
        "potassium", "magnesium", "calcium", "sodium", "ck", "creatinine", "glucose", "tsh",
        "phosphate", "egfr", "albumin", "hemoglobin",
    }
)  # fmt: skip
_WHETHER = frozenset(
    {
        "if", "any", "there", "are", "is", "when", "muscle", "symptom", "symptoms", "pain",
        "weakness", "cramps", "again", "repeat", "after", "starting", "start", "dose",
        "change", "changes", "periodically", "then", "level", "levels", "serum", "at", "least",
        "more", "often", "every", "each", "of", "long", "term",
    }
)  # fmt: skip
# A check that lists results, then when or not ("Potassium, magnesium, sodium, creatinine
# in 3-7 days", "Magnesium and potassium now and every 6-12 months", "Magnesium, potassium
# and calcium"): after earlier checks ask for some of them, it asks only for the rest.
_RESULT_LIST = re.compile(
    r"^(?P<results>[A-Za-z]+(?:(?:, | and )[A-Za-z]+)+)"
    r"(?: (?P<when>(?:(?:in|within) |now\b)[^;()]*))?$"
)
_LIST_SEPARATOR = re.compile(r", | and ")
# A check with a companion result ("Sodium within days, with potassium"): the companion
# goes when it is asked for already.
_WITH_RESULT = re.compile(r"^(?P<check>[^;]+), with (?P<result>[a-z]+)$")


_ASIDE = re.compile(r"\([^)]*\)")


@functools.lru_cache(maxsize=4096)
def _asked_plainly(clause: str) -> frozenset[str]:
    """What a clause asks for without its asides in brackets, which explain (remembered:
    clauses are the knowledge base's texts)."""
    return _asked(_ASIDE.sub(" ", clause))


@functools.lru_cache(maxsize=4096)
def _results_only(clause: str) -> frozenset[str] | None:
    """The results a clause asks for when it asks for nothing else (an aside in brackets
    explains, it asks for nothing); else None."""
    words = _asked_plainly(clause)
    results = words & RESULT_WORDS
    return results if results and words - results <= _WHETHER else None


def asks_nothing_new(
    clause: str, earlier: Sequence[frozenset[str]], measured: AbstractSet[str]
) -> bool:
    """A clause whose words an earlier clause has, or that asks only for results earlier
    clauses ask for (``measured``), whatever its timing or condition."""
    words = _asked_plainly(clause)
    if any(words <= before for before in earlier):
        return True
    results = _results_only(clause)
    return results is not None and results <= measured


def narrowed(clause: str, measured: AbstractSet[str], untimed: bool = True) -> str | None:
    """A clause that lists results (and when), with only the results not asked for earlier
    ("Creatinine in 3-7 days" after "Potassium and magnesium now; Sodium within days",
    "Potassium" for "Magnesium, potassium and calcium" after "Magnesium and calcium now"), or
    without a companion result asked for earlier ("Sodium within days" for "Sodium within
    days, with potassium"); None when nothing changes or nothing would be left."""
    companion = _WITH_RESULT.match(clause)
    if companion is not None:
        result = companion["result"]
        return companion["check"] if result in RESULT_WORDS and result in measured else None
    found = _RESULT_LIST.match(clause)
    if found is None:
        return _narrowed_if(clause, measured) or _narrowed_with_asides(clause, measured, untimed)
    if not (untimed or found["when"]):
        return None
    rest = _results_not_asked(found["results"], measured)
    if rest is None:
        return None
    when = f" {found['when']}" if found["when"] else ""
    return f"{rest}{when}"


def _results_not_asked(listed: str, measured: AbstractSet[str]) -> str | None:
    """A list of results ("Potassium, sodium and magnesium") without those asked already
    ("Potassium and sodium"); None when an item is not a result, or when none or all of
    them were asked."""
    results = _LIST_SEPARATOR.split(listed)
    if any(r.lower() not in RESULT_WORDS for r in results):
        return None
    rest = [r.lower() for r in results if r.lower() not in measured]
    if not rest or len(rest) == len(results):
        return None
    return cap(and_list(rest))


# A list of what to check, then the condition ("CK and creatinine if any", "CK and blood
# count if any"): after earlier checks ask for some of its results, it asks only for the rest
# ("Creatinine if any").
_LIST_IF = re.compile(r"^(?P<items>[^;()]+?) (?P<condition>if [^;()]+)$")


def _narrowed_if(clause: str, measured: AbstractSet[str]) -> str | None:
    """``narrowed`` for a list with a condition of whether ("if any"); None when nothing
    changes, nothing would be left, or the clause is not such a list."""
    found = _LIST_IF.match(clause)
    if found is None or not _asked(found["condition"]) <= _WHETHER:
        return None
    items = _LIST_SEPARATOR.split(found["items"])
    rest = [i for i in items if not (i.lower() in RESULT_WORDS and i.lower() in measured)]
    if not rest or len(rest) == len(items):
        return None
    return f"{cap(and_list(rest))} {found['condition']}"


# A check due on a schedule ("CK at least weekly during daptomycin"): it asks for its
# results more strictly than an earlier "CK if any", which it replaces.
_SCHEDULED = re.compile(r"\b(?:daily|weekly|monthly|every)\b")
_IF = frozenset({"if"})


def _asked_if_only(clause: str) -> frozenset[str]:
    """The results a clause asks for only on a condition of whether ("CK if any",
    "CK if any muscle symptom"); else {"if"}, which no scheduled check asks for."""
    results = _results_only(clause)
    return results if results is not None and "if" in _asked_plainly(clause) else _IF


# A list of results some of which say in brackets how to measure them ("Calcium (corrected
# or ionized), magnesium, vitamin D"), then when or not: as a plain list, it asks only for
# the results not asked for earlier. A result with its aside stays (the aside says which
# result to take: a plain "calcium" asked earlier does not say "corrected or ionized").
_LISTED_RESULT = re.compile(r"^(?P<name>[A-Za-z]+(?: [A-Za-z]+)?)(?: \([^()]*\))?$")
# Results a check names in two words: asked for by name, never counted as asked earlier
# (``measured`` holds single words).
_TWO_WORD_RESULTS = frozenset({"vitamin d", "alkaline phosphatase"})
_WHEN_AT_END = re.compile(r"^(?P<item>.*?) (?P<when>(?:in|within) [^;()]+)$")


def _narrowed_with_asides(clause: str, measured: AbstractSet[str], untimed: bool) -> str | None:
    """``narrowed`` for a list of results with asides in brackets; None when nothing
    changes, nothing would be left, or the clause is not such a list."""
    if "(" not in clause or "; " in clause:
        return None
    items = _split_listed(clause)
    if items is None or len(items) < 2:
        return None
    when = ""
    timed = _WHEN_AT_END.match(items[-1])
    if timed is not None and "(" not in timed["when"]:
        items[-1] = timed["item"]
        when = f" {timed['when']}"
    elif not untimed:
        return None
    rest = []
    for item in items:
        found = _LISTED_RESULT.match(item)
        if found is None:
            return None
        name = found["name"].lower()
        if name not in RESULT_WORDS and name not in _TWO_WORD_RESULTS:
            return None
        if "(" in item or name not in measured:
            rest.append(item)
    if len(rest) == len(items):
        return None
    return f"{cap(and_list(rest))}{when}"


def _split_listed(clause: str) -> list[str] | None:
    """``clause`` split at the ", " and " and " outside brackets; None with unbalanced
    brackets."""
    items: list[str] = []
    depth = begin = 0
    i = 0
    while i < len(clause):
        ch = clause[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0:
            for separator in (", and ", ", ", " and "):
                if clause.startswith(separator, i):
                    items.append(clause[begin:i])
                    i += len(separator)
                    begin = i
                    break
            else:
                i += 1
                continue
            continue
        i += 1
    if depth:
        return None
    items.append(clause[begin:])
    return items


@functools.lru_cache(maxsize=4096)
def check_words(clause: str) -> frozenset[str]:
    """What a check clause asks for: its words without those of when it is due. Clauses
    are the knowledge base's monitoring and management texts (never request text), so
    they are remembered (bounded)."""
    words = _WORDS.findall(clause.lower())
    what = frozenset([w for w in words if w not in _WHEN and not w.isdigit()])
    return what or frozenset(words)


@functools.lru_cache(maxsize=4096)
def _asked(clause: str) -> frozenset[str]:
    """What a check clause asks for, without the words that join its items."""
    return check_words(clause) - _CONNECTORS or check_words(clause)


def problem_checks(finding: Finding) -> Sequence[str]:
    """What a problem asks to check beside others: its first check, or every check of a
    severe one (the ECG with a potassium below 3.0)."""
    return finding.monitoring if finding.severity == "high" else finding.monitoring[:1]


def _low_checks(minor: Sequence[Finding]) -> list[str]:
    """The first check of each low contributor, in order: the first one's, then another's
    when it asks for a result not asked yet or for no result (a question to ask, a sign to
    act on). "Calcium, vitamin D and creatinine before each infusion" after "Calcium,
    magnesium, phosphate, vitamin D and kidney function before each dose" asks for nothing
    new, whatever its timing; a later one that lists results first asks only for those not
    asked yet ("Potassium at baseline, ..." for "Potassium and magnesium at baseline, ...").
    Each contributor's finding keeps all its checks."""
    checks: list[str] = []
    asked: set[str] = set()
    for first in unique(f.monitoring[0] for f in minor if f.monitoring):
        results = _results_of(first)
        if checks and results and results <= asked:
            continue
        checks.append((_without_asked(first, asked) if checks else None) or first)
        asked |= results
    return checks


# A check that lists results first, then when or how ("Potassium and magnesium at baseline,
# 1-2 weeks after starting or a dose change, then periodically").
_LEADING_RESULTS = re.compile(
    r"^(?P<results>[A-Za-z]+(?:(?:, | and )[A-Za-z]+)+)(?P<rest> [^;()]*)?(?P<more>;.*)?$"
)
# Kidney function is measured as creatinine and eGFR.
_KIDNEY_FUNCTION = re.compile(r"\bkidney function\b", re.IGNORECASE)
# Results a low contributor's check may ask for beside RESULT_WORDS (which narrowing
# uses): a check that asks for one of them asks for something of its own.
_OTHER_RESULTS = frozenset({"bicarbonate", "pth", "ferritin", "b12", "hba1c", "t4"})


def _results_of(check: str) -> frozenset[str]:
    """The results a check asks for, "kidney function" read as creatinine and eGFR."""
    results = _asked_plainly(check) & (RESULT_WORDS | _OTHER_RESULTS)
    if _KIDNEY_FUNCTION.search(check):
        results |= {"creatinine", "egfr"}
    return results


def _without_asked(check: str, asked: AbstractSet[str]) -> str | None:
    """A check that lists results first, with those ``asked`` left out; None when it lists
    none of them, or none would be left."""
    found = _LEADING_RESULTS.match(check)
    if found is None:
        return None
    rest = _results_not_asked(found["results"], asked)
    if rest is None:
        return None
    return f"{rest}{found['rest'] or ''}{found['more'] or ''}"


def _unrepeated(checks: Iterable[str]) -> list[str]:
    """The checks with every clause said once: a clause whose words an earlier clause
    already has ("Muscle symptoms", "CK if any" after "CK and creatinine if any"), however
    punctuated or capitalized, and whatever its timing ("in 1-2 weeks" after "within
    days"), is left out of the later check. A later one-clause check that asks for all an
    earlier one-clause check asks for, and more, takes its place ("A digoxin level and an
    ECG" for "An ECG"), so it is not crowded out of the note."""
    given = unique(checks)
    if len(given) < 2 and not any("; " in check for check in given):
        return given  # nothing that could repeat
    # A result the second check names with an aside ("Calcium (corrected or ionized), ...")
    # is left out of a plain list in the first ("Magnesium, potassium and calcium"): the
    # aside says which result to take. Only the second: the first two checks are never cut
    # from a note over budget, so the result stays asked.
    later = _named_with_asides(given[1]) if len(given) > 1 else frozenset()
    if later:
        kept = _unrepeated_from(given, later)
        if _results_asked(kept) >= _results_asked(given):
            return kept
    return _unrepeated_from(given, frozenset())


def _results_asked(checks: Sequence[str]) -> frozenset[str]:
    return frozenset(w for check in checks for w in _asked(check) if w in RESULT_WORDS)


@functools.lru_cache(maxsize=4096)
def _named_with_asides(check: str) -> frozenset[str]:
    """The results a check lists with an aside in brackets ("calcium" for "Calcium
    (corrected or ionized), magnesium, vitamin D")."""
    named: set[str] = set()
    for clause in check.split("; "):
        for item in _split_listed(clause) or ():
            found = _LISTED_RESULT.match(item)
            if found is not None and "(" in item and found["name"].lower() in RESULT_WORDS:
                named.add(found["name"].lower())
    return frozenset(named)


def _unrepeated_from(given: list[str], later: frozenset[str]) -> list[str]:
    """``_unrepeated``, with the results of ``later`` taken as asked in the first check."""
    seen: list[frozenset[str]] = []
    measured: set[str] = set()
    kept: list[list[str]] = []
    for check in given:
        # An untimed list that would take the place of a narrower check is kept whole.
        wider_whole = "; " not in check and any(
            len(k) == 1 and _all_words(k[0]) < _all_words(check) for k in kept
        )
        clauses = []
        for said in check.split("; "):
            asked = measured | later if not kept and later else measured
            clause = narrowed(said, asked, untimed=not wider_whole) or said
            if not asks_nothing_new(clause, seen, measured):
                words = _asked(clause)
                if len(kept) < 2 and _SCHEDULED.search(clause) and "if" not in words:
                    # In the first two checks, which a note always shows: a scheduled
                    # check replaces an earlier "CK if any" for the same results.
                    for k in kept:
                        k[:] = [c for c in k if not _asked_if_only(c) <= words]
                    kept = [k for k in kept if k]
                seen.append(words)
                measured |= words & RESULT_WORDS
                clauses.append(clause)
        if len(clauses) == 1 and "; " not in check:
            # Its timing too: "Potassium in 1-2 weeks" does not replace "Potassium now".
            wider = _all_words(clauses[0])
            narrower = next((k for k in kept if len(k) == 1 and _all_words(k[0]) < wider), None)
            if narrower is not None:
                narrower[0] = clauses[0]
                continue
        if clauses:
            kept.append(clauses)
    return ["; ".join(clauses) for clauses in kept]


@functools.lru_cache(maxsize=4096)
def _all_words(clause: str) -> frozenset[str]:
    """Every word of a clause, its timing included, without the words that join items."""
    return frozenset(_WORDS.findall(clause.lower())) - _CONNECTORS


def _widened(own: list[str], spoken_for: list[str]) -> list[str]:
    """The problems' checks, where the first check of a combination they speak for asks for
    all an untimed one asks for, and more, in its place ("potassium, magnesium, sodium,
    creatinine in 3-7 days" for "potassium and magnesium"). A check that would only add
    to what a problem asks is left out: the problem's own rule chose its check. An untimed
    wider check whose further results another problem's check asks for already is not
    needed ("Magnesium, potassium and calcium" for "Potassium and magnesium" beside
    "Calcium (corrected or ionized), magnesium, vitamin D" would ask for calcium twice)."""
    if not spoken_for:
        return own
    checks = list(own)
    for extra in spoken_for:
        wider = _asked(extra)
        for i, check in enumerate(checks):
            asked = _untimed(check)
            if asked is not None and asked < wider:
                if _untimed(extra) is not None and all(
                    word in RESULT_WORDS
                    and any(word in _asked(other) for j, other in enumerate(checks) if j != i)
                    for word in wider - asked
                ):
                    break
                checks[i] = extra
                break
    return checks


@functools.lru_cache(maxsize=4096)
def _untimed(check: str) -> frozenset[str] | None:
    """What a one-clause check with no timing asks for (without connecting words); None
    for several clauses or a timing, which a wider check would lose. Checks are the
    knowledge base's texts, never request text."""
    if "; " in check or check_words(check) != frozenset(_WORDS.findall(check.lower())):
        return None
    return _asked(check)


def _input_label(request: CheckRequest, lst: str, index: int) -> str:
    items: Sequence[object] = getattr(request, lst)
    item = items[index]
    text = getattr(item, "text", None)
    if not text:
        coding = getattr(item, "coding", None) or []
        text = next((f"{c.display or ''} {c.code or ''}".strip() for c in coding), "")
    return " ".join(_visible(text).split())[:60]


def _visible(text: str) -> str:
    """``text`` without control and format characters: a bidi override (U+202E) or
    isolate copied into the note would reverse how the rest of the note is shown, and a
    zero-width character would hide what the input was (Trojan Source)."""
    return "".join(
        " " if unicodedata.category(ch) == "Cc" else ch
        for ch in text
        if unicodedata.category(ch) != "Cf"
    )


def _short_name(finding: Finding, kb: KnowledgeBase) -> str:
    """What a low-severity finding is about, in a word or two."""
    kind, _, ident = finding.id.partition("/")
    if kind == "medication" and ident in kb.drugs:
        return kb.drugs[ident].name
    if kind == "condition" and ident in kb.conditions:
        return kb.conditions[ident].name
    return finding.title


def render_note(
    risk: Risk,
    findings: Sequence[Finding],
    request: CheckRequest,
    statuses: Sequence[tuple[str, Sequence[InputStatus]]],
    kb: KnowledgeBase,
    pregnancy_not_read: str | None = None,
    shown_values: Sequence[str] = (),
) -> str:
    """The chart note; ``pregnancy_not_read``: why ``patient.pregnant`` true was not read
    (said among the inputs not checked)."""
    t = kb.texts.templates
    problems = [f for f in findings if f.absorbed_by is None]
    empty = None
    if not problems:
        sent = request.medications or request.conditions or request.labs
        empty = t["note_none"] if sent else t["note_nothing_sent"]
    major = [f for f in problems if f.severity != "low" or f.kind == "combination"]
    minor = [f for f in problems if f.severity == "low" and f.kind != "combination"]
    # Severe problems come first, so their checks do; a wider check of a combination a
    # problem speaks for may replace an untimed one of the problem's (_widened).
    shown = {f.id for f in major if f.kind == "combination"}
    spoken_for = (
        [
            f.monitoring[0]
            for f in findings
            if f.absorbed_by in shown and f.kind == "combination" and f.monitoring
        ]
        if shown
        else []
    )
    # Each problem's first check, then the further checks of a severe one (its ECG), so a
    # severe problem does not crowd the others' checks out. With only low contributors,
    # each one's first check that asks for something not asked yet (_low_checks).
    problems_checked = major or minor
    own = [f.monitoring[0] for f in major if f.monitoring] if major else _low_checks(minor)
    own += [check for f in problems_checked for check in problem_checks(f)[1:]]
    # A high problem's checks (a digoxin level and an ECG) are the last a note over budget
    # leaves out.
    severe = frozenset(
        check for f in problems_checked if f.severity == "high" for check in f.monitoring
    )
    corrections = []
    unrecognized = []
    if pregnancy_not_read is not None:
        unrecognized.append(t["note_pregnancy_not_read"].format(why=pregnancy_not_read))
    for lst, items in statuses:
        for s in items:
            if s.match == "spelling" and s.read_as:
                label = _input_label(request, lst, s.index)
                corrections.append(t["note_correction"].format(input=label, term=s.read_as))
            if s.status != "unrecognized":
                continue
            label = f'{lst}[{s.index}] "{_input_label(request, lst, s.index)}"'
            if s.suggestions:
                label = t["note_suggestion"].format(
                    input=label, suggestion=" or ".join(s.suggestions)
                )
            unrecognized.append(label)
    # A preliminary result is used (service/engine/status_codes.py): the note says which, so
    # a problem it makes is read as one to confirm. Only the results a finding uses
    # ("flagged"): a preliminary ferritin or a normal potassium changes nothing (review28 R9).
    used = [
        s
        for lst, items in statuses
        if lst == "labs"
        for s in items
        if s.concept
        and s.status == "flagged"
        and request.labs[s.index].status is not None
        and read_status(request.labs[s.index].status, LAB).code == PRELIMINARY
    ]
    # Those a high problem uses first: they keep the line in a note over budget (a critical
    # value must not read as final), as the high problem keeps its own.
    in_high = {
        ref.index
        for f in problems
        if f.severity == "high"
        for ref in f.inputs
        if ref.list == "labs"
    }
    used.sort(key=lambda s: s.index not in in_high)
    preliminary = [
        f"{s.concept} {shown_at(shown_values, s.index, request.labs[s.index].value)}"
        f" {request.labs[s.index].unit}"
        for s in used
    ]
    parts = _NoteParts(
        header=t["note_header"].format(risk=risk),
        empty=empty,
        major=[(f.severity, f.title) for f in major],
        minor=unique(_short_name(f, kb) for f in minor),
        checks=_unrepeated(_widened(own, spoken_for)),
        severe_checks=severe,
        corrections=corrections,
        unrecognized=unrecognized,
        preliminary=preliminary,
        severe_preliminary=any(s.index in in_high for s in used),
    )
    return parts.fitted(t)


# A chart note a clinician reads in seconds. A note over this many characters is made
# shorter, step by step (``_STEPS``), until it fits: the low-severity contributors, the
# checks, the inputs listed as read or not checked, the inputs a problem names and the
# moderate problems are each cut to a count of the rest. A high problem's line is never
# left out; every finding and input status stays whole in the report.
NOTE_BUDGET = 700
# The parts of a note between its header and its disclaimer, in order.
_PARTS = ("problems", "minor", "checks", "preliminary", "listed")
# A part of a note shown whole.
_UNCUT = 1 << 30
# Inputs a problem line names in a note over budget; the others are counted.
_NAMES_WHEN_SHORT = 3


class _NoteParts:
    """What a note says, before it is fitted to the budget."""

    __slots__ = (
        "checks", "corrections", "empty", "header", "major", "minor", "named", "preliminary",
        "rendered", "severe_checks", "severe_preliminary", "unrecognized",
    )  # fmt: skip

    def __init__(
        self,
        header: str,
        empty: str | None,
        major: list[tuple[str, str]],
        minor: list[str],
        checks: list[str],
        severe_checks: frozenset[str],
        corrections: list[str],
        unrecognized: list[str],
        preliminary: list[str],
        severe_preliminary: bool = False,
    ) -> None:
        self.header = header
        self.empty = empty
        self.major = major
        self.minor = minor
        self.checks = checks
        self.severe_checks = severe_checks
        self.corrections = corrections
        self.unrecognized = unrecognized
        self.preliminary = preliminary
        # A high problem uses the first preliminary result listed.
        self.severe_preliminary = severe_preliminary
        # A problem's title split into its head and the inputs it names in its closing
        # brackets, for the titles that name some (made once a note is over budget).
        self.named: dict[str, tuple[str, list[str]]] = {}
        self.rendered: dict[tuple[str, int, int], list[str]] = {}

    def fitted(self, t: Mapping[str, str]) -> str:
        note = self.render(t, {})
        if len(note) <= NOTE_BUDGET:
            return note
        for _, title in self.major:
            split = _named_inputs(title)
            if split is not None:
                self.named[title] = split
        cuts: dict[str, int] = {}
        for step in _STEPS:
            # From one fewer than the part has, down to the step's floor.
            for limit in range(step.start(self), step.floor(self) - 1, -1):
                cuts[step.part] = limit
                note = self.render(t, cuts)
                if len(note) <= NOTE_BUDGET:
                    return note
        return note

    def _title(self, title: str, shown: int, t: Mapping[str, str]) -> str:
        """``title`` naming at most ``shown`` of its inputs ("... (furosemide,
        hydrochlorothiazide and 3 more)")."""
        split = self.named.get(title) if shown < _UNCUT else None
        if split is None:
            return title
        head, names = split
        # The results a problem names are what make it severe: they are never cut.
        results = [n for n in names if _RESULT.search(n)]
        others = [n for n in names if not _RESULT.search(n)]
        if len(others) <= shown:
            return title
        return f"{head}({', '.join([_counted(others, shown, t), *results])})"

    def render(self, t: Mapping[str, str], cuts: Mapping[str, int]) -> str:
        """The note, showing of each part at most as many items as ``cuts`` says (all of
        a part it does not name)."""
        lines = [self.header]
        if self.empty is not None:
            lines.append(self.empty)
        if not cuts:  # the whole note (nearly every one): nothing to remember
            for part in _PARTS:
                lines += self._render_part(t, part, _UNCUT, _UNCUT)
            lines.append(t["note_disclaimer"])
            return "\n".join(lines)
        names = cuts.get("names", _UNCUT)
        problems = cuts.get("problems", _UNCUT)
        lines += self._part(t, "problems", problems, names)
        lines += self._part(t, "minor", cuts.get("minor", _UNCUT))
        lines += self._part(t, "checks", cuts.get("checks", _UNCUT))
        lines += self._part(t, "preliminary", cuts.get("preliminary", _UNCUT))
        lines += self._part(t, "listed", cuts.get("listed", _UNCUT))
        lines.append(t["note_disclaimer"])
        return "\n".join(lines)

    def _part(self, t: Mapping[str, str], part: str, shown: int, names: int = _UNCUT) -> list[str]:
        """The lines of one part of the note showing at most ``shown`` items (remembered:
        a note over budget is rendered once per step)."""
        key = (part, shown, names)
        lines = self.rendered.get(key)
        if lines is None:
            lines = self.rendered[key] = self._render_part(t, part, shown, names)
        return lines

    def _render_part(self, t: Mapping[str, str], part: str, shown: int, names: int) -> list[str]:
        if part == "problems":
            high = [(s, title) for s, title in self.major if s == "high"]
            rest = [(s, title) for s, title in self.major if s != "high"]
            kept = high + rest[:shown]
            lines = [
                t["note_finding"].format(severity=s, title=self._title(title, names, t))
                for s, title in kept
            ]
            left_out = rest[shown:]
            if left_out:
                counts = [
                    f"{n} {severity}"
                    for severity in ("moderate", "low")
                    if (n := sum(s == severity for s, _ in left_out))
                ]
                lines.append(t["note_more_problems"].format(counts=", ".join(counts)))
            return lines
        if part == "minor":
            if not self.minor:
                return []
            return [t["note_minor"].format(items=_counted(self.minor, shown, t))]
        if part == "checks":
            if not self.checks:
                return []
            checks = self.checks[:MAX_CHECKS]
            cut = len(checks) - shown if shown < len(checks) else 0
            if cut:
                # A high problem's checks first, then the others, in the note's order.
                first = [c for c in checks if c in self.severe_checks]
                first += [c for c in checks if c not in self.severe_checks]
                chosen = set(first[:shown])
                checks = [c for c in checks if c in chosen]
                items = t["note_more_checks"].format(items="; ".join(checks), count=cut)
                return [t["note_monitoring"].format(items=items)]
            return [t["note_monitoring"].format(items="; ".join(checks))]
        if part == "preliminary":
            if not self.preliminary or shown == 0:
                return []
            items = _counted(self.preliminary, shown, t)
            return [t["note_preliminary"].format(items=items)]
        lines = []
        if self.corrections:
            items = _counted(self.corrections, shown, t, "; ")
            lines.append(t["note_corrections"].format(items=items))
        if self.unrecognized:
            items = _counted(self.unrecognized, shown, t, "; ")
            lines.append(t["note_unrecognized"].format(items=items))
        return lines


class _Step:
    """One way of shortening a note: showing fewer items of ``part``, down to ``floor``,
    starting from one fewer than ``start`` says it has."""

    __slots__ = ("floor", "part", "start")

    def __init__(
        self, part: str, floor: Callable[[_NoteParts], int], start: Callable[[_NoteParts], int]
    ) -> None:
        self.part = part
        self.floor = floor
        self.start = start


# In order: what a reader loses least by, first.
_STEPS = (
    _Step("minor", lambda p: 2, lambda p: len(p.minor) - 1),
    # Never fewer than the high problems' checks among those shown.
    _Step(
        "checks",
        lambda p: max(2, sum(c in p.severe_checks for c in p.checks[:MAX_CHECKS])),
        lambda p: min(MAX_CHECKS, len(p.checks)) - 1,
    ),
    _Step(
        "listed",
        lambda p: 1,
        lambda p: max(len(p.corrections), len(p.unrecognized)) - 1,
    ),
    # The preliminary line never makes a note over budget cut more than the listed inputs
    # (review28 O3): at 0 it is left out (each result's reason in the report still says it
    # is preliminary), unless a high problem uses a preliminary result: then that one stays
    # listed, as the high problem's line does.
    _Step(
        "preliminary",
        lambda p: 1 if p.severe_preliminary else 0,
        lambda p: len(p.preliminary) - 1,
    ),
    _Step("names", lambda p: 2, lambda p: _NAMES_WHEN_SHORT),
    _Step("problems", lambda p: 0, lambda p: sum(s != "high" for s, _ in p.major) - 1),
)
# A note of several high problems may stay over budget: each keeps its line, the results
# it names and two of its other inputs.


def _counted(items: Sequence[str], shown: int, t: Mapping[str, str], sep: str = ", ") -> str:
    """The first ``shown`` items, and a count of the others."""
    if len(items) <= shown:
        return sep.join(items)
    return t["note_and_more"].format(items=sep.join(items[:shown]), count=len(items) - shown)


def _named_inputs(title: str) -> tuple[str, list[str]] | None:
    """A title's head and the inputs it names in its closing brackets; None without."""
    if not title.endswith(")"):
        return None
    depth = 0
    for bracket in reversed(list(_BRACKETS.finditer(title))):
        depth += 1 if bracket[0] == ")" else -1
        if depth == 0:
            start = bracket.start()
            if start == 0:
                return None
            return title[:start], _top_level_split(title[start + 1 : -1])
    return None


_BRACKETS = re.compile(r"[()]")
# An input a title names that is a result: a number and its unit ("potassium 2.7 mmol/L",
# not "chronic kidney disease stage 4-5").
_RESULT = re.compile(r"\d \S*[A-Za-z%]\S*$")


def _top_level_split(listed: str) -> list[str]:
    """``listed`` split at the commas outside brackets ("calcium (total) 8.0 mg/dL" is one)."""
    if "(" not in listed:
        return listed.split(", ")
    names: list[str] = []
    depth = begin = 0
    for i, ch in enumerate(listed):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            names.append(listed[begin:i].strip())
            begin = i + 1
    names.append(listed[begin:].strip())
    return names
