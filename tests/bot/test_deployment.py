"""What production mode refuses, and the warning a development start prints."""
from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config import Settings, load_settings
from bot.deployment import development_warning, refuse_unsafe_production, unsafe_settings
from bot.supervisor import private_settings, service_environment

LONG = "x" * 40


def production_ready() -> Settings:
    """Settings a public deployment could run with."""
    return replace(
        Settings(),
        environment="production",
        rasa_auth_token="rasa-" + LONG,
        ticket_api_token="ticket-" + LONG,
        action_secret="action-" + LONG,
        conversation_secret="conversation-" + LONG,
        inbox_secret_key="inbox-" + LONG,
        inbox_secure_cookies=True,
        allowed_origins=("https://www.iex.dk", "https://support.iex.dk"),
        rasa_url="https://chat.iex.dk",
        smtp_host="smtp.iex.dk",
        mail_sink=False,
    )


def test_a_production_ready_configuration_has_nothing_unsafe():
    assert unsafe_settings(production_ready()) == []
    assert refuse_unsafe_production("web app", production_ready()) == production_ready()


def test_every_development_default_is_listed():
    problems = "\n".join(unsafe_settings(Settings()))
    for variable, default in [
        ("IEX_RASA_AUTH_TOKEN", "dev-rasa-token"),
        ("IEX_TICKET_API_TOKEN", "dev-ticket-token"),
        ("IEX_ACTION_SECRET", "dev-action-secret"),
        ("IEX_CONVERSATION_SECRET", "dev-conversation-secret"),
    ]:
        assert f"{variable} is the development default '{default}'" in problems
    assert "IEX_INBOX_SECRET_KEY is not set" in problems
    assert "IEX_INBOX_SECURE_COOKIES is off" in problems
    assert "IEX_ALLOWED_ORIGINS has http://localhost:8080, which is not https" in problems
    assert "IEX_ALLOWED_ORIGINS has http://127.0.0.1:8080, which is not https" in problems
    assert "IEX_RASA_URL is http://localhost:5005, which is not https" in problems
    assert "IEX_MAIL_SINK is on" in problems
    assert len(unsafe_settings(Settings())) == 10


@pytest.mark.parametrize("change, problem", [
    ({"allowed_origins": ("*",)}, "IEX_ALLOWED_ORIGINS allows every origin (*)"),
    ({"allowed_origins": ("http://www.iex.dk",)}, "IEX_ALLOWED_ORIGINS has http://www.iex.dk"),
    # Sanic-CORS would read these as patterns that match other sites too.
    ({"allowed_origins": ("https://*",)}, "IEX_ALLOWED_ORIGINS has https://*, which is not one"),
    ({"allowed_origins": ("https://.*\\.iex\\.dk",)}, "IEX_ALLOWED_ORIGINS has https://.*"),
    ({"allowed_origins": ("https://www.iex.dk/chat",)}, "IEX_ALLOWED_ORIGINS has https://www.iex.dk/chat,"),
    ({"rasa_url": "http://chat.iex.dk"}, "IEX_RASA_URL is http://chat.iex.dk"),
    ({"action_secret": "short"}, "IEX_ACTION_SECRET is shorter than 32 characters"),
    ({"inbox_secret_key": "short"}, "IEX_INBOX_SECRET_KEY is shorter than 32 characters"),
    ({"inbox_secret_key": ""}, "IEX_INBOX_SECRET_KEY is not set"),
    ({"inbox_secure_cookies": False}, "IEX_INBOX_SECURE_COOKIES is off"),
    # The password and every customer e-mail would cross the network in clear.
    ({"smtp_username": "support@iex.dk", "smtp_password": "p"},
     "IEX_SMTP_USERNAME is set but IEX_SMTP_STARTTLS is off"),
])
def test_one_unsafe_setting_is_named(change, problem):
    problems = unsafe_settings(replace(production_ready(), **change))
    assert len(problems) == 1 and problems[0].startswith(problem)


def test_an_smtp_login_over_starttls_is_safe():
    settings = replace(
        production_ready(), smtp_starttls=True, smtp_username="support@iex.dk", smtp_password="p"
    )
    assert unsafe_settings(settings) == []


def test_private_assistants_send_to_their_sink_without_the_callers_smtp_login(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("IEX_SMTP_STARTTLS", "1")
    monkeypatch.setenv("IEX_SMTP_USERNAME", "support@iex.dk")
    monkeypatch.setenv("IEX_SMTP_PASSWORD", "the real password")
    for variable, value in service_environment(private_settings(tmp_path)).items():
        monkeypatch.setenv(variable, value)
    child = load_settings()  # what every service of the private assistant reads
    assert child.mail_sink
    assert (child.smtp_starttls, child.smtp_username, child.smtp_password) == (False, "", "")


def test_production_refuses_to_start_and_names_every_problem():
    settings = replace(production_ready(), action_secret="dev-action-secret", rasa_url="http://x")
    with pytest.raises(SystemExit) as refusal:
        refuse_unsafe_production("web app", settings)
    message = str(refusal.value.code)
    assert message.startswith("web app: refusing to start in production")
    assert "IEX_ACTION_SECRET is the development default" in message
    assert "IEX_RASA_URL is http://x, which is not https" in message


def test_development_starts_with_one_warning_listing_the_defaults():
    settings = Settings()
    assert refuse_unsafe_production("web app", settings) == settings
    warning = development_warning(settings)
    assert warning.startswith("WARNING: development settings")
    assert all(problem in warning for problem in unsafe_settings(settings))
    assert development_warning(replace(production_ready(), environment="development")) == ""


def test_an_unknown_environment_is_refused():
    with pytest.raises(SystemExit) as refusal:
        refuse_unsafe_production("supervisor", replace(Settings(), environment="prod"))
    assert "IEX_ENV is 'prod'; use development or production" in str(refusal.value.code)


def test_the_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("IEX_ENV", "production")
    monkeypatch.setenv("IEX_ALLOWED_ORIGINS", "https://www.iex.dk, https://support.iex.dk,")
    monkeypatch.setenv("IEX_ACTION_SECRET", "s3cret")
    monkeypatch.setenv("IEX_RASA_HOST", "0.0.0.0")
    monkeypatch.setenv("IEX_WEB_PORT", "9000")
    settings = load_settings()
    assert settings.environment == "production"
    assert settings.site_origins == ("https://www.iex.dk", "https://support.iex.dk")
    assert settings.action_secret == "s3cret"
    assert settings.rasa_host == "0.0.0.0"


def test_by_default_only_the_web_apps_own_pages_may_call_rasa_and_nothing_is_exposed(monkeypatch):
    for variable in ("IEX_ALLOWED_ORIGINS", "IEX_WEB_HOST", "IEX_RASA_HOST", "IEX_ENV"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("IEX_WEB_PORT", "9000")
    settings = load_settings()
    assert settings.site_origins == ("http://localhost:9000", "http://127.0.0.1:9000")
    assert (settings.host, settings.rasa_host) == ("127.0.0.1", "127.0.0.1")
    assert settings.environment == "development"
