"""Sending one e-mail by SMTP (the standard library's smtplib), with the outcome classified as
the outbox acts on it."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from actions.helpdesk.base import DeliveryResult, Outcome
from bot.config import Settings


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def classify_error(error: Exception) -> DeliveryResult:
    """How a failed SMTP session ends: refused for good (5xx for the recipient or the content)
    is permanent; a refused login or sender is our configuration; anything else (no server, a
    timeout, a 4xx) is worth trying again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        permanent = bool(codes) and all(code >= 500 for code in codes)
        return DeliveryResult(
            Outcome.PERMANENT if permanent else Outcome.RETRYABLE, error=_describe(error)
        )
    if isinstance(error, (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused)):
        return DeliveryResult(Outcome.MISCONFIGURED, error=_describe(error))
    if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500:
        return DeliveryResult(Outcome.PERMANENT, error=_describe(error))
    return DeliveryResult(Outcome.RETRYABLE, error=_describe(error))


class SmtpSender:
    """Sends messages through the configured SMTP server, one session per message."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def __call__(self, message: EmailMessage) -> DeliveryResult:
        """Send the message; never raises for SMTP or network failures."""
        settings = self.settings
        try:
            with smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
            ) as server:
                if settings.smtp_starttls:
                    server.starttls(context=ssl.create_default_context())
                if settings.smtp_username:
                    server.login(settings.smtp_username, settings.smtp_password)
                server.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            return classify_error(error)
        return DeliveryResult(Outcome.DELIVERED)
