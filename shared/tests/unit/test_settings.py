"""Production must never run with the published development secret."""

import pytest

from medfund_shared.settings import DEV_CREDENTIALS_KEY, DEV_JWT_SECRET, InsecureSettingsError, Settings, load_settings


def test_production_refuses_the_development_secret():
    with pytest.raises(InsecureSettingsError):
        Settings(env="production", jwt_secret=DEV_JWT_SECRET).validate_for_production()


def test_production_accepts_a_private_secret():
    Settings(env="production", jwt_secret="p" * 48).validate_for_production()


def test_production_refuses_the_development_credentials_key():
    with pytest.raises(InsecureSettingsError):
        Settings(env="production", credentials_key=DEV_CREDENTIALS_KEY).validate_credentials_key()


def test_production_accepts_a_private_credentials_key():
    private_key = "cCj_8DFaQJvagCfK4MdZObcZ66e-5I7Wqps_e7QsqNo="
    Settings(env="production", credentials_key=private_key).validate_credentials_key()


def test_topics_carry_the_prefix():
    assert Settings(topic_prefix="t1234.").topic("medfund.claims.v1") == "t1234.medfund.claims.v1"


def test_each_service_defaults_to_its_own_database(monkeypatch):
    monkeypatch.delenv("MEDFUND_DATABASE_URL", raising=False)
    assert load_settings("fund-ledger").database_url.endswith("/medfund_ledger")
    assert load_settings("billing").database_url.endswith("/medfund_billing")


def test_the_outbox_relay_is_tuned_from_the_environment(monkeypatch):
    monkeypatch.setenv("MEDFUND_OUTBOX_BATCH_ROWS", "250")
    monkeypatch.setenv("MEDFUND_OUTBOX_BATCH_WINDOW_SECONDS", "0.02")
    settings = Settings()
    assert (settings.outbox_batch_rows, settings.outbox_batch_window_seconds) == (250, 0.02)


def test_an_outbox_batch_of_no_rows_is_refused():
    with pytest.raises(ValueError):
        Settings(outbox_batch_rows=0)
