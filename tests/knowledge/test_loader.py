"""Loading validates strictly and names the file and entry at fault."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service.knowledge import KnowledgeBase, KnowledgeError, default_datasets_dir, load_knowledge


@pytest.fixture
def datasets(tmp_path: Path) -> Path:
    copy = tmp_path / "datasets"
    shutil.copytree(default_datasets_dir(), copy)
    return copy


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


def test_real_datasets_load_and_are_versioned(kb: KnowledgeBase) -> None:
    assert kb.version.startswith("kb-")
    assert kb.counts()["drugs"] > 100
    assert load_knowledge().version == kb.version


def test_unknown_key_names_file_and_entry(datasets: Path) -> None:
    append(
        datasets / "drugs" / "common.toml",
        '[[drug]]\nid = "zz_test"\nname = "zz"\nsources = ["rxnorm"]\nbrnads = ["Zz"]\n',
    )
    with pytest.raises(KnowledgeError, match=r"drugs/common\.toml: drug entry 'zz_test'"):
        load_knowledge(datasets)


def test_entry_without_source_is_rejected(datasets: Path) -> None:
    append(datasets / "drugs" / "common.toml", '[[drug]]\nid = "zz_test"\nname = "zz"\n')
    with pytest.raises(KnowledgeError, match="zz_test"):
        load_knowledge(datasets)


def test_unknown_source_and_class_are_rejected(datasets: Path) -> None:
    append(
        datasets / "drugs" / "common.toml",
        '[[drug]]\nid = "zz_test"\nname = "zz"\nclasses = ["no_such_class"]\n'
        'sources = ["no_such_source"]\n',
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(datasets)
    assert "unknown source 'no_such_source'" in str(caught.value)
    assert "unknown drug class 'no_such_class'" in str(caught.value)


def test_a_systemic_route_must_be_a_local_one(datasets: Path) -> None:
    append(
        datasets / "drugs" / "common.toml",
        '[[drug]]\nid = "zz_test"\nname = "zz"\nsystemic_routes = ["oral"]\nsources = ["rxnorm"]\n',
    )
    with pytest.raises(KnowledgeError, match="systemic_routes names 'oral', not a local route"):
        load_knowledge(datasets)


def test_a_dose_schedule_needs_a_dose_limit(datasets: Path) -> None:
    append(
        datasets / "drugs" / "common.toml",
        '[[drug]]\nid = "zz_test"\nname = "zz"\ndose_needs_schedule = true\nsources = ["rxnorm"]\n',
    )
    with pytest.raises(KnowledgeError, match="dose_needs_schedule without adds_up_above_mg"):
        load_knowledge(datasets)


def test_a_brand_that_names_two_concepts_is_rejected(datasets: Path) -> None:
    append(
        datasets / "drugs" / "common.toml",
        '[[drug]]\nid = "zz_test"\nname = "zz"\nbrands = ["Lasix"]\nsources = ["rxnorm"]\n',
    )
    with pytest.raises(KnowledgeError, match="Lasix"):
        load_knowledge(datasets)


def test_duplicate_ids_are_rejected(datasets: Path) -> None:
    append(
        datasets / "drugs" / "common.toml",
        '[[drug]]\nid = "furosemide"\nname = "furosemide"\nsources = ["rxnorm"]\n',
    )
    with pytest.raises(KnowledgeError, match="defined twice"):
        load_knowledge(datasets)


def test_invalid_toml_is_named(datasets: Path) -> None:
    append(datasets / "labs.toml", "[[analyte]\n")
    with pytest.raises(KnowledgeError, match=r"labs\.toml: not valid TOML"):
        load_knowledge(datasets)


def test_rules_that_suppress_each_other_are_rejected(datasets: Path) -> None:
    # The engine evaluates a rule after the rules that suppress it: no cycles.
    path = datasets / "combinations.toml"
    text = path.read_text(encoding="utf-8")
    for rule, other in [
        ("loop_plus_thiazide", "diuretic_plus_corticosteroid"),
        ("diuretic_plus_corticosteroid", "loop_plus_thiazide"),
    ]:
        marker = f'id = "{rule}"\n'
        assert marker in text
        text = text.replace(marker, marker + f'suppressed_by = ["{other}"]\n')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="leads back to the rule itself"):
        load_knowledge(datasets)


def test_not_with_must_name_another_known_condition(datasets: Path) -> None:
    append(
        datasets / "conditions" / "common.toml",
        '[[condition]]\nid = "zz_test"\nname = "zz"\ncontributes = false\n'
        'not_with = ["no_such_condition", "zz_test"]\nsources = ["icd10cm_2026"]\n',
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(datasets)
    assert "not_with names unknown condition 'no_such_condition'" in str(caught.value)
    assert "not_with names unknown condition 'zz_test'" in str(caught.value)


def test_a_rule_may_name_only_known_analytes_for_what_was_measured(datasets: Path) -> None:
    path = datasets / "combinations.toml"
    text = path.read_text(encoding="utf-8")
    marker = 'id = "statin_with_raised_ck_and_hypothyroidism"\n'
    assert marker in text
    text = text.replace(marker, marker + 'unless_measured_otherwise = "zz:high"\n')
    text = text.replace(
        'monitoring_when_measured = { tsh = ["Repeat CK with creatinine", ',
        'monitoring_when_measured = { zz_analyte = ["Repeat CK with creatinine", ',
    )
    path.write_text(text.replace('unless_measured_otherwise = "tsh:high"\n', ""), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(datasets)
    assert "unless_measured_otherwise names unknown analyte 'zz:high'" in str(caught.value)
    assert "monitoring_when_measured names unknown analyte or lab test 'zz_analyte'" in str(
        caught.value
    )


def test_a_one_input_rule_needs_one_dose_limited_slot_and_is_low(datasets: Path) -> None:
    path = datasets / "combinations.toml"
    text = path.read_text(encoding="utf-8")
    marker = 'id = "duplicate_statins"\n'
    assert marker in text
    path.write_text(text.replace(marker, marker + "one_input = true\n"), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(datasets)
    assert "one_input needs a single dose-limited slot" in str(caught.value)
    assert "a one-input rule is one drug on its own, low" in str(caught.value)


def test_a_band_that_only_joins_rules_is_low_with_no_advice(datasets: Path) -> None:
    path = datasets / "labs.toml"
    text = path.read_text(encoding="utf-8")
    marker = 'title = "Low vitamin D (25-hydroxy)"\n  joins_only = true\n'
    assert marker in text
    text = text.replace(marker, marker + '  monitoring = ["Repeat vitamin D"]\n')
    path.write_text(
        text.replace('below = 20.0\n  severity = "low"', 'below = 20.0\n  severity = "high"'),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(datasets)
    assert "band 'low': a joins_only band is low, with no advice of its own" in str(caught.value)


def test_a_slot_has_one_dose_limit_and_reads_flare_courses_only_with_one(datasets: Path) -> None:
    path = datasets / "combinations.toml"
    text = path.read_text(encoding="utf-8")
    marker = "  above_mg_a_week = 0.6\n"
    assert marker in text
    text = text.replace(marker, marker + "  above_mg = 0.1\n")
    marker = '  drug_group = ["colchicine_moderate_cyp3a4_inhibitors"]\n'
    assert marker in text
    marker_needs = marker + "  flare_course_exempt = true\n  needs_dose = true\n"
    path.write_text(text.replace(marker, marker_needs), "utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(datasets)
    assert "sets more than one dose limit" in str(caught.value)
    assert "reads flare courses without a dose limit" in str(caught.value)
    assert "needs a dose without a dose limit" in str(caught.value)


def test_an_analyte_check_may_name_only_known_analytes(datasets: Path) -> None:
    path = datasets / "labs.toml"
    text = path.read_text(encoding="utf-8")
    marker = 'monitoring_when_measured = { "magnesium+vitamin_d" = ["Repeat ionized calcium"]'
    assert marker in text
    path.write_text(text.replace(marker, marker.replace("magnesium+", "zz+")), "utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(datasets)
    assert "monitoring_when_measured names unknown analyte 'zz'" in str(caught.value)


def test_new_fields_of_review22_followup_are_validated(datasets: Path) -> None:
    """A class's monitoring_when_measured names known analytes or tests, and cured_by
    known conditions."""
    path = datasets / "drug_classes.toml"
    text = path.read_text(encoding="utf-8")
    marker = "monitoring_when_measured = { ck = ["
    assert marker in text
    path.write_text(text.replace(marker, "monitoring_when_measured = { zz_test = ["), "utf-8")
    append(
        datasets / "conditions" / "common.toml",
        '[[condition]]\nid = "zz_test"\nname = "zz"\ncontributes = false\n'
        'cured_by = ["no_such_condition"]\nsources = ["icd10cm_2026"]\n',
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(datasets)
    message = str(caught.value)
    assert "drug class 'statin': monitoring_when_measured names unknown analyte or lab" in message
    assert "cured_by names unknown condition 'no_such_condition'" in message


def test_a_route_word_name_is_one_route_or_dose_word(datasets: Path) -> None:
    append(
        datasets / "drugs" / "common.toml",
        '[[drug]]\nid = "zz_drug"\nname = "zz drug"\nroute_word_names = ["zzdrug"]\n'
        'sources = ["rxnorm"]\n',
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(datasets)
    assert "route_word_names 'zzdrug' is not one route or dose word" in str(caught.value)


def test_a_qualifier_rule_may_be_only_for_known_conditions(datasets: Path) -> None:
    path = datasets / "qualifiers.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('only_for = [\n    "hypoglycemia",', 'only_for = [\n    "no_such_one",', 1),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="only_for names unknown condition 'no_such_one'"):
        load_knowledge(datasets)


def test_a_slot_may_except_only_a_known_class(datasets: Path) -> None:
    path = datasets / "combinations.toml"
    text = path.read_text(encoding="utf-8")
    marker = 'except_drug_class = ["potassium_binder"]'
    assert marker in text
    path.write_text(text.replace(marker, 'except_drug_class = ["zz_class"]'), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="unknown excepted drug class 'zz_class'"):
        load_knowledge(datasets)
