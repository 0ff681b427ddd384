"""The ASGI application: ``service.app:app``, built by ``create_app``."""

from __future__ import annotations

import gc

from litestar import Litestar
from litestar.datastructures import State
from litestar.exceptions import HTTPException, ValidationException

from service.engine import Knowledge
from service.engine import load as load_engine
from service.engine.errors import ImplausibleValueError
from service.settings import Settings
from service.web.batch import check_batch
from service.web.cds_hooks import cds_hooks_router
from service.web.cpu import shutdown
from service.web.knowledge import KnowledgeController
from service.web.observability import RequestObservability, log_exception, metrics
from service.web.openapi import openapi_config, refine
from service.web.page import page_handlers
from service.web.problems import (
    InvalidBody,
    http_handler,
    implausible_handler,
    internal_handler,
    invalid_body_handler,
    validation_handler,
)
from service.web.routes import CheckController, healthz, readyz
from service.web.security import authentication, cors


def create_app(settings: Settings | None = None, knowledge: Knowledge | None = None) -> Litestar:
    """The app; ``knowledge`` is the knowledge base when the caller loaded it already."""
    settings = settings or Settings.from_env()

    def load(app: Litestar) -> None:
        app.state.knowledge = knowledge or load_engine(settings.datasets_dir)
        refine(app.openapi_schema)
        # The knowledge base lives as long as the process: move it out of the collector's
        # generations so full collections do not walk it on every request burst.
        gc.collect()
        gc.freeze()

    app = Litestar(
        route_handlers=[
            CheckController,
            KnowledgeController,
            healthz,
            readyz,
            check_batch,
            cds_hooks_router,
        ],
        on_startup=[load],
        on_shutdown=[lambda app: shutdown(app.state)],
        state=State({"settings": settings}),
        openapi_config=openapi_config(settings.max_body_bytes, pages=settings.docs),
        exception_handlers={
            InvalidBody: invalid_body_handler,
            ImplausibleValueError: implausible_handler,
            ValidationException: validation_handler,
            HTTPException: http_handler,
            Exception: internal_handler,
        },
        request_max_body_size=settings.max_body_bytes,
        debug=False,
        # Operations and security (docs/operations.md): auth, CORS, safe error logs; the
        # process entry point (`serve`) configures logging, so the app leaves it alone.
        middleware=authentication(settings),
        cors_config=cors(settings),
        after_exception=[log_exception],
        logging_config=None,
    )
    if settings.metrics:
        app.register(metrics)
    if settings.page:
        for handler in page_handlers():
            app.register(handler)
    # Outermost: request id, access log, metrics and headers for every response (404s
    # too), and the limit of requests in flight.
    app.asgi_handler = RequestObservability(
        app.asgi_handler, access_log=settings.access_log, limit=settings.limit_concurrency
    )
    return app


def __getattr__(name: str) -> Litestar:
    """``service.app:app``, built from the environment on first use (not on import, so
    that ``python -m service serve`` can check the settings first and build its own)."""
    if name == "app":
        built = create_app()
        globals()["app"] = built
        return built
    raise AttributeError(name)
