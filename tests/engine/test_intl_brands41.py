"""UK, EU, Canadian and Australian brand names of drugs that rules name (review41 items 1,
12 and C1): each is read as its one ingredient, by brand; none turns another word into a
drug. Sources: the `intl_brands_*` entries in datasets/drugs/*.toml."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    ("text", "ingredient"),
    [
        ("Klacid 500 mg bd", "clarithromycin"),
        ("Klaricid 500mg bd", "clarithromycin"),
        ("Klacid XL 500 mg od", "clarithromycin"),
        ("Losec MUPS 20 mg od", "omeprazole"),
        ("Losec 20mg", "omeprazole"),
        ("Pariet 20 mg od", "rabeprazole"),
        ("Zoton FasTab 30 mg", "lansoprazole"),
        ("Zoton 15mg od", "lansoprazole"),
        ("Protium 40 mg", "pantoprazole"),
        ("Somac 40 mg", "pantoprazole"),
        ("Pantoloc 40 mg", "pantoprazole"),
        ("Burinex 1 mg om", "bumetanide"),
        ("Lipantil Micro 200 mg", "fenofibrate"),
        ("Supralip 160 mg", "fenofibrate"),
        ("Tildiem Retard 120 mg bd", "diltiazem"),
        ("Adizem-XL 240 mg", "diltiazem"),
        ("Viazem XL 180 mg", "diltiazem"),
        ("Securon SR 240 mg", "verapamil"),
        ("Half Securon SR", "verapamil"),
        ("Priadel 400 mg nocte", "lithium"),
        ("Camcolit 400 mg", "lithium"),
        ("Liskonum 450 mg", "lithium"),
        ("Forsteo 20 micrograms sc daily", "teriparatide"),
        ("Mimpara 30 mg od", "cinacalcet"),
        ("Salamol 2 puffs prn", "albuterol"),
        ("Airomir inhaler", "albuterol"),
        ("Trental 400 mg tds", "pentoxifylline"),
        # A corticosteroid that fuzzy matching used to read as diltiazem.
        ("Dilacort 5 mg od", "prednisolone"),
        ("Deltacortril 5 mg gastro-resistant", "prednisolone"),
    ],
)
def test_an_international_brand_is_read_as_its_ingredient(
    checker: Checker, text: str, ingredient: str
) -> None:
    entry = checker.med(text).medications[0]
    assert list(entry.concepts) == [ingredient]
    assert entry.match == "brand"


@pytest.mark.parametrize(
    "text",
    ["protein", "somatic", "pantry", "trend", "security", "lipid", "mimic", "parietal", "airway"],
)
def test_a_word_near_a_new_brand_is_not_read_as_a_drug(checker: Checker, text: str) -> None:
    assert list(checker.med(text).medications[0].concepts) == []
