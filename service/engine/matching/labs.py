"""Labs: the analyte from its LOINC code or name, the value in the analyte's canonical unit."""

from __future__ import annotations

from collections.abc import Sequence

from service.engine._systems import system_of
from service.engine.matches import LabMatch
from service.engine.matching.drugs import texts_of
from service.engine.models import LabInput, MatchKind
from service.engine.prepared import Knowledge
from service.engine.status_codes import (
    LAB,
    LAB_STATUSES,
    PRELIMINARY,
    SUPERSEDED,
    USED_NOT_FINAL,
    is_preliminary,
    read_status,
    reason_kind,
    reason_of,
)
from service.knowledge.base import KnowledgeBase
from service.knowledge.text import tokens, unit_key


def match_lab(item: LabInput, knowledge: Knowledge) -> LabMatch:
    """The analyte of a result and its value in the analyte's canonical unit; no value
    when its ``status`` says it is not a result to use (registered, cancelled, in error).
    A preliminary result is used (its reason, ``status_notes``, says it is not final)."""
    match = _match_lab(item, knowledge)
    if item.status is None or match.analyte_id is None:
        return match
    code = read_status(item.status, LAB).code
    template = LAB_STATUSES.get(code) if code else None
    # final, amended, corrected, unknown, preliminary, absent or not understood: used
    if code is None or template is None or template == USED_NOT_FINAL:
        return match
    reason = reason_of(knowledge.kb.texts.templates, reason_kind(template, code))
    return LabMatch(match.analyte_id, None, reason, match.how, not_used=True)


def without_superseded(
    items: Sequence[LabInput], matches: Sequence[LabMatch], knowledge: Knowledge
) -> list[LabMatch]:
    """``matches`` with each preliminary result not used when a result of the same test
    that is read as final (final, amended, corrected, no status, or a status read as final)
    is in the request: the final result supersedes it (FHIR observation-status: final "the
    observation is complete"; corrected "modified subsequent to being final"), so the
    unverified value neither raises nor lowers anything (review28 R2).

    The same test is the same analyte and, when both carry a LOINC code, the same code: a
    final whole-blood (blood-gas) potassium says nothing of the serum potassium still
    pending, so it leaves that preliminary result in use (review29 R5)."""
    final: dict[str, set[str | None]] = {}
    for item, m in zip(items, matches, strict=True):
        if m.analyte_id is not None and m.value is not None and not is_preliminary(item.status):
            final.setdefault(m.analyte_id, set()).add(_loinc_of(item))
    if not final:
        return list(matches)
    reason = reason_of(knowledge.kb.texts.templates, reason_kind(SUPERSEDED, PRELIMINARY))
    return [
        LabMatch(m.analyte_id, None, reason, m.how, not_used=True)
        if m.analyte_id in final
        and m.value is not None
        and is_preliminary(item.status)
        and _same_test(_loinc_of(item), final[m.analyte_id])
        else m
        for item, m in zip(items, matches, strict=True)
    ]


def _loinc_of(item: LabInput) -> str | None:
    for c in item.coding or ():
        if c.code and system_of(c.system) == "loinc":
            return c.code.strip()
    return None


def _same_test(code: str | None, final_codes: set[str | None]) -> bool:
    """Whether a final result of the analyte is of the same test as a preliminary one of
    LOINC ``code``: an uncoded result on either side can be that test."""
    return code is None or None in final_codes or code in final_codes


