"""The pharmacist's page in a real headless Chromium against a real server on 127.0.0.1.

Chromium comes from Debian's ``chromium`` package (``/usr/bin/chromium``; another binary
with ``CRAMP_CHROMIUM``), driven by Playwright; ``playwright install`` is never needed.
The tests skip, saying so, only when no Chromium can be found. The run writes the README's
screenshots to ``docs/screenshots/`` when ``CRAMP_SCREENSHOTS=1``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)

from service.app import create_app
from service.knowledge import KnowledgeBase
from service.settings import Settings
from service.web.page import CONTENT_SECURITY_POLICY
from tests.conftest import serve

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
# The README's screenshots are rewritten only when asked (CRAMP_SCREENSHOTS=1); otherwise
# they go to a temporary directory, so a test run leaves the working tree as it was.
SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("CRAMP_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "cramp-screenshots"
)
FIXTURES = ROOT / "tests" / "fixtures" / "fhir"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = ViewportSize(width=1280, height=720)
TABLET = ViewportSize(width=820, height=1180)
# The screenshots show this time, so that they change only when the page does.
FIXED_TIME = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)

MEDICATIONS = [
    "Lasix 40 mg PO daily",
    "furosimide 20 mg",  # misspelled
    "Zocor 40 mg qhs",  # a brand
    "omeprazole 20 mg daily",
    "hctz 25",
    "lisinopril 10 mg daily",
    "Qvarz 80 mcg 2 puffs bid",
]
CONDITIONS = ["type 2 diabetes", "lumbar spinal stenosis"]
# What a pharmacist must see for each line, whatever else the knowledge base learns.
EXPECTED_MEDICATIONS = {
    "Lasix 40 mg PO daily": ("Flagged", "furosemide"),
    "furosimide 20 mg": ("Flagged", "furosemide"),
    "Zocor 40 mg qhs": ("Flagged", "simvastatin"),
    "omeprazole 20 mg daily": ("Flagged", "omeprazole"),
    "hctz 25": ("Flagged", "hydrochlorothiazide"),
    "lisinopril 10 mg daily": ("Recognized", "lisinopril"),
}
# axe-core's rules for WCAG 2.1 levels A and AA (labels, contrast, names, structure).
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
STATUS_LABELS = {"flagged": "Flagged", "recognized": "Recognized", "unrecognized": "Not recognized"}
SEVERITY_LABELS = {"low": "Low", "moderate": "Moderate", "high": "High"}


def find_chromium() -> str | None:
    candidates = [os.environ.get("CRAMP_CHROMIUM"), "/usr/bin/chromium"]
    candidates += [shutil.which(name) for name in ("chromium", "chromium-browser")]
    return next((c for c in candidates if c and Path(c).is_file()), None)


@pytest.fixture(scope="session")
def playwright() -> Iterator[tuple[Playwright, str]]:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip(
            "no Chromium found (install Debian's: apt-get install -y chromium, "
            "or set CRAMP_CHROMIUM to a Chromium binary)"
        )
    with sync_playwright() as driver:
        yield driver, chromium


@pytest.fixture
def browser(playwright: tuple[Playwright, str]) -> Iterator[BrowserContext]:
    """A fresh Chromium with its own empty profile, closed after the test."""
    driver, chromium = playwright
    with tempfile.TemporaryDirectory(prefix="cramp-chromium-") as profile:
        context = driver.chromium.launch_persistent_context(
            profile,
            executable_path=chromium,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=DESKTOP,
            locale="en-US",
            timezone_id="UTC",
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def secured_server() -> Iterator[str]:
    with serve(create_app(Settings(api_keys=("counter-key-1",)))) as base:
        yield base


def open_page(context: BrowserContext, base: str) -> tuple[Page, list[str]]:
    """The page at ``/check``, and the list its uncaught script errors go to."""
    page = context.pages[0] if context.pages else context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.clock.set_fixed_time(FIXED_TIME)
    response = page.goto(f"{base}/check")
    assert response is not None and response.status == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    return page, errors


def wait_for_analytes(page: Page) -> None:
    page.locator("#analytes option").first.wait_for(state="attached")


def fill_patient(page: Page, kb: KnowledgeBase) -> None:
    wait_for_analytes(page)
    page.locator("#medications").press_sequentially("\n".join(MEDICATIONS))
    page.locator("#conditions").press_sequentially("\n".join(CONDITIONS))
    analyte = page.locator(".lab-analyte").first
    analyte.fill(kb.analytes["potassium"].name)
    analyte.press("Tab")  # the unit is filled in from the knowledge base
    expect(page.locator(".lab-unit").first).to_have_value(kb.analytes["potassium"].canonical_unit)
    page.locator(".lab-value").first.fill("3.1")


def run_check(page: Page, *, keys: str | None = "Control+Enter") -> tuple[Any, dict[str, Any]]:
    """Check (Ctrl+Enter, or the button); the request body sent and the report answered."""
    with page.expect_response(re.compile(r"/v1/check$")) as answer:
        if keys:
            page.keyboard.press(keys)
        else:
            page.locator("#check").click()
    response = answer.value
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"
    expect(page.locator("#report")).to_be_visible()
    body = response.request.post_data_json
    return body, response.json()


def row(page: Page, list_name: str, text: str) -> Any:
    table = page.locator(f'table.inputs[data-list="{list_name}"]')
    return table.locator("tbody tr").filter(has=page.locator("th", has_text=text)).first


def no_patient_data_kept(page: Page, base: str) -> None:
    assert page.url == f"{base}/check"  # nothing in the URL
    stored = page.evaluate(
        "() => [localStorage.length, sessionStorage.length, document.cookie, "
        "performance.getEntriesByType('resource').map(e => e.name)]"
    )
    assert stored[:3] == [0, 0, ""]
    assert all("?" not in url or "kind=analyte" in url for url in stored[3])


def save_screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=False)


def test_pharmacist_checks_a_typed_list(
    browser: BrowserContext, live_server: str, kb: KnowledgeBase
) -> None:
    browser.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page, errors = open_page(browser, live_server)
    expect(page.locator("#kb-version")).to_have_text(f"Knowledge {kb.version}")

    # Keyboard first: the lists, then the labs, in reading order.
    page.locator("#medications").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "conditions"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "lab-analyte"

    fill_patient(page, kb)
    page.locator("#conditions").focus()
    sent, report = run_check(page)

    # One request, the integrators' contract; the lab goes by its LOINC code.
    assert [m["text"] for m in sent["medications"]] == MEDICATIONS
    assert [c["text"] for c in sent["conditions"]] == CONDITIONS
    (lab,) = sent["labs"]
    assert lab["coding"][0]["system"] == "http://loinc.org"
    assert lab["coding"][0]["code"] == kb.analytes["potassium"].loinc[0]
    assert (lab["value"], lab["unit"]) == (3.1, "mmol/L")

    # The risk at a glance, and announced.
    assert report["risk"] == "moderate"
    expect(page.locator("#risk")).to_have_text("Overall risk: Moderate")
    expect(page.locator("#status")).to_contain_text("Overall risk moderate")
    assert_problem_lines(page, report)
    assert_input_statuses(page, report)
    save_screenshot(page, "check-1280x720.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]

    # The chart note, copied with one click.
    page.locator("#copy-note").click()
    expect(page.locator("#copied")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == report["note"]

    assert_print_view(page, report)

    # A change after the check marks the result out of date; nothing was kept anywhere.
    page.locator("#medications").press("End")
    page.locator("#medications").press_sequentially("\nprednisone 10 mg")
    expect(page.locator("#stale")).to_be_visible()
    no_patient_data_kept(page, live_server)
    assert errors == []


def assert_problem_lines(page: Page, report: dict[str, Any]) -> None:
    """One line per problem: severity, what, and which of the patient's lines it is about;
    the details one click away."""
    top = [f for f in report["findings"] if not f.get("absorbed_by")]
    lines = page.locator("#problems > li")
    expect(lines).to_have_count(len(top))
    for line, finding in zip(lines.all(), top, strict=True):
        # The line's own summary, not those of the findings it includes (nested lists).
        summary = line.locator(":scope > details > summary")
        expect(summary.locator(".sev")).to_have_text(SEVERITY_LABELS[finding["severity"]])
        expect(summary.locator(".what")).to_have_text(finding["title"])
        absorbed = [f for f in report["findings"] if f.get("absorbed_by") == finding["id"]]
        expect(line.locator(".absorbed > li")).to_have_count(len(absorbed))
    assert any("low potassium" in f["title"].lower() for f in top)
    potassium = page.locator("#problems summary").filter(
        has=page.locator(".what", has_text="Potassium-lowering drug with low potassium")
    )
    expect(potassium.locator(".why")).to_contain_text("Lasix 40 mg PO daily")
    expect(potassium.locator(".why")).to_contain_text("potassium 3.1 mmol/L")

    first = lines.first
    own_summary, own_more = (first.locator(f":scope > details > {p}") for p in ("summary", ".more"))
    own_summary.click()
    expect(own_more).to_be_visible()
    expect(own_more).to_contain_text(top[0]["monitoring"][0])
    assert own_more.locator("a").first.get_attribute("rel") == "noopener noreferrer"
    own_summary.click()
    expect(own_more).to_be_hidden()


def assert_input_statuses(page: Page, report: dict[str, Any]) -> None:
    """Each input with its status, how it was read, and suggestions when not recognized."""
    for text, (status, concept) in EXPECTED_MEDICATIONS.items():
        expect(row(page, "medications", text).locator("td").nth(0)).to_have_text(status)
        expect(row(page, "medications", text).locator(".read-as")).to_contain_text(concept)
    for index, status in enumerate(report["medications"]):
        shown = row(page, "medications", MEDICATIONS[index])
        expect(shown.locator("td").nth(0)).to_have_text(STATUS_LABELS[status["status"]])
        if status.get("match") == "spelling":
            expect(shown.locator(".tag-warn")).to_contain_text("spelling")
        for suggestion in status.get("suggestions", []):
            expect(shown.locator(".notes")).to_contain_text(suggestion)
    for text in CONDITIONS:
        expect(row(page, "conditions", text).locator("td").nth(0)).to_have_text("Flagged")
    expect(row(page, "labs", "potassium 3.1 mmol/L").locator("td").nth(0)).to_have_text("Flagged")


def assert_print_view(page: Page, report: dict[str, Any]) -> None:
    """The result alone on one page, with date, knowledge version and the disclaimer."""
    page.emulate_media(media="print")
    for hidden in ("form.entry", "header.bar", "#copy-note", "#print", "#status", "#note"):
        expect(page.locator(hidden)).to_be_hidden()
    head = page.locator(".print-head")
    expect(head).to_be_visible()
    expect(head).to_contain_text(f"knowledge {report['knowledge_version']}")
    expect(head).to_contain_text("11/27/2026")
    expect(page.locator("#problems")).to_be_visible()
    expect(page.locator("table.inputs").first).to_be_visible()
    expect(page.locator("footer.disclaimer")).to_contain_text("Decision support only")
    pdf = page.pdf()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "the report prints on one page"
    page.emulate_media(media="screen")


def test_on_a_tablet(browser: BrowserContext, live_server: str, kb: KnowledgeBase) -> None:
    page, _ = open_page(browser, live_server)
    page.set_viewport_size(TABLET)
    fill_patient(page, kb)
    run_check(page, keys=None)  # a tap on the button
    # One column; the result is brought into view.
    box = page.locator("#results").bounding_box()
    assert box is not None and 0 <= box["y"] < TABLET["height"] / 2
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    save_screenshot(page, "check-tablet.png")


def test_accessibility_wcag_aa(
    browser: BrowserContext, live_server: str, kb: KnowledgeBase
) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation (labels, contrast, names, structure) on
    the empty page and on a result with a problem opened."""
    page, _ = open_page(browser, live_server)
    wait_for_analytes(page)
    axe = Axe()
    empty = axe.run(page, options=WCAG_AA)
    assert empty.violations_count == 0, empty.generate_report()
    fill_patient(page, kb)
    run_check(page)
    page.locator("#problems > li summary").first.click()
    checked = axe.run(page, options=WCAG_AA)
    assert checked.violations_count == 0, checked.generate_report()


