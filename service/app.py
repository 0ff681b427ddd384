"""The ASGI application: ``service.app:app``, built by ``create_app``."""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import State
from litestar.exceptions import HTTPException, ValidationException

from service.knowledge import load_knowledge
from service.settings import Settings
from service.web.openapi import openapi_config, refine
from service.web.problems import (
    InvalidBody,
    http_handler,
    internal_handler,
    invalid_body_handler,
    validation_handler,
)
from service.web.batch import check_batch
from service.web.knowledge import KnowledgeController
from service.web.routes import CheckController, healthz, readyz


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()

    def load(app: Litestar) -> None:
        app.state.knowledge = load_knowledge(settings.datasets_dir)
        refine(app.openapi_schema)

    return Litestar(
        route_handlers=[CheckController, KnowledgeController, healthz, readyz, check_batch],
        on_startup=[load],
        state=State({"settings": settings}),
        openapi_config=openapi_config(settings.max_body_bytes),
        exception_handlers={
            InvalidBody: invalid_body_handler,
            ValidationException: validation_handler,
            HTTPException: http_handler,
            Exception: internal_handler,
        },
        request_max_body_size=settings.max_body_bytes,
        debug=False,
    )


app = create_app()