def _match_lab(item: LabInput, knowledge: Knowledge) -> LabMatch:
    kb = knowledge.kb
    analyte_id: str | None = None
    how: MatchKind = "code"
    corrected = False
    for c in item.coding or ():
        if c.code and system_of(c.system) == "loinc":
            code = c.code.strip()
            analyte_id = kb.analyte_by_loinc.get(code)
            if analyte_id:
                correction = kb.analytes[analyte_id].corrected
                corrected = correction is not None and code in correction.corrected_loinc
                break
    if analyte_id is None:
        # A known-but-unchecked test by its code (creatinine 2160-0), before any text: a
        # coding's display may read as another sample or test ("...Hemoglobin.total in
        # Blood").
        for c in item.coding or ():
            if c.code and system_of(c.system) == "loinc":
                test_id = kb.lab_test_by_loinc.get(c.code.strip())
                if test_id:
                    reason = kb.lab_tests[test_id].not_checked_because
                    return LabMatch(None, None, reason, "code", test_id=test_id)
        how = "name" if item.text else "display"
        named = [tokens(text) for text in texts_of(item.text, item.coding)]
        if any(not kb.other_lab_test_words.isdisjoint(words) for words in named):
            return _lab_test(named, how, kb) or LabMatch(
                None, None, kb.texts.templates["lab_other_test"]
            )
        for words in named:
            analyte_id = _already_corrected(words, knowledge)
            if analyte_id:
                corrected = True
                break
            analyte_id = _analyte_from_words(words, kb)
            if analyte_id:
                break
    if analyte_id is None:
        return _lab_test(named, how, kb) or LabMatch(None, None, "analyte not known")
    analyte = kb.analytes[analyte_id]
    factor = kb.unit_factors[analyte_id].get(unit_key(item.unit))
    if factor is None:
        template = kb.texts.templates["lab_unit_unknown"]
        reason = template.format(unit=item.unit, analyte=analyte.name)
        return LabMatch(analyte_id, None, reason, how)
    value = item.value * factor
    mixup = analyte.unit_mixup
    if (
        mixup is not None
        and value < mixup.below
        and not float(item.value).is_integer()
        and unit_key(item.unit) == unit_key(mixup.sent)
    ):
        # A probable unit error (glucose 5.4 "mg/dL" is 5.4 mmol/L): not read as a
        # severe result, and never dropped silently: the status says why and what it
        # probably is, and the note lists it as not checked.
        likely = kb.unit_factors[analyte_id][unit_key(mixup.likely)]
        fields = {
            "value": f"{item.value:g}",
            "unit": item.unit,
            "analyte": analyte.name,
            "likely": mixup.likely,
            "converted": f"{item.value * likely / factor:.0f}",
        }
        if mixup.read_below is not None and item.value * likely < mixup.read_below:
            # Low in the likely unit too (2.9 "mg/dL" is 2.9 mmol/L, 52 mg/dL): read in
            # that unit, so a real hypoglycemia is not lost; the status says so.
            reason = kb.texts.templates["lab_unit_mixup_read"].format(**fields)
            return LabMatch(analyte_id, item.value * likely, reason, how, factor, corrected)
        reason = kb.texts.templates["lab_unit_mixup"].format(**fields)
        suggestion = f"{item.value:g} {mixup.likely}"
        return LabMatch(analyte_id, None, reason, how, suggestions=(suggestion,))
    return LabMatch(analyte_id, value, None, how, factor, corrected)


def _lab_test(named: list[list[str]], how: MatchKind, kb: KnowledgeBase) -> LabMatch | None:
    """A lab known but not checked (creatinine, BUN, HbA1c), by its whole name: recognized,
    its value not read."""
    for words in named:
        test_id = kb.lab_test_terms.get(" ".join(w for w in words if w not in kb.lab_context_words))
        if test_id:
            reason = kb.lab_tests[test_id].not_checked_because
            return LabMatch(None, None, reason, how, test_id=test_id)
    return None


def _already_corrected(words: list[str], knowledge: Knowledge) -> str | None:
    """The analyte a result's name says the laboratory has already corrected ("adjusted
    calcium", "albumin-corrected calcium": calcium, not albumin), if any."""
    kb = knowledge.kb
    for analyte_id, marks, correcting in knowledge.corrected_names:
        if marks.isdisjoint(words):
            continue
        rest = [w for w in words if w not in marks and w not in correcting]
        if rest and _analyte_from_words(rest, kb) == analyte_id:
            return analyte_id
    return None


def _analyte_from_words(words: list[str], kb: KnowledgeBase) -> str | None:
    whole = kb.analyte_terms.get(" ".join(words))
    if whole:
        return whole
    # An abbreviation names the analyte only as the whole name ("K", "serum Mg"): "vitamin
    # K" and "CA 19-9" are other tests.
    named = kb.analyte_abbreviations.get(
        " ".join(w for w in words if w not in kb.lab_context_words)
    )
    if named:
        return named
    for size in range(min(4, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            found = kb.analyte_terms.get(" ".join(words[start : start + size]))
            if found:
                return found
    return None
