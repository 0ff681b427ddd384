"""The chart note: a short plain-text summary a clinician can paste into a chart."""

from __future__ import annotations

from collections.abc import Sequence

from service.engine.models import CheckRequest, Finding, InputStatus
from service.engine.render import unique
from service.knowledge.base import KnowledgeBase
from service.knowledge.severity import Risk


def _input_label(request: CheckRequest, lst: str, index: int) -> str:
    items: Sequence[object] = getattr(request, lst)
    item = items[index]
    text = getattr(item, "text", None)
    if not text:
        coding = getattr(item, "coding", None) or []
        text = next((f"{c.display or ''} {c.code or ''}".strip() for c in coding), "")
    text = " ".join(text.split())
    return f'{lst}[{index}] "{text[:60]}"'


def render_note(
    risk: Risk,
    findings: Sequence[Finding],
    request: CheckRequest,
    statuses: Sequence[tuple[str, Sequence[InputStatus]]],
    kb: KnowledgeBase,
) -> str:
    t = kb.texts.templates
    lines = [t["note_header"].format(risk=risk)]
    if not findings:
        lines.append(t["note_none"])
    lines += [t["note_finding"].format(severity=f.severity, title=f.title) for f in findings]
    monitoring = unique(m for f in findings for m in f.monitoring)
    if monitoring:
        lines.append(t["note_monitoring"].format(items="; ".join(monitoring[:6])))
    unrecognized = []
    for lst, items in statuses:
        for s in items:
            if s.status != "unrecognized":
                continue
            label = _input_label(request, lst, s.index)
            if s.suggestions:
                label = t["note_suggestion"].format(
                    input=label, suggestion=" or ".join(s.suggestions)
                )
            unrecognized.append(label)
    if unrecognized:
        lines.append(t["note_unrecognized"].format(items="; ".join(unrecognized)))
    lines.append(t["note_disclaimer"])
    return "\n".join(lines)
