"""Score signal-expectation cases (``signal_cases.json``) against a ``POST /v1/check`` answer.

A signal case says what a demanding clinical reviewer expects of the alert itself, not only
of each input's status: how severe the report is, which inputs one finding must join, what
the findings must mention, that an implausible value is refused, that a spelling correction
is shown, and that the note stays short. Each case has ``id``, ``why`` (one line of clinical
reasoning), ``source`` (where the expectation comes from), ``request`` (the body sent) and
``expect``; the expectation kinds are:

``risk_max`` / ``risk_min``
    the report's ``risk`` is at most / at least this (``none`` < ``low`` < ``moderate`` < ``high``).
``flag`` / ``not_flag``
    each ``[list, index]`` is (is not) flagged: its status is ``flagged`` or a finding names it.
``referenced``
    each ``[list, index]`` is named by some finding's ``inputs``.
``joins``
    for each group of ``[list, index]`` pairs, one finding names them all; with
    ``join_sev_min`` the most severe such finding is at least that severe.
``no_join``
    for each group, no finding names them all.
``problems``
    exactly this many findings are problems of their own (``absorbed_by`` null): one entry
    that is one problem gives one, whatever findings integrators also get.
``mentions_any``
    one of these words occurs (case-insensitively) in the findings' JSON text.
``reject_or_unused``
    ``[list, index]`` is refused (a 4xx answer whose body holds ``/list/index``) or, on a
    200 answer, not flagged.
``match_not_exact``
    the input's status shows how it was matched, and not as ``exact``, ``code`` or ``name``
    (a spelling correction is visible).
``note_max`` / ``detail_max``
    the note / the longest finding ``detail`` has at most this many characters.
``note_no_repeats``
    no clause of the note (split at ``;`` and line ends, compared without punctuation or
    case) occurs twice.

Written for this repository; it reads nothing outside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

RISK_ORDER: Final[tuple[str, ...]] = ("none", "low", "moderate", "high")
KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    {
        "risk_max",
        "risk_min",
        "flag",
        "not_flag",
        "referenced",
        "joins",
        "join_sev_min",
        "no_join",
        "problems",
        "mentions_any",
        "reject_or_unused",
        "match_not_exact",
        "note_max",
        "detail_max",
        "note_no_repeats",
    }
)
LIST_NAMES: Final[frozenset[str]] = frozenset({"medications", "conditions", "labs"})
NOT_A_CORRECTION: Final[frozenset[str]] = frozenset({"exact", "code", "name"})

Ref = tuple[str, int]
Post = Callable[[dict[str, Any]], tuple[int, str]]


@dataclass(frozen=True)
class Check:
    """One expectation of one case, and whether the answer met it."""

    case_id: str
    what: str
    ok: bool
    got: str = ""

    def describe(self) -> str:
        tail = f" (got: {self.got})" if self.got and not self.ok else ""
        return f"{self.case_id}: {self.what}{tail}"


@dataclass
class Outcome:
    """Every check of a run of cases."""

    checks: list[Check] = field(default_factory=list)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def failed_cases(self) -> list[str]:
        seen: dict[str, None] = {}
        for c in self.failed:
            seen.setdefault(c.case_id, None)
        return list(seen)

    def summary(self) -> str:
        held = len(self.checks) - len(self.failed)
        return f"{held}/{len(self.checks)} signal expectations held"


def rank(risk: object) -> int:
    """Position of a risk or severity on the scale; unknown values rank below ``none``."""
    return RISK_ORDER.index(risk) if isinstance(risk, str) and risk in RISK_ORDER else -1


def _ref(raw: object) -> Ref:
    if (
        isinstance(raw, Sequence)
        and not isinstance(raw, str)
        and len(raw) == 2
        and isinstance(raw[0], str)
        and raw[0] in LIST_NAMES
        and isinstance(raw[1], int)
    ):
        return (raw[0], raw[1])
    raise ValueError(f"not a [list, index] reference: {raw!r}")


def _refs(raw: object) -> list[Ref]:
    if not isinstance(raw, list):
        raise ValueError(f"not a list of references: {raw!r}")
    return [_ref(r) for r in raw]


def _groups(raw: object) -> list[frozenset[Ref]]:
    if not isinstance(raw, list):
        raise ValueError(f"not a list of groups: {raw!r}")
    return [frozenset(_refs(g)) for g in raw]


def validate_case(case: Mapping[str, Any]) -> None:
    """Refuse a malformed case early, so a typo is not a silently empty expectation."""
    for key in ("id", "why", "source", "request", "expect"):
        if key not in case:
            raise ValueError(f"case {case.get('id', '?')}: missing {key!r}")
    expect = case["expect"]
    if not isinstance(expect, dict) or not expect:
        raise ValueError(f"case {case['id']}: empty expect")
    unknown = set(expect) - KNOWN_KEYS
    if unknown:
        raise ValueError(f"case {case['id']}: unknown expectation kinds {sorted(unknown)}")
    for key in ("risk_max", "risk_min", "join_sev_min"):
        if key in expect and rank(expect[key]) < 0:
            raise ValueError(f"case {case['id']}: {key} {expect[key]!r} is not a risk")
    if "problems" in expect and (not isinstance(expect["problems"], int) or expect["problems"] < 0):
        raise ValueError(f"case {case['id']}: problems {expect['problems']!r} is not a count")
    if "join_sev_min" in expect and "joins" not in expect:
        raise ValueError(f"case {case['id']}: join_sev_min without joins")
    for key in ("flag", "not_flag", "referenced"):
        if key in expect:
            _refs(expect[key])
    for key in ("joins", "no_join"):
        if key in expect:
            _groups(expect[key])
    for key in ("reject_or_unused", "match_not_exact"):
        if key in expect:
            _ref(expect[key])


def load_cases(path: Path) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    ids = [c.get("id") for c in cases]
    duplicates = sorted({i for i in ids if isinstance(i, str) and ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate case ids: {duplicates}")
    for case in cases:
        validate_case(case)
    return cases


def _findings(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = report.get("findings")
    return [f for f in raw if isinstance(f, dict)] if isinstance(raw, list) else []


def _inputs_of(finding: Mapping[str, Any]) -> frozenset[Ref]:
    out: set[Ref] = set()
    raw = finding.get("inputs")
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        lst, idx = item.get("list"), item.get("index")
        if isinstance(lst, str) and isinstance(idx, int):
            out.add((lst, idx))
    return frozenset(out)


def _status(report: Mapping[str, Any], ref: Ref) -> dict[str, Any]:
    items = report.get(ref[0])
    if not isinstance(items, list):
        return {}
    for pos, item in enumerate(items):
        if isinstance(item, dict) and item.get("index", pos) == ref[1]:
            return item
    return {}


def _named(report: Mapping[str, Any], ref: Ref) -> bool:
    return any(ref in _inputs_of(f) for f in _findings(report))


def _flagged(report: Mapping[str, Any], ref: Ref) -> bool:
    return _status(report, ref).get("status") == "flagged" or _named(report, ref)


def _label(ref: Ref) -> str:
    return f"{ref[0]}[{ref[1]}]"


def _group_label(group: Iterable[Ref]) -> str:
    return " + ".join(_label(r) for r in sorted(group))


def _titles(report: Mapping[str, Any]) -> str:
    parts = [f"{f.get('severity')}: {f.get('title')}" for f in _findings(report)]
    return "; ".join(parts) or "no findings"


def note_clauses(note: str) -> list[str]:
    """The note's clauses, normalised for comparison."""
    parts = (re.sub(r"\W+", " ", p).strip().lower() for p in re.split(r"[;\n]", note))
    return [p for p in parts if p]