def test_markup_in_a_medication_name_is_shown_as_text(
    browser: BrowserContext, live_server: str
) -> None:
    page, errors = open_page(browser, live_server)
    wait_for_analytes(page)
    script = "<script>window.injected = 1</script>"
    image = '<img src=x onerror="window.injected = 2">'
    page.locator("#medications").fill(f"{script}\n{image}\nfurosemide 40 mg")
    run_check(page)
    for text in (script, image):
        cell = row(page, "medications", text).locator("th")
        expect(cell).to_have_text(text)
        expect(row(page, "medications", text).locator("td").nth(0)).to_have_text("Not recognized")
    expect(page.locator("#unchecked")).to_contain_text(script)
    assert page.locator("#results img, #results script").count() == 0
    assert page.evaluate("window.injected") is None
    assert errors == []


def test_a_refused_line_is_named_and_the_list_is_kept(
    browser: BrowserContext, live_server: str
) -> None:
    page, _ = open_page(browser, live_server)
    wait_for_analytes(page)
    too_long = "furosemide " + "x" * 600
    page.locator("#medications").fill(f"Lasix 40 mg\n\n{too_long}")
    with page.expect_response(re.compile(r"/v1/check$")) as answer:
        page.keyboard.press("Control+Enter")
    assert answer.value.status == 400
    expect(page.locator("#form-error")).to_contain_text("Medication line 3")
    expect(page.locator("#medications")).to_have_value(f"Lasix 40 mg\n\n{too_long}")


