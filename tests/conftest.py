"""Shared fixtures: the real knowledge base, the real app, and a real loopback server."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import pytest
import uvicorn
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.engine import CheckRequest, Knowledge, Report, check, load
from service.engine.models import InputStatus
from service.knowledge import KnowledgeBase


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the slow modules first, so that under `-n 2` (./scripts/test) the longest ones
    (schemathesis, the compiled engine, the server processes) overlap the quick tables
    instead of finishing alone at the end. The sort is stable: order within each kind stays."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """The shipped datasets, loaded and prepared for the engine once per session."""
    return load()


@pytest.fixture(scope="session")
def kb(knowledge: Knowledge) -> KnowledgeBase:
    return knowledge.kb


@pytest.fixture(scope="session")
def app() -> Litestar:
    return create_app()


@pytest.fixture(scope="session")
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


class Checker:
    """Runs a request body through the engine the same way the API does."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.kb = knowledge.kb

    def __call__(self, **body: Any) -> Report:
        return check(msgspec.convert(body, CheckRequest), self.knowledge)

    def med(self, text: str | None = None, **item: Any) -> Report:
        if text is not None:
            item["text"] = text
        return self(medications=[item])

    def cond(self, text: str | None = None, **item: Any) -> Report:
        if text is not None:
            item["text"] = text
        return self(conditions=[item])

    def status(self, lst: str, text: str, coding: Any = None) -> InputStatus:
        """How the one input ``text`` (with ``coding``, if any) of list ``lst`` is read,
        for a 70-year-old woman."""
        entry: dict[str, Any] = {"text": text}
        if coding:
            entry["coding"] = coding
        statuses: list[InputStatus] = getattr(
            self(patient={"age": 70, "sex": "female"}, **{lst: [entry]}), lst
        )
        return statuses[0]


@pytest.fixture(scope="session")
def checker(knowledge: Knowledge) -> Checker:
    return Checker(knowledge)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def serve(app: Litestar) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", server_header=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    else:
        server.should_exit = True
        pytest.fail("the loopback server did not become ready")
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The real app served by uvicorn on 127.0.0.1, for black-box clients."""
    with serve(create_app()) as base:
        yield base


logging.getLogger("httpx").setLevel(logging.WARNING)