Add = Callable[[str, bool, str], None]


def _risk_checks(expect: Mapping[str, Any], report: Mapping[str, Any], add: Add) -> None:
    risk = report.get("risk")
    got = f"{risk}; {_titles(report)}"
    if "risk_max" in expect:
        add(f"risk at most {expect['risk_max']}", rank(risk) <= rank(expect["risk_max"]), got)
    if "risk_min" in expect:
        add(f"risk at least {expect['risk_min']}", rank(risk) >= rank(expect["risk_min"]), got)


def _input_checks(expect: Mapping[str, Any], report: Mapping[str, Any], add: Add) -> None:
    for ref in _refs(expect.get("flag", [])):
        add(
            f"{_label(ref)} flagged", _flagged(report, ref), str(_status(report, ref).get("status"))
        )
    for ref in _refs(expect.get("not_flag", [])):
        add(f"{_label(ref)} not flagged", not _flagged(report, ref), _titles(report))
    for ref in _refs(expect.get("referenced", [])):
        add(f"{_label(ref)} named by a finding", _named(report, ref), _titles(report))
    if "match_not_exact" in expect:
        ref = _ref(expect["match_not_exact"])
        how = str(_status(report, ref).get("match") or "").lower()
        shown = bool(how) and how not in NOT_A_CORRECTION
        add(f"{_label(ref)} shows a spelling correction", shown, how or "no match")