def test_a_fhir_bundle_file(browser: BrowserContext, live_server: str) -> None:
    page, _ = open_page(browser, live_server)
    with page.expect_response(re.compile(r"/v1/check/fhir$")) as answer:
        page.locator("#bundle").set_input_files(str(FIXTURES / "synthea_transaction.json"))
    report = answer.value.json()
    assert answer.value.headers["cache-control"] == "no-store"
    expect(page.locator("#source")).to_have_text(
        "From the FHIR Bundle file synthea_transaction.json"
    )
    expect(page.locator("#problems > li")).to_have_count(
        len([f for f in report["findings"] if not f.get("absorbed_by")])
    )
    for source in report["sources"]["medications"]:
        expect(page.locator('table.inputs[data-list="medications"]')).to_contain_text(
            source["display"]
        )
    expect(page.locator(".ignored summary")).to_contain_text(f"{len(report['ignored'])}")


def test_api_key_asked_for_and_kept_in_memory_only(
    browser: BrowserContext, secured_server: str, kb: KnowledgeBase
) -> None:
    page, _ = open_page(browser, secured_server)  # the page itself needs no key
    dialog = page.locator("#sign-in")
    expect(dialog).to_be_visible()  # the knowledge endpoint answered 401
    expect(page.locator("#api-key")).to_be_focused()
    prompt = Axe().run(page, options=WCAG_AA)
    assert prompt.violations_count == 0, prompt.generate_report()
    page.locator("#api-key").fill("wrong-key")
    page.keyboard.press("Enter")
    expect(page.locator("#sign-in-error")).to_have_text("That key was not accepted. Try again.")
    page.locator("#api-key").fill("counter-key-1")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    wait_for_analytes(page)
    expect(page.locator("#sign-out")).to_be_visible()

    page.locator("#medications").fill("Lasix 40 mg PO daily")
    with page.expect_request(re.compile(r"/v1/check$")) as request:
        page.keyboard.press("Control+Enter")
    assert request.value.headers["x-api-key"] == "counter-key-1"
    expect(page.locator("#risk")).to_contain_text("Overall risk")
    no_patient_data_kept(page, secured_server)
    assert page.evaluate("document.documentElement.outerHTML").count("counter-key-1") == 0
