"""Build ``datasets/rxnorm/codes.tsv``: RxNorm codes whose meaning the service can prove.

Reads RxNorm codes *with their names* from public sources pinned to a commit (below),
keeps a code only when its name, read by the service's own text matcher
(``service.engine.matching.match_medication``) with the real knowledge base, names
exactly the drugs of the knowledge base that the table lists, every ingredient of the
name included (a name with an ingredient the knowledge base does not know is left out
rather than mapped to part of it). Every source that carries the code is recorded.

Then writes the ingredient codes (TTY IN/PIN/MIN with one drug) onto the drug entries
(``rxcui = [...]`` in ``datasets/drugs/*.toml``).

    python scripts/build_rxnorm_codes.py --mirrors DIR [--dry-run]

``DIR`` holds each source repository as a git directory at ``DIR/<owner>+<name>/repo``
(how the project's ``fetch`` tool lays them out); only the pinned commits are read, so a
re-run gives the same table. The report printed at the end lists what was rejected.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.engine import Knowledge, prepare  # noqa: E402
from service.knowledge import load_knowledge  # noqa: E402
from service.knowledge.codes import RXNORM_COLUMNS, product_route  # noqa: E402
from tests.knowledge.codes import rxnorm_name_problem, rxnorm_tty  # noqa: E402

TABLE = ROOT / "datasets" / "rxnorm" / "codes.tsv"
DRUG_FILES = sorted((ROOT / "datasets" / "drugs").glob("*.toml"))
RXNORM = ("http://www.nlm.nih.gov/research/umls/rxnorm", "RxNorm")


@dataclass(frozen=True)
class Source:
    id: str  # the [[source]] id in datasets/rxnorm/sources.toml
    repo: str
    commit: str
    kind: str  # "valueset" (FHIR JSON anywhere in the repo), "synthea", "cpic"
    under: str = ""
    # Sources of one family repeat one upstream (VSAC): they count as one for agreement.
    family: str = ""


# Newest first: where names differ between releases (RxNorm renames), the first wins.
SOURCES = (
    Source(
        "vsac_ecqm_qicore_2025",
        "cqframework/ecqm-content-qicore-2025",
        "db5a7e143304b19b70cbf6a89e5ebeab9e40df61",
        "valueset",
        family="vsac",
    ),
    Source(
        "vsac_ecqm_cms_2025",
        "cqframework/ecqm-content-cms-2025",
        "d80fd0ae5cae13780a0132c10192e2613cebb559",
        "valueset",
        family="vsac",
    ),
    Source(
        "vsac_ecqm_qicore_2024",
        "cqframework/ecqm-content-qicore-2024",
        "9ebd48ffebf2ed2489f3904cc8393ebf8979bfc9",
        "valueset",
        family="vsac",
    ),
    Source(
        "vsac_ecqm_r4",
        "cqframework/ecqm-content-r4",
        "04f5c4919ee8a56e24484c3269f74d47b03e3d75",
        "valueset",
        family="vsac",
    ),
    Source(
        "vsac_opioid_cds",
        "cqframework/opioid-cds",
        "8122fb26a635d34af618a09049085e13f4186bb2",
        "valueset",
        family="vsac",
    ),
    Source(
        "cpic_drugs",
        "cpicpgx/cpic-schema",
        "97f9e3bf4c490c5533afb02bcb9063fe3421c0f1",
        "cpic",
        "drug.sql",
        family="cpic",
    ),
    Source(
        "pedsnet_codesets",
        "PEDSnet/Variable-Dictionary",
        "009e8ba179c84d844a0c5b898132efb33acdef9e",
        "omop_csv",
        family="omop",
    ),
    Source(
        "synthea_r4_records",
        "smart-on-fhir/generated-sample-data",
        "25ac8089f0464b8673c7669509dc0bb8f4883773",
        "synthea",
        "R4/SYNTHEA",
        family="synthea",
    ),
)


def _git(mirror: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(mirror), *args], capture_output=True, check=True).stdout


def _blobs(mirror: Path, commit: str, under: str) -> Iterator[tuple[str, bytes]]:
    """(path, content) of the JSON/SQL files at ``commit``; blobs the mirror lacks are skipped."""
    listing = _git(
        mirror, "ls-tree", "-r", "--format=%(objectname) %(path)", commit, "--", under or "."
    )
    wanted = [
        line.split(" ", 1)
        for line in listing.decode().splitlines()
        if line.endswith((".json", ".sql", ".csv"))
    ]
    batch = subprocess.Popen(
        ["git", "-C", str(mirror), "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert batch.stdin is not None and batch.stdout is not None
    try:
        for sha, path in wanted:
            batch.stdin.write(sha.encode() + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            if len(header) < 3 or header[1] != b"blob":  # "<sha> missing": not in the mirror
                continue
            content = batch.stdout.read(int(header[2]))
            batch.stdout.read(1)
            yield path, content
    finally:
        batch.stdin.close()
        batch.wait()


def _concepts(node: Any, wanted: str, system: str | None = None) -> Iterator[tuple[str, str]]:
    """(code, name) of every coding, expansion entry or compose concept of ``wanted``."""
    if isinstance(node, dict):
        own = node.get("system") if isinstance(node.get("system"), str) else system
        code, display = node.get("code"), node.get("display")
        if (
            own == wanted
            and isinstance(code, str)
            and code.strip().isdigit()
            and isinstance(display, str)
        ):
            yield code.strip(), display.strip()
        for key, value in node.items():
            if key == "concept":  # compose.include.concept inherits the include's system
                yield from _concepts(value, wanted, own)
            elif isinstance(value, dict | list):
                yield from _concepts(value, wanted, None)
    elif isinstance(node, list):
        for value in node:
            yield from _concepts(value, wanted, system)


def read_source(
    source: Source,
    mirrors: Path,
    system: tuple[str, str] = RXNORM,
    resource_types: tuple[str, ...] = ("MedicationRequest", "MedicationStatement", "Medication"),
) -> dict[str, str]:
    """code -> name of one code system (FHIR URI, OMOP vocabulary id) in a source."""
    uri, vocabulary = system
    mirror = mirrors / source.repo.replace("/", "+") / "repo"
    names: dict[str, str] = {}
    for path, raw in _blobs(mirror, source.commit, source.under):
        if source.kind == "omop_csv":
            for code, name in _omop_concepts(raw, vocabulary):
                names.setdefault(code, name)
            continue
        if source.kind == "cpic":
            for match in re.finditer(rb"^RxNorm:(\d+)\t([^\t\n]+)", raw, re.MULTILINE):
                names.setdefault(match.group(1).decode(), match.group(2).decode())
            continue
        if uri.rsplit("/", 1)[-1].encode() not in raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            print(f"  {source.id}: {path}: not JSON, skipped", file=sys.stderr)
            continue
        if source.kind == "synthea":
            data = [
                e["resource"]
                for e in data.get("entry", ())
                if e.get("resource", {}).get("resourceType") in resource_types
            ]
        for code, name in _concepts(data, uri):
            names.setdefault(code, name)
    return names


def _omop_concepts(raw: bytes, vocabulary: str) -> Iterator[tuple[str, str]]:
    """(concept_code, concept_name) of one vocabulary's rows of an OMOP concept CSV."""
    text = raw.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")))
    try:
        records = list(reader)
    except csv.Error:
        return
    for record in records:
        if record.get("vocabulary_id") != vocabulary:  # not "RxNorm Extension", not others
            continue
        code, name = (
            (record.get("concept_code") or "").strip(),
            (record.get("concept_name") or "").strip(),
        )
        if code.isdigit() and name:
            yield code, name


