"""Measure CDS Hooks card detail lengths on a few realistic charts.

    uv run python -m bench.card_detail [--show]

Prints, per chart and card: indicator, detail length in characters, monitoring and
management bullets, and the summary. Runs the real app in-process (litestar TestClient).
"""

from __future__ import annotations

import sys
from typing import Any

from litestar.testing import TestClient

from service.app import create_app
from service.settings import FhirSettings, Settings
from tests.cdshooks.records import chart, elderly_chart

CHARTS: dict[str, tuple[str, dict[str, Any]]] = {
    "digoxin+furosemide+HCTZ, K 3.3, Mg 1.4": (
        "cramp-risk-patient-view",
        chart(
            ["digoxin 0.125 mg daily", "furosemide 40 mg daily", "hydrochlorothiazide 25 mg"],
            [("potassium", 3.3, "mmol/L"), ("magnesium", 1.4, "mg/dL")],
            birth_date="1948-05-01",
        ),
    ),
    "simvastatin 40 + clarithromycin": (
        "cramp-risk-patient-view",
        chart(["simvastatin 40 mg daily", "clarithromycin 500 mg twice daily"]),
    ),
    "K 3.4 + furosemide": (
        "cramp-risk-patient-view",
        chart(["furosemide 40 mg daily"], [("potassium", 3.4, "mmol/L")]),
    ),
    "14-drug elderly chart": ("cramp-risk-patient-view", elderly_chart()),
    "order-sign: new atorvastatin alone": (
        "cramp-risk-order-sign",
        chart(hook="order-sign", drafts=["atorvastatin 20 mg daily"]),
    ),
    "TSH 6.2, 71-year-old": (
        "cramp-risk-patient-view",
        chart([], [("tsh", 6.2, "m[IU]/L")], birth_date="1955-03-14"),
    ),
}


def main() -> None:
    show = "--show" in sys.argv
    app = create_app(Settings(fhir=FhirSettings(lab_max_age_days=0)))
    with TestClient(app) as client:
        for name, (service, body) in CHARTS.items():
            response = client.post(f"/cds-services/{service}", json=body)
            response.raise_for_status()
            cards = response.json()["cards"]
            total = sum(len(c.get("detail", "")) for c in cards)
            print(f"== {name}: {len(cards)} card(s), detail total {total} chars")
            for card in cards:
                detail = card.get("detail", "")
                monitoring = _section(detail, "**Monitoring**")
                management = _section(detail, "**Management**")
                print(
                    f"  {card['indicator']:8} {len(detail):5} chars "
                    f"mon {len(monitoring):2} man {len(management):2}  {card['summary']}"
                )
                if show:
                    print("    " + detail.replace("\n", "\n    "))


def _section(detail: str, heading: str) -> list[str]:
    if heading not in detail:
        return []
    body = detail.split(heading, 1)[1].split("\n\n", 1)[0]
    return [line for line in body.splitlines() if line.startswith("- ")]


if __name__ == "__main__":
    main()