def _join_checks(expect: Mapping[str, Any], report: Mapping[str, Any], add: Add) -> None:
    findings = _findings(report)
    for group in _groups(expect.get("joins", [])):
        joining = [f for f in findings if group <= _inputs_of(f)]
        add(f"one finding joins {_group_label(group)}", bool(joining), _titles(report))
        if "join_sev_min" in expect:
            best = max((rank(f.get("severity")) for f in joining), default=-1)
            want = expect["join_sev_min"]
            what = f"the finding joining {_group_label(group)} is at least {want}"
            add(what, best >= rank(want), _titles(report))
    for group in _groups(expect.get("no_join", [])):
        joined = any(group <= _inputs_of(f) for f in findings)
        add(f"no finding joins {_group_label(group)}", not joined, _titles(report))
    if "problems" in expect:
        want = int(expect["problems"])
        shown = [f for f in findings if not f.get("absorbed_by")]
        add(f"{want} problem(s) shown", len(shown) == want, _titles(report))


def _text_checks(expect: Mapping[str, Any], report: Mapping[str, Any], add: Add) -> None:
    if "mentions_any" in expect:
        words = [str(w).lower() for w in expect["mentions_any"]]
        text = json.dumps(_findings(report)).lower()
        add(f"findings mention one of {words}", any(w in text for w in words), _titles(report))
    note = report.get("note")
    note_text = note if isinstance(note, str) else ""
    if "note_max" in expect:
        limit = int(expect["note_max"])
        add(f"note at most {limit} characters", len(note_text) <= limit, str(len(note_text)))
    if "detail_max" in expect:
        limit = int(expect["detail_max"])
        longest = max((len(str(f.get("detail", ""))) for f in _findings(report)), default=0)
        add(f"every detail at most {limit} characters", longest <= limit, str(longest))
    if expect.get("note_no_repeats"):
        clauses = note_clauses(note_text)
        repeated = sorted({c for c in clauses if clauses.count(c) > 1})
        add("no note clause repeated", not repeated, "; ".join(repeated))


def evaluate(case: Mapping[str, Any], status: int, body: str) -> list[Check]:
    """Every check of one case against one HTTP answer (status code and body text)."""
    cid = str(case["id"])
    expect: Mapping[str, Any] = case["expect"]
    checks: list[Check] = []

    def add(what: str, ok: bool, got: str) -> None:
        checks.append(Check(cid, what, ok, got))

    report: dict[str, Any] = {}
    if status == 200:
        parsed = json.loads(body)
        if isinstance(parsed, dict):
            report = parsed
    if "reject_or_unused" in expect:
        ref = _ref(expect["reject_or_unused"])
        refused = 400 <= status < 500 and f"/{ref[0]}/{ref[1]}" in body
        unused = status == 200 and not _flagged(report, ref)
        add(
            f"{_label(ref)} refused or not used",
            refused or unused,
            f"HTTP {status}; {_titles(report)}",
        )
        return checks
    if status != 200:
        add("answered 200", False, f"HTTP {status}: {body[:300]}")
        return checks
    _risk_checks(expect, report, add)
    _input_checks(expect, report, add)
    _join_checks(expect, report, add)
    _text_checks(expect, report, add)
    return checks


def run(cases: Iterable[Mapping[str, Any]], post: Post) -> Outcome:
    outcome = Outcome()
    for case in cases:
        status, body = post(dict(case["request"]))
        outcome.checks.extend(evaluate(case, status, body))
    return outcome
