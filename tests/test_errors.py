"""Every error the service raises on purpose shares one base class (``CrampError``), so that
an adapter can tell an expected failure from a defect."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import service
from service.errors import CrampError


def _error_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(service.__path__, "service."):
        if info.name.startswith("service.web") or info.name == "service.__main__":
            continue  # HTTP exceptions there are litestar's, by design
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == info.name
                and not name.startswith("_")
            ):
                found[f"{info.name}.{name}"] = value
    return found


def test_every_public_error_is_a_cramp_error() -> None:
    classes = _error_classes()
    assert "service.fhir.references.PatientChoiceError" in classes
    assert len(classes) >= 10
    outside = sorted(name for name, kind in classes.items() if not issubclass(kind, CrampError))
    assert outside == []
