"""Settings come from CRAMP_* environment variables only; bad values stop the start."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.settings import ConfigurationError, Settings


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
        {"CRAMP_HEADER_TIMEOUT": "0"},
        {"CRAMP_LIMIT_CONCURRENCY": "-1"},
        {"CRAMP_FHIR_READ_TIMEOUT": "soon"},
        {"CRAMP_CDS_JWT_ISSUERS": "https://ehr.example"},  # needs JWKS and public URL
        # Allow-list entries that could never match (review 20 C17): refused at start.
        {"CRAMP_FHIR_ALLOWED_HOSTS": "https://fhir.example.org/fhir"},
        {"CRAMP_FHIR_ALLOWED_HOSTS": "fhir.example.org,fhir.example.org:99999"},
        {"CRAMP_FHIR_ALLOWED_HOSTS": "fhir.example.org:https"},
        {"CRAMP_FHIR_ALLOWED_HOSTS": "user@fhir.example.org"},
        {"CRAMP_FHIR_ALLOWED_HOSTS": "[fhir.example.org]"},
        {"CRAMP_FHIR_ALLOWED_HOSTS": "fhir..example.org"},
    ],
)
def test_bad_values_are_refused_naming_the_variable(env: dict[str, str]) -> None:
    [variable] = env
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_env(env)
    assert refused.value.variable == variable
    if len(env[variable]) > 2:  # values may be secrets: never shown
        assert env[variable] not in refused.value.reason


def test_server_limits_have_safe_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.max_header_bytes == 16_384
    assert settings.header_timeout == 10
    assert (settings.body_timeout, settings.body_min_rate) == (10, 16_384)
    assert settings.keepalive_timeout == 5
    assert settings.limit_concurrency == 64
    assert settings.batch_limit_concurrency == 2
    assert not settings.docs


def test_allowed_host_entries_name_a_port_or_the_default() -> None:
    hosts = Settings.from_env(
        {
            "CRAMP_FHIR_ALLOWED_HOSTS": (
                "FHIR.example.org., 10.1.2.3:8443, [fd00::5]:*, *.example.net, ::1"
            )
        }
    ).fhir.hosts
    assert [(h.host, h.port) for h in hosts] == [
        ("fhir.example.org", None),
        ("10.1.2.3", 8443),
        ("fd00::5", 0),
        ("*.example.net", None),
        ("::1", None),
    ]