@dataclass
class Row:
    code: str
    tty: str
    name: str
    ingredients: tuple[str, ...]
    sources: tuple[str, ...]


def prove(
    names_by_source: dict[str, dict[str, str]], knowledge: Knowledge
) -> tuple[list[Row], dict[str, list[str]]]:
    by_code: dict[str, dict[str, str]] = defaultdict(dict)
    for source in SOURCES:
        for code, name in names_by_source[source.id].items():
            by_code[code][source.id] = name
    rows: list[Row] = []
    rejected: dict[str, list[str]] = defaultdict(list)
    for code, named in sorted(by_code.items(), key=lambda item: int(item[0])):
        name = next(iter(named.values()))  # the newest source's name (SOURCES order)
        readings = {}
        for source_id, other in named.items():
            problem, drugs = rxnorm_name_problem(other, None, knowledge)
            readings[source_id] = (problem, drugs)
        problem, drugs = readings[next(iter(named))]
        if problem:
            rejected[problem.split(":")[0]].append(f"{code} {name!r}: {problem}")
            continue
        # Another source that names a different product (no drug in common) vetoes the code;
        # one that names the same drugs a little differently ("Regular Insulin, Human") or
        # that the matcher cannot read does not.
        disagree = [s for s, (p, d) in readings.items() if not p and not set(d) & set(drugs)]
        if disagree:
            rejected["sources disagree"].append(
                f"{code}: {named} read as {[readings[s] for s in named]}"
            )
            continue
        rows.append(Row(code, rxnorm_tty(name, knowledge.kb), name, drugs, tuple(named)))
    return rows, rejected


