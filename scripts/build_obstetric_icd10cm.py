"""Print the ICD-10-CM lists of the obstetric concepts (pregnancy, postpartum, ...).

Every code of chapter 15 (O00-O9A) and the obstetric Z codes (Z3A, Z33, Z34, Z39, Z87.5)
is assigned a concept by ``tests.knowledge.codes.obstetric_concept`` (the rule, with its
reasons, is written there); this prints, per concept, the fewest code prefixes whose codes
all belong to it, for the ``icd10cm`` lists in datasets/conditions. The test suite checks
every code of the chapter against the same rule through the real matcher.

    python scripts/build_obstetric_icd10cm.py
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import simple_icd_10_cm as icd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.knowledge.codes import obstetric_concept

ROOTS = ("O00-O08", "O09", "O10-O16", "O20-O29", "O30-O48", "O60-O77", "O80-O82",
         "O85-O92", "O94-O9A", "Z3A", "Z33", "Z34", "Z39", "Z87.5")  # fmt: skip


def leaves(code: str) -> list[str]:
    return [code] if icd.is_leaf(code) else [d for d in icd.get_descendants(code) if icd.is_leaf(d)]


def cover(code: str, out: dict[str, list[str]]) -> None:
    """Add ``code`` to its concept when all its codes share one, else recurse."""
    concepts = {obstetric_concept(leaf) for leaf in leaves(code)}
    if len(concepts) == 1 and icd.is_category_or_subcategory(code):
        out[concepts.pop()].append(code)
        return
    for child in icd.get_children(code):
        cover(child, out)


def main() -> int:
    out: dict[str, list[str]] = defaultdict(list)
    for root in ROOTS:
        cover(root, out)
    for concept, codes in sorted(out.items()):
        print(f"# {concept}: {len(codes)} prefixes")
        print("icd10cm = [" + ", ".join(f'"{c}"' for c in codes) + "]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
