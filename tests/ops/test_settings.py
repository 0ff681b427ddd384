"""Settings come from CRAMP_* environment variables only; bad values stop the start."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from service.settings import Settings


def test_defaults_suit_a_container() -> None:
    settings = Settings.from_env({})
    assert (settings.host, settings.port, settings.workers) == ("0.0.0.0", 8000, 1)
    assert settings.log_format == "json"
    assert settings.api_keys == ()
    assert settings.cors_origins == ()
    assert settings.cds_jwt_issuers == ()
    assert settings.metrics
    assert settings.access_log


def test_values_are_converted() -> None:
    settings = Settings.from_env(
        {
            "CRAMP_PORT": "9000",
            "CRAMP_WORKERS": "3",
            "CRAMP_DATASETS_DIR": "/srv/knowledge",
            "CRAMP_CORS_ORIGINS": "https://a.example,https://b.example",
            "CRAMP_METRICS": "off",
            "CRAMP_ACCESS_LOG": "no",
            "CRAMP_DOCS": "0",
            "CRAMP_GRACEFUL_TIMEOUT": "5",
            "OTHER_PORT": "1",
        }
    )
    assert settings.port == 9000
    assert settings.workers == 3
    assert settings.datasets_dir == Path("/srv/knowledge")
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert not (settings.metrics or settings.access_log or settings.docs)
    assert settings.graceful_timeout == 5


@pytest.mark.parametrize(
    "env",
    [
        {"CRAMP_PORT": "eighty"},
        {"CRAMP_WORKERS": "0"},
        {"CRAMP_LOG_FORMAT": "xml"},
        {"CRAMP_LOG_LEVEL": "loud"},
        {"CRAMP_METRICS": "maybe"},
        {"CRAMP_CDS_JWT_ISSUERS": "https://ehr.example"},  # needs JWKS and public URL
    ],
)
def test_bad_values_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(msgspec.ValidationError):
        Settings.from_env(env)
