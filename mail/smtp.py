"""Sending one e-mail by SMTP (the standard library's smtplib), with the outcome classified as
the outbox acts on it."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from actions.helpdesk.base import DeliveryResult, Outcome
from bot.config import Settings

#: Replies one session waits for at most, each up to the timeout: the greeting, EHLO, STARTTLS,
#: its TLS handshake, EHLO again, two for AUTH, MAIL, RCPT, DATA, the message and QUIT.
SESSION_REPLIES = 12


def longest_session_seconds(timeout_seconds: float) -> float:
    """The longest one SMTP session can take with this timeout per reply."""
    return SESSION_REPLIES * timeout_seconds


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def classify_error(error: Exception) -> DeliveryResult:
    """How a failed SMTP session ends for the message it was about.

    Only a 5xx for this message's recipient or content is permanent: the next message may go
    through. A 5xx anywhere else (at connect, to EHLO, STARTTLS, AUTH or our sender address) says
    the server refuses us, not the message, so it is our configuration: the round ends and every
    message waits, as for anything else (no server, a timeout, a 4xx), which is worth trying again.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        permanent = bool(codes) and all(code >= 500 for code in codes)
        return DeliveryResult(
            Outcome.PERMANENT if permanent else Outcome.RETRYABLE, error=_describe(error)
        )
    if isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500:
        return DeliveryResult(Outcome.PERMANENT, error=_describe(error))
    if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500:
        return DeliveryResult(Outcome.MISCONFIGURED, error=_describe(error))
    if isinstance(error, smtplib.SMTPNotSupportedError):  # no STARTTLS or AUTH on offer
        return DeliveryResult(Outcome.MISCONFIGURED, error=_describe(error))
    return DeliveryResult(Outcome.RETRYABLE, error=_describe(error))


def _end_session(server: smtplib.SMTP) -> None:
    """Say QUIT; the message's fate is decided already, so a bad answer or none is ignored."""
    try:
        server.quit()
    except (OSError, smtplib.SMTPException):
        server.close()


class SmtpSender:
    """Sends messages through the configured SMTP server, one session per message."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def __call__(self, message: EmailMessage) -> DeliveryResult:
        """Send the message; never raises for SMTP or network failures.

        Delivered as soon as the server has taken the message: an error after that (to QUIT)
        must not send it again.
        """
        settings = self.settings
        try:
            server = smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
            )
        except (OSError, smtplib.SMTPException) as error:
            return classify_error(error)
        try:
            if settings.smtp_starttls:
                server.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                server.login(settings.smtp_username, settings.smtp_password)
            server.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            return classify_error(error)
        finally:
            _end_session(server)
        return DeliveryResult(Outcome.DELIVERED)
