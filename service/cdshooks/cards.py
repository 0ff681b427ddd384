"""CDS Hooks cards from the engine's report: one per clinically distinct problem."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from msgspec import UNSET

from service.cdshooks import checks
from service.cdshooks.grouping import Group, group_findings, join_same_drug
from service.cdshooks.models import (
    Card,
    CardCoding,
    CardSource,
    Link,
    Suggestion,
)
from service.cdshooks.services import Service
from service.cdshooks.suggestions import (
    lab_suggestions,
    override_reasons,
    remove_draft,
    wanted_orders,
)
from service.engine.findings import shown_unit
from service.engine.models import CheckRequest, Evidence, Finding, InputRef, InputStatus, Report
from service.engine.strings import and_list, lab_values, unique
from service.fhir.models import ResourceRef, Sources
from service.knowledge import KnowledgeBase
from service.knowledge.schema import LabOrder
from service.knowledge.severity import INDICATOR, Indicator
from service.knowledge.text import unit_key

INDICATOR_RANK: dict[str, int] = {"info": 1, "warning": 2, "critical": 3}
SUMMARY_MAX = 139  # CDS Hooks: "<140-character"
# `source.topic` names the problem a card is about: its lead finding's stable id. Card and
# suggestion uuids are new on every call; feedback is counted per problem through the topic.
PROBLEM_SYSTEM = "urn:cramp-checker:cds-hooks:problem"
SOURCE_LABEL = "Cramp risk checker"
MAX_LISTED = 6
# Card `detail` (CDS Hooks sets no limit; EHRs show it in a small panel): at most this many
# characters, the incomplete-data line that may follow excepted (docs/cds-hooks.md).
DETAIL_MAX = 3000
# A result taken longer ago than this is shown with its month in a card's summary and titles.
OLD_RESULT_DAYS = 30
# Citations listed when a card's full detail is longer than DETAIL_MAX.
BRIEF_CITATIONS = 3
# ... each cut to this many characters (its link gives the whole source).
BRIEF_CITATION_MAX = 200
CUT_MARK = "…"
# An EHR text (a resource's display) named in a card's detail is cut to this length.
EHR_TEXT_MAX = 120
# The hooks whose drafts a card may propose to delete (CDS Hooks 2.0 `context.draftOrders`).
DRAFT_HOOKS = frozenset({"order-select", "order-sign"})
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# A band's aside before a result's value ("Raised CK (over 2,000 U/L): 2500 U/L"): left out
# where the value follows in a summary ("raised CK 2500 U/L").
_ASIDE_BEFORE_VALUE = re.compile(r"\s*\([^()]*\)(?=: )")
_TRAILING_ASIDE = re.compile(r"\s*\([^()]*\)$")
# Units (``unit_key`` form) as clinicians spell them, for a result in a unit of its analyte
# other than the canonical one (``meq/L`` from a UCUM code: ``mEq/L``).
UNIT_SPELLING: dict[str, str] = {
    "meq/l": "mEq/L",
    "mmol/l": "mmol/L",
    "umol/l": "µmol/L",
    "nmol/l": "nmol/L",
    "mg/dl": "mg/dL",
    "mg/l": "mg/L",
    "g/dl": "g/dL",
    "g/l": "g/L",
    "ng/ml": "ng/mL",
    "ug/l": "µg/L",
    "mcg/l": "mcg/L",
    "miu/l": "mIU/L",
    "miu/ml": "mIU/mL",
    "uiu/ml": "µIU/mL",
    "mu/l": "mU/L",
    "uu/ml": "µU/mL",
    "u/l": "U/L",
}


@dataclass(frozen=True, slots=True)
class CardInput:
    service: Service
    request: CheckRequest
    report: Report
    sources: Sources
    kb: KnowledgeBase
    patient_id: str
    # Order hooks: indexes of the medications that are new orders (None for patient-view).
    new_medications: frozenset[int] | None = None
    # Order hooks: of those, the drafts that change the dose of a current order.
    dose_changes: frozenset[int] = frozenset()
    # Cards below this indicator are left out (CRAMP_CDS_*_MIN_INDICATOR).
    min_indicator: Indicator = "info"
    # Per lab, the comparator of a result read from a bound ("<" of "<2.5"), or None.
    lab_comparators: Sequence[str | None] = ()


@dataclass(frozen=True, slots=True)
class Issued:
    card: Card
    # The problem's (lead) finding first: the card's `source.topic` code.
    finding_ids: tuple[str, ...]


def build_cards(data: CardInput) -> list[Issued]:
    """One card per problem (one drug's problems on one card: ``join_same_drug``), the most
    severe first. An answer offers each lab order once, on the most severe card that asks
    for it, and says once what could not be checked (``_unchecked_on``)."""
    new = data.new_medications

    def relevant(finding: Finding) -> bool:
        return new is None or any(
            ref.list == "medications" and ref.index in new for ref in finding.inputs
        )

    if new is not None and not new:
        return []
    least = INDICATOR_RANK[data.min_indicator]
    groups = join_same_drug(
        [
            group
            for group in group_findings(data.report.findings, relevant)
            if INDICATOR_RANK[INDICATOR[group.severity]] >= least
        ]
    )
    offered: set[str] = set()
    orders: list[list[LabOrder]] = []
    for group in groups:
        orders.append([o for o in wanted_orders(group, data.kb) if o.id not in offered])
        offered.update(o.id for o in orders[-1])
    unchecked = _unchecked(data)
    where = _unchecked_on(groups) if unchecked else None
    issued = [
        Issued(
            _card(group, data, wanted, unchecked if i == where else ""),
            tuple(f.id for f in group.findings),
        )
        for i, (group, wanted) in enumerate(zip(groups, orders, strict=True))
    ]
    if unchecked and not issued and new is not None:
        # A new order the service could not read, and nothing else to say: an empty
        # answer would read as "checked, nothing found".
        issued.append(Issued(_unread_orders_card(data, unchecked), ()))
    return issued


def _unchecked_on(groups: Sequence[Group]) -> int | None:
    """The one card that lists the inputs not recognized: the minor (info) card when the
    answer has one, else the last card (the least severe)."""
    if not groups:
        return None
    return next((i for i, g in enumerate(groups) if g.kind == "minor"), len(groups) - 1)


def _unread_orders_card(data: CardInput, unchecked: str) -> Card:
    texts = data.kb.texts.templates
    return Card(
        uuid=str(uuid.uuid4()),
        summary=texts["card_unrecognized_orders_summary"],
        indicator="info",
        source=CardSource(label=SOURCE_LABEL),
        detail="\n".join(
            [
                texts["card_unrecognized_orders_detail"],
                "",
                f"**Not checked** (not recognized): {unchecked}.",
                "",
                f"_{texts['note_disclaimer']}_",
            ]
        ),
    )


def new_medications(
    report: Report,
    sources: Sources,
    selections: Sequence[str] = (),
    dose_changes: frozenset[int] = frozenset(),
    renewals: frozenset[str] = frozenset(),
) -> frozenset[int]:
    """Draft orders (the selected ones, for order-select) naming a drug the patient does not
    already take, or changing the dose of one (``dose_changes``, the pipeline's: a part
    added to a split dose leaves the current order beside it): re-signing or renewing a
    current drug adds no new risk. When the
    selections name none of the medication drafts (the clinician selected a lab order, say),
    no medication is new: the drafts selected before were answered when they were
    selected. All drafts count only without selections, or when a draft has no id that a
    selection could name. A selected draft that renews a current order (``renewals``, left
    out of the request by the pipeline) is a selection answered: it adds nothing."""
    current = {
        concept
        for status, ref in zip(report.medications, sources.medications, strict=True)
        if not ref.draft
        for concept in status.concepts
    }
    drafts = [i for i, ref in enumerate(sources.medications) if ref.draft]
    chosen = [i for i in drafts if _selected(sources.medications[i], selections)]
    unnamed = any(not _has_id(sources.medications[i]) for i in drafts)
    renewing = any(r == s or s.endswith(f"/{r}") for r in renewals for s in selections)
    if not chosen and not renewing and (not selections or unnamed):
        chosen = drafts
    return frozenset(
        i
        for i in chosen
        if not report.medications[i].concepts
        or set(report.medications[i].concepts) - current
        or i in dose_changes
    )


def _has_id(ref: ResourceRef) -> bool:
    return ref.reference.startswith(f"{ref.resource_type}/")


def _selected(ref: ResourceRef, selections: Sequence[str]) -> bool:
    return any(ref.reference == s or s.endswith(f"/{ref.reference}") for s in selections)


# Text ----------------------------------------------------------------------------------


def _day(written: str) -> date | None:
    """The day a FHIR date or dateTime names ("2025-12-20", "2025-12-20T09:30:00Z")."""
    try:
        return date.fromisoformat(written[:10])
    except ValueError:
        return None


def escape(text: str) -> str:
    """Text from the EHR, made inert inside Markdown."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def short_citation(citation: str) -> str:
    """`Veltri KT, Mason C. Medication-induced ... 2015;...` -> `Veltri et al. 2015`."""
    authors = citation.split(". ", 1)[0]
    first = authors.split(",", 1)[0].split(" ", 1)[0] if "," in authors else authors
    year = _YEAR.search(citation)
    many = " et al." if "," in authors else ""
    return _short(f"{first}{many}{' ' + year.group(0) if year else ''}", 60)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _join(names: Sequence[str]) -> str:
    return and_list(names) if names else ""


def fit(head: str, names: Sequence[str], tail: str = "", limit: int = SUMMARY_MAX) -> str:
    """`head + names + tail` within `limit` characters, naming as many as fit."""
    names = list(dict.fromkeys(n for n in names if n))
    for keep in range(len(names), 0, -1):
        shown = names[:keep]
        if keep < len(names):
            shown = [*shown, f"{len(names) - keep} more"]
        text = f"{head}{_join(shown)}{tail}"
        if len(text) <= limit:
            return text
    text = f"{head}{tail}" if not names else f"{head}{names[0]}{tail}"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Names:
    """Short clinical names of request items: the engine's concept, else the FHIR text."""

    def __init__(self, data: CardInput) -> None:
        self.data = data
        self.analytes = {a.name: a for a in data.kb.analytes.values()}
        self.today = datetime.now(UTC).date()

    def rule_title(self, rule_id: str) -> str | None:
        return next((r.title for r in self.data.kb.rules if r.id == rule_id), None)

    def status(self, ref: InputRef) -> InputStatus | None:
        statuses: list[InputStatus] = getattr(self.data.report, ref.list, [])
        return statuses[ref.index] if ref.list != "patient" and ref.index < len(statuses) else None

    def source(self, ref: InputRef) -> ResourceRef | None:
        items: list[ResourceRef] = getattr(self.data.sources, ref.list, [])
        return items[ref.index] if ref.list != "patient" and ref.index < len(items) else None

    def __call__(self, ref: InputRef) -> str:
        if ref.list == "patient":
            return "pregnancy"
        status = self.status(ref)
        source = self.source(ref)
        name = (status.concept if status else None) or (source.display if source else None) or ""
        if ref.list == "labs":
            lab = self.data.request.labs[ref.index]
            value = self.value(ref.index)
            name = f"{name} {value} {self.unit(lab.unit, status)}".strip()
        return name

    def value(self, index: int) -> str:
        """A lab's value as the engine's texts show it (a bound's comparator: "<2.5")."""
        lab = self.data.request.labs[index]
        return lab_values([lab.value], self.data.lab_comparators[index : index + 1])[0]

    def dated(self, ref: InputRef) -> str:
        """The name, with the month of an old result (``potassium 3.1 mmol/L from Dec 2025``)."""
        month = self.old_result_month(ref) if ref.list == "labs" else None
        return f"{self(ref)} from {month}" if month else self(ref)

    def unit(self, unit: str, status: InputStatus | None) -> str:
        """A result's unit as clinicians write it: a UCUM code of the analyte's own unit
        (``m[IU]/L``) is shown as that unit (``mIU/L``); another unit of the analyte in its
        usual spelling (``meq/L``: ``mEq/L``); any other unit as it came."""
        analyte = self.analytes.get(status.concept or "") if status else None
        if analyte is None:
            return unit
        shown = shown_unit(unit, analyte)
        if shown != unit:
            return shown
        key = unit_key(unit)
        return UNIT_SPELLING.get(key, unit) if key in analyte.units else unit

    def analyte_id(self, ref: InputRef) -> str | None:
        status = self.status(ref)
        analyte = self.analytes.get(status.concept or "") if status else None
        return analyte.id if analyte is not None else None

    def respelled(self, text: str, refs: Iterable[InputRef]) -> str:
        """An engine text (a finding's title) with each result's unit as ``unit`` shows
        it (the engine writes a unit as it came: ``potassium 3.3 meq/L``), and the month of
        a result older than ``OLD_RESULT_DAYS`` after it (``potassium 3.1 mmol/L from Dec
        2025``): an EHR user reads a card as today's state."""
        for ref in refs:
            if ref.list != "labs":
                continue
            lab = self.data.request.labs[ref.index]
            status = self.status(ref)
            analyte = self.analytes.get(status.concept or "") if status else None
            if analyte is None:
                continue
            value = self.value(ref.index)
            written, shown = shown_unit(lab.unit, analyte), self.unit(lab.unit, status)
            month = self.old_result_month(ref)
            said = f"{value} {shown}" + (f" from {month}" if month else "")
            if said != f"{value} {written}":
                text = text.replace(f"{value} {written}", said, 1)
        return text

    def old_result_month(self, ref: InputRef) -> str | None:
        """The month a result was taken, when that was more than ``OLD_RESULT_DAYS`` ago."""
        source = self.source(ref)
        taken = _day(source.date) if source and source.date else None
        if taken is None or (self.today - taken).days <= OLD_RESULT_DAYS:
            return None
        return taken.strftime("%b %Y")

    def is_new(self, ref: InputRef) -> bool:
        new = self.data.new_medications
        return ref.list == "medications" and new is not None and ref.index in new

    def changes_dose(self, ref: InputRef) -> bool:
        return ref.list == "medications" and ref.index in self.data.dose_changes


# Cards ---------------------------------------------------------------------------------


def _card(group: Group, data: CardInput, orders: Sequence[LabOrder], unchecked: str) -> Card:
    names = _Names(data)
    evidence = _evidence(group)
    suggestions = [*_removals(group, data, names), *lab_suggestions(orders, data.patient_id)]
    indicator = INDICATOR[group.severity]
    return Card(
        uuid=str(uuid.uuid4()),
        summary=_summary(group, names),
        indicator=indicator,
        source=_source(evidence, problem_topic(group)),
        detail=_detail(group, data, names, evidence, unchecked),
        suggestions=suggestions,
        selection_behavior="any" if suggestions else UNSET,
        override_reasons=[] if indicator == "info" else _override_reasons(group, data, names),
        links=[
            Link(label=f"Evidence: {_short(e.citation, 90)}", url=e.url, type="absolute")
            for e in evidence[:2]
        ],
    )


def _removals(group: Group, data: CardInput, names: _Names) -> list[Suggestion]:
    """On order-select and order-sign, a contraindicated card proposes deleting each draft
    order its problem (the lead finding, or a problem joined to it) names, by the draft's
    ``Type/id``: never a current order, and not a draft without an id (there is nothing to
    point at)."""
    barred = [lead for lead in group.leads if lead.basis == "contraindicated"]
    if data.service.hook not in DRAFT_HOOKS or not barred:
        return []
    template = data.kb.texts.templates["card_remove_draft"]
    drafts: dict[str, str] = {}
    for ref in (ref for lead in barred for ref in lead.inputs):
        source = names.source(ref)
        if names.is_new(ref) and source is not None and source.draft and _has_id(source):
            drafts.setdefault(source.reference, _short(names(ref), EHR_TEXT_MAX))
    return [
        remove_draft(template.format(drug=drug), reference) for reference, drug in drafts.items()
    ]


def _summary(group: Group, names: _Names) -> str:
    lead = group.findings[0]
    inputs = group.inputs
    new = [names(r) for r in inputs if names.is_new(r)]
    if group.kind == "minor":
        listed = [names.dated(r) for r in inputs]
        head = (
            "New order, minor cramp contributor: " if new else "Possible minor cramp contributors: "
        )
        return fit(head, new or listed)
    # Each drug once: two drafts of one drug (a dose split over the day) are one new dose.
    added = unique(names(r) for r in inputs if names.is_new(r) and not names.changes_dose(r))
    changed = unique(names(r) for r in inputs if names.is_new(r) and names.changes_dose(r))
    parts = ([f"Adding {_join(added)}"] if added else []) + (
        [f"New dose of {_join(changed)}"] if changed else []
    )
    head = f"{'; '.join(parts)}: " if parts else ""
    title = names.respelled(lead.title, lead.inputs)
    title = _lower_first(title) if new else title
    if group.joined:
        return _joined_summary(group, names, head, title, lower=bool(new))
    if len(head) + len(title) <= SUMMARY_MAX or lead.kind != "combination":
        return fit(head + title, [])
    # Too long: the rule's title with its inputs, the results first (their values are the
    # point of the card), then as many others as fit and "N more".
    rule = names.rule_title(lead.id.removeprefix("combination/").split("/")[0])
    if rule is None:
        return fit(head + title, [])
    ordered = sorted(lead.inputs, key=lambda r: r.list != "labs")
    rule = _lower_first(rule) if new else rule
    return fit(f"{head}{rule} (", [names.dated(r) for r in ordered], ")")


def _joined_summary(group: Group, names: _Names, head: str, title: str, *, lower: bool) -> str:
    """A card with problems joined to its lead (the same drug's): the lead's title, then
    what the joined problems add (``Potassium-lowering drug with low potassium
    (hydrochlorothiazide, potassium 3.4 mmol/L), with low sodium 134 mmol/L``), so every
    problem on the card is named. When that is too long: the lead's rule title with its
    results and the drugs the title does not already name, as many as fit; then the rule
    title alone; then the first form, cut."""
    lead = group.findings[0]
    tail = f", with {_join(_joined_results(group, names))}"
    first = head + title + tail
    rule = names.rule_title(lead.id.removeprefix("combination/").split("/")[0])
    if len(first) <= SUMMARY_MAX or lead.kind != "combination" or rule is None:
        return fit(first, [])
    said = rule.casefold()
    shown = [
        names.dated(r)
        for r in sorted(lead.inputs, key=lambda r: r.list != "labs")
        # Not a drug the rule's title or the head ("Adding ...") already names.
        if not (r.list == "medications" and (names(r).casefold() in said or names.is_new(r)))
    ]
    rule = f"{head}{_lower_first(rule) if lower else rule}"
    for keep in range(len(shown), 0, -1):
        listed = [*shown[:keep], *([f"{len(shown) - keep} more"] if keep < len(shown) else [])]
        text = f"{rule} ({_join(listed)}){tail}"
        if len(text) <= SUMMARY_MAX:
            return text
    alone = f"{rule} ({shown[0]}){tail}" if shown else ""
    if shown and len(alone) <= SUMMARY_MAX:
        return alone
    return fit(rule + tail, []) if len(rule + tail) <= SUMMARY_MAX else fit(first, [])


def _joined_results(group: Group, names: _Names) -> list[str]:
    """What each joined problem adds to its card's lead: its results that the lead does not
    name, as their findings' titles say them (``low sodium 134 mmol/L``), else its rule's
    title without an aside in brackets (``colchicine above 0.3 mg twice a week on
    dialysis``)."""
    lead = group.findings[0]
    named = {(r.list, r.index) for r in lead.inputs}
    said: list[str] = []
    for problem in group.joined:
        results = [r for r in problem.inputs if r.list == "labs" and (r.list, r.index) not in named]
        named.update((r.list, r.index) for r in results)
        for ref in results:
            finding = next(
                (f for f in group.findings if f.kind == "lab" and list(f.inputs) == [ref]), None
            )
            said.append(
                _lower_first(
                    _ASIDE_BEFORE_VALUE.sub(
                        "", names.respelled(finding.title, finding.inputs)
                    ).replace(": ", " ", 1)
                )
                if finding is not None
                else names.dated(ref)
            )
        if not results:
            rule = names.rule_title(problem.id.removeprefix("combination/").split("/")[0])
            plain = rule if problem.kind == "combination" and rule else problem.title
            said.append(_lower_first(_TRAILING_ASIDE.sub("", plain)))
    return list(dict.fromkeys(said))


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _evidence(group: Group) -> list[Evidence]:
    """The card's sources: each problem's first (the lead's, then those of the problems
    joined to it: the card's links and the first cited on a long card), then the rest in
    the findings' order."""
    seen: dict[str, Evidence] = {}
    for lead in group.leads:
        for item in lead.evidence[:1]:
            seen.setdefault(item.url, item)
    for finding in group.findings:
        for item in finding.evidence:
            seen.setdefault(item.url, item)
    return list(seen.values())


def problem_topic(group: Group) -> CardCoding:
    """The stable id of the problem a card is about (its lead finding), the same on every call."""
    return CardCoding(system=PROBLEM_SYSTEM, code=group.findings[0].id)


def _source(evidence: Sequence[Evidence], topic: CardCoding) -> CardSource:
    if not evidence:
        return CardSource(label=SOURCE_LABEL, topic=topic)
    return CardSource(
        label=f"{SOURCE_LABEL} · {short_citation(evidence[0].citation)}",
        url=evidence[0].url,
        topic=topic,
    )


def _override_reasons(group: Group, data: CardInput, names: _Names) -> list[CardCoding]:
    """The reasons that fit what the card is about (``suggestions.override_reasons``)."""
    lead = group.findings[0]
    analytes = [names.analyte_id(ref) for ref in lead.inputs if ref.list == "labs"]
    medications = sum(ref.list == "medications" for ref in lead.inputs)
    return [
        CardCoding(code=c.code, system=c.system, display=c.display)
        for c in override_reasons(group, data.kb, [a for a in analytes if a], medications)
    ]


def _bullets(items: Iterable[str]) -> list[str]:
    return [f"- {item}" for item in dict.fromkeys(items)]


def _detail(
    group: Group, data: CardInput, names: _Names, evidence: Sequence[Evidence], unchecked: str
) -> str:
    """The card's Markdown, at most ``DETAIL_MAX`` characters: when the full text is longer,
    the findings a card absorbed are named by title only and the citations are cut to a
    few; what still does not fit is left out line by line, the disclaimer kept."""
    full = _detail_lines(group, data, names, evidence, unchecked, brief=False)
    if _length(full) <= DETAIL_MAX:
        return "\n".join(full)
    brief = _detail_lines(group, data, names, evidence, unchecked, brief=True)
    return "\n".join(_within(brief, DETAIL_MAX))


def _length(lines: Sequence[str]) -> int:
    return sum(len(line) for line in lines) + max(len(lines) - 1, 0)


def _within(lines: list[str], limit: int) -> list[str]:
    """The lines that fit in ``limit`` characters, in order, with the last (the disclaimer)
    always kept and a marker where lines were left out."""
    *body, last = lines
    budget = limit - len(last) - len(CUT_MARK) - 2
    kept: list[str] = []
    used = 0
    for line in body:
        if used + len(line) + 1 > budget:
            return [*kept, CUT_MARK, last]
        kept.append(line)
        used += len(line) + 1
    return lines


def _detail_lines(
    group: Group,
    data: CardInput,
    names: _Names,
    evidence: Sequence[Evidence],
    unchecked: str,
    *,
    brief: bool,
) -> list[str]:
    kb = data.kb
    lead, *rest = group.findings
    lines = [f"**{names.respelled(lead.title, lead.inputs)}**", "", lead.detail]
    if rest:
        lines += ["", "**Also on this card**"]
        lines += [
            f"- **{names.respelled(f.title, f.inputs)}** ({f.severity})"
            # A problem joined to the lead keeps its detail on a long card too.
            + ("" if brief and f not in group.joined else f". {f.detail}")
            for f in rest
        ]
    lines += ["", "**Based on**"]
    lines += _bullets(_based_on(ref, names) for ref in group.inputs)
    if watch := checks.monitoring(group):
        lines += ["", "**Monitoring**", *_bullets(watch)]
    if do := checks.management(group):
        lines += ["", "**Management**", *_bullets(do)]
    # Before the evidence, which a long card cuts first: what was not checked stays shown.
    if unchecked:
        lines += ["", f"**Not checked** (not recognized): {unchecked}."]
    lines += ["", "**Evidence**"]
    lines += _bullets(
        f"{names.respelled(f.title, f.inputs)}: grade {f.evidence_grade}, "
        f"{kb.texts.evidence_labels.get(f.evidence_level, f.evidence_level)}"
        for f in (group.leads if brief else group.findings)
    )
    cited = evidence[: max(BRIEF_CITATIONS, len(group.leads))] if brief else evidence
    lines += _bullets(
        f"[{escape(_short(e.citation, BRIEF_CITATION_MAX) if brief else e.citation)}]({e.url})"
        for e in cited
    )
    if len(cited) < len(evidence):
        lines.append(f"- {len(evidence) - len(cited)} more sources")
    lines += ["", f"_{kb.texts.templates['note_disclaimer']}_"]
    return lines


def _based_on(ref: InputRef, names: _Names) -> str:
    if ref.list == "patient":
        return "Pregnancy (patient record)"
    source = names.source(ref)
    name = escape(_short(names(ref), EHR_TEXT_MAX))
    if source is None:
        return name
    shown = escape(_short(source.display or source.resource_type, EHR_TEXT_MAX))
    # A lab's display already carries its value and unit.
    text = (
        f"{shown} ({escape(_short(source.reference, EHR_TEXT_MAX))})"
        if ref.list == "labs"
        else (f"{name}: {shown} ({escape(_short(source.reference, EHR_TEXT_MAX))})")
    )
    if source.draft:
        text += ", new order"
    if source.date:
        text += f", {source.date[:10]}"
    return text


def _unchecked(data: CardInput) -> str:
    """The inputs not recognized: all of them on patient-view; on order hooks only the new
    orders (the record's other gaps are not what an order hook interrupts for)."""
    items: list[str] = []
    new = data.new_medications
    for kind in ("medications", "conditions", "labs"):
        statuses: list[InputStatus] = getattr(data.report, kind)
        refs: list[ResourceRef] = getattr(data.sources, kind)
        for index, (status, ref) in enumerate(zip(statuses, refs, strict=True)):
            asked = new is None or (kind == "medications" and index in new)
            if status.status == "unrecognized" and asked:
                shown = _short(ref.display or ref.reference, EHR_TEXT_MAX)
                items.append(f"{escape(shown)} ({escape(_short(ref.reference, EHR_TEXT_MAX))})")
    if len(items) > MAX_LISTED:
        items = [*items[:MAX_LISTED], f"and {len(items) - MAX_LISTED} more"]
    return "; ".join(items)


__all__ = [
    "PROBLEM_SYSTEM",
    "CardInput",
    "Issued",
    "Suggestion",
    "build_cards",
    "new_medications",
    "problem_topic",
]