def write_table(rows: list[Row]) -> None:
    TABLE.parent.mkdir(parents=True, exist_ok=True)
    with TABLE.open("w", encoding="utf-8", newline="\n") as out:
        out.write("\t".join(RXNORM_COLUMNS) + "\n")
        for row in rows:
            fields = (row.code, row.tty, row.name, " ".join(row.ingredients), " ".join(row.sources))
            assert not any("\t" in f or "\n" in f for f in fields), fields
            out.write("\t".join(fields) + "\n")


_DRUG_BLOCK = re.compile(r'^\[\[drug\]\]\nid = "([a-z0-9_]+)"\n', re.MULTILINE)


def _with_codes(body: str, wanted: set[str]) -> tuple[str, int]:
    """A drug block's text with ``wanted`` added to its ``rxcui`` list, and how many were new."""
    existing = re.search(r"^rxcui = \[([^\]]*)\]\n", body, re.MULTILINE)
    have = set(re.findall(r'"(\d+)"', existing.group(1))) if existing else set()
    merged = sorted(have | wanted, key=int)
    if set(merged) == have:
        return body, 0
    line = "rxcui = [" + ", ".join(f'"{c}"' for c in merged) + "]\n"
    if existing:
        return body[: existing.start()] + line + body[existing.end() :], len(merged) - len(have)
    name = re.search(r'^name = "[^"\n]*"\n', body, re.MULTILINE)
    assert name is not None, body[:80]
    return body[: name.end()] + line + body[name.end() :], len(merged)


def write_ingredient_codes(rows: list[Row]) -> int:
    """Add each single-drug ingredient code (IN/PIN) to its drug's ``rxcui`` list."""
    codes: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.tty in {"IN", "PIN"} and len(row.ingredients) == 1:
            codes[row.ingredients[0]].add(row.code)
    added = 0
    for path in DRUG_FILES:
        blocks = _DRUG_BLOCK.split(path.read_text(encoding="utf-8"))
        out = [blocks[0]]
        for drug_id, body in zip(blocks[1::2], blocks[2::2], strict=True):
            new_body, count = _with_codes(body, codes.get(drug_id, set()))
            added += count
            out += [f'[[drug]]\nid = "{drug_id}"\n', new_body]
        path.write_text("".join(out), encoding="utf-8")
    return added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, required=True)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--rejected", type=Path, help="write every rejected code here")
    args = parser.parse_args(argv)
    names_by_source = {}
    for source in SOURCES:
        names_by_source[source.id] = read_source(source, args.mirrors)
        print(f"{source.id}: {len(names_by_source[source.id])} RxNorm codes with names")
    with tempfile.TemporaryDirectory() as scratch:
        # The knowledge base as it reads text, without the table being rebuilt.
        datasets = Path(scratch) / "datasets"
        shutil.copytree(ROOT / "datasets", datasets, ignore=shutil.ignore_patterns("*.tsv"))
        kb = load_knowledge(datasets)
    rows, rejected = prove(names_by_source, prepare(kb))
    families = {s.id: s.family for s in SOURCES}
    two = sum(1 for r in rows if len({families[s] for s in r.sources}) >= 2)
    routes: defaultdict[str, int] = defaultdict(int)
    for row in rows:
        routes[product_route(row.name, kb.route_tokens) or "-"] += 1
    print(f"accepted {len(rows)} codes ({two} also in a second, independent source)")
    print(
        "  by TTY:",
        dict(
            sorted(
                defaultdict(
                    int, {t: sum(r.tty == t for r in rows) for t in {r.tty for r in rows}}
                ).items()
            )
        ),
    )
    print("  by route:", dict(sorted(routes.items())))
    for reason, items in sorted(rejected.items()):
        print(f"rejected ({reason}): {len(items)}")
    if args.rejected:
        args.rejected.write_text(
            "".join(
                f"{reason}\t{item}\n"
                for reason, items in sorted(rejected.items())
                for item in items
            ),
            encoding="utf-8",
        )
    if not args.dry_run:
        write_table(rows)
        added = write_ingredient_codes(rows)
        print(f"wrote {TABLE.relative_to(ROOT)}; ingredient codes added to drugs: {added}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
