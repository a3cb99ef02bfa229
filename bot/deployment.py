"""What is unsafe about the current settings for the public website, checked at every start.

In production (``IEX_ENV=production``) every service refuses to start while anything on the list
is unsafe; in development ``make run`` starts with one warning that lists the defaults in use.
"""
from __future__ import annotations

import re
import sys
from urllib.parse import urlsplit

from bot.config import Settings, load_settings

ENVIRONMENTS = ("development", "production")
#: The secrets that have a development default: their Settings field and the variable that sets it.
SECRETS = {
    "rasa_auth_token": "IEX_RASA_AUTH_TOKEN",
    "ticket_api_token": "IEX_TICKET_API_TOKEN",
    "action_secret": "IEX_ACTION_SECRET",
    "conversation_secret": "IEX_CONVERSATION_SECRET",
}
#: Shortest secret production accepts (``secrets.token_urlsafe(32)`` gives 43 characters).
MIN_SECRET_LENGTH = 32
#: An origin as a browser sends it: https, a host name and perhaps a port, nothing else.
_EXACT_ORIGIN = re.compile(r"https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?")


def unsafe_settings(settings: Settings) -> list[str]:
    """Every setting that must not reach the public website as it is, one sentence each."""
    defaults = Settings()
    problems = []
    for field, variable in SECRETS.items():
        value = getattr(settings, field)
        if value == getattr(defaults, field):
            problems.append(f"{variable} is the development default {value!r}")
        elif len(value) < MIN_SECRET_LENGTH:
            problems.append(f"{variable} is shorter than {MIN_SECRET_LENGTH} characters")
    if not settings.inbox_secret_key:
        problems.append(
            "IEX_INBOX_SECRET_KEY is not set (the inbox signs its cookies with a key generated"
            " on this machine, which another instance or a new state folder does not share)"
        )
    elif len(settings.inbox_secret_key) < MIN_SECRET_LENGTH:
        problems.append(f"IEX_INBOX_SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters")
    if not settings.inbox_secure_cookies:
        problems.append("IEX_INBOX_SECURE_COOKIES is off (the inbox login would work over http)")
    for origin in settings.site_origins:
        if origin == "*":
            problems.append("IEX_ALLOWED_ORIGINS allows every origin (*)")
        elif urlsplit(origin).scheme != "https":
            problems.append(f"IEX_ALLOWED_ORIGINS has {origin}, which is not https")
        elif not _EXACT_ORIGIN.fullmatch(origin):
            # Sanic-CORS reads an origin with *, ?, \\ or ] as a regular expression.
            problems.append(
                f"IEX_ALLOWED_ORIGINS has {origin}, which is not one exact origin"
                " (https://host or https://host:port, no pattern, no path)"
            )
    if urlsplit(settings.rasa_url).scheme != "https":
        problems.append(f"IEX_RASA_URL is {settings.rasa_url}, which is not https")
    if settings.mail_sink:
        problems.append(
            "IEX_MAIL_SINK is on (customer e-mails would go to the development mail sink, not to"
            " customers: set IEX_SMTP_HOST)"
        )
    if settings.smtp_username and not settings.smtp_starttls:
        problems.append(
            "IEX_SMTP_USERNAME is set but IEX_SMTP_STARTTLS is off (the SMTP password and the"
            " customer e-mails would cross the network unencrypted)"
        )
    return problems


def refuse_unsafe_production(service: str, settings: Settings | None = None) -> Settings:
    """Exit with the list of problems if ``service`` would start unsafe in production."""
    settings = settings or load_settings()
    if settings.environment not in ENVIRONMENTS:
        sys.exit(f"{service}: IEX_ENV is {settings.environment!r}; use development or production.")
    problems = unsafe_settings(settings)
    if settings.environment == "production" and problems:
        sys.exit(
            f"{service}: refusing to start in production (IEX_ENV=production):\n"
            + "\n".join(f"  - {problem}" for problem in problems)
            + "\nSet these variables (README: Running in production) and start again."
        )
    return settings


def development_warning(settings: Settings) -> str:
    """The one warning a development start prints: the unsafe defaults in use ('' if none)."""
    problems = unsafe_settings(settings)
    if settings.environment != "development" or not problems:
        return ""
    return (
        "WARNING: development settings, not for the public website (IEX_ENV=production refuses"
        " them):\n" + "\n".join(f"  - {problem}" for problem in problems)
    )
