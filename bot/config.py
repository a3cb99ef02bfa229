"""Settings of the bot web app and of the process supervisor, read from the environment here.

Every setting has a default that works on a fresh clone (``make run``); the README lists them.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Characters by which Sanic-CORS (Rasa's --cors) takes an allowed origin for a regular expression.
_REGEX_CHARACTERS = ("*", "\\", "]", "?")


@dataclass(frozen=True)
class Settings:
    """Everything the web app and the supervisor need to know about their surroundings."""

    #: Interface the web app listens on; 0.0.0.0 exposes it (behind a reverse proxy).
    host: str = "127.0.0.1"
    port: int = 8080
    rasa_port: int = 5005
    action_port: int = 5055
    #: Where browsers reach the Rasa server (REST and Socket.IO channels).
    rasa_url: str = "http://localhost:5005"
    #: Token that protects the Rasa server's HTTP API (the chat channels stay open).
    rasa_auth_token: str = "dev-rasa-token"
    #: Folder with runtime state (SQLite databases, outbox, logs); git-ignored.
    state_dir: Path = PROJECT_ROOT / "var"
    #: Folder with the trained models; the newest one is served.
    models_dir: Path = PROJECT_ROOT / "models"
    #: Help articles shown under /help.
    articles_dir: Path = PROJECT_ROOT / "data" / "articles"
    #: Bearer token that protects the ticket API.
    ticket_api_token: str = "dev-ticket-token"
    #: Longest customer message the chat accepts, in characters.
    max_message_length: int = 5000
    #: Key that signs the support inbox's cookies; empty: one is generated in state_dir.
    inbox_secret_key: str = ""
    #: Time zone in which the inbox shows times and counts days.
    inbox_timezone: str = "Europe/Copenhagen"
    #: How long a support-inbox login lasts, in hours.
    inbox_session_hours: float = 12.0
    #: Failed logins allowed per user name from one address within the window below (four times
    #: as many per address and per user name); after them each attempt waits 1, 2, 4 ... seconds.
    inbox_login_attempts: int = 5
    #: The window, in seconds, in which failed logins are counted.
    inbox_login_window_seconds: int = 900
    #: The longest wait, in seconds, between login attempts after too many failures.
    inbox_login_max_delay_seconds: int = 300
    #: Mark the inbox cookies Secure (send them over https only); set it behind https.
    inbox_secure_cookies: bool = False
    #: Key that signs the conversation ids the chat channel issues; set a long random one in
    #: production (the default is for development only).
    conversation_secret: str = "dev-conversation-secret"
    #: development or production; production refuses to start with unsafe settings.
    environment: str = "development"
    #: Interface the Rasa server (its chat channel) listens on; 0.0.0.0 exposes it.
    rasa_host: str = "127.0.0.1"
    #: Secret Rasa sends the action server with every call; the action server refuses others.
    action_secret: str = "dev-action-secret"
    #: Origins of the pages whose browsers may call Rasa (CORS); empty: the web app's own.
    allowed_origins: tuple[str, ...] = ()
    #: Reverse proxies in front of the web app that append to X-Forwarded-For; the visitor's
    #: address (for the login waits) is read from there. 0: the connection's own address.
    web_proxies_count: int = 0
    #: The ticket outbox (IEX_OUTBOX_DB, as actions/config.py reads it); None: in state_dir.
    outbox_path: Path | None = None
    #: A PostgreSQL database (IEX_DATABASE_URL, as actions/config.py reads it) that holds the
    #: stores every web app and worker process shares (tickets, outboxes, feedback, staff) beside
    #: Rasa's tracker store (endpoints-scaled.yml); empty: SQLite files in state_dir.
    database_url: str = ""
    #: Largest request body the chat channel reads, in bytes; larger ones are refused unread.
    max_request_bytes: int = 65536
    #: Largest request body the web app reads, in bytes; larger ones are refused unread (413).
    #: The ticket API needs the most: a ticket's transcript may hold 500 turns of 10,000
    #: characters (tickets/ticket.schema.json); the inbox's forms and the widget's feedback are
    #: far smaller.
    max_web_request_bytes: int = 8 * 1024 * 1024
    #: Where the chat's rate-limit counts live: memory:// (per process) or e.g. redis://host:6379.
    rate_limit_storage: str = "memory://"
    #: Messages one conversation may send, and all conversations of one client address.
    message_rate_per_conversation: str = "30/minute"
    message_rate_per_address: str = "300/minute"
    #: New conversation ids one client address may get, so fresh ids cannot dodge the limits.
    conversation_rate_per_address: str = "60/minute"
    #: Addresses of reverse proxies whose X-Forwarded-For names the client; empty: trust none.
    trusted_proxies: tuple[str, ...] = ()
    #: The SMTP server that sends customer e-mails (confirmations, agents' replies); by default
    #: the development mail sink on this machine.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    #: Upgrade the SMTP connection with STARTTLS before anything is sent.
    smtp_starttls: bool = False
    #: Log in to the SMTP server with these when a user name is set.
    smtp_username: str = ""
    smtp_password: str = ""
    #: Timeout in seconds for every step of an SMTP session.
    smtp_timeout_seconds: float = 10.0
    #: Who customer e-mails come from.
    mail_from: str = "IEX Support <support@iex.dk>"
    #: Run the development mail sink on smtp_host:smtp_port, keeping every message it receives
    #: in state_dir/mail for the inbox's Mail page; on while no IEX_SMTP_HOST is set.
    mail_sink: bool = True
    #: The assistant's domain; the inbox reads its session_expiration_time (when a conversation
    #: that ended on nothing counts as abandoned).
    domain_file: Path = PROJECT_ROOT / "domain.yml"
    #: Tickets from one address with the same description at most this many minutes apart are
    #: flagged as likely duplicates in the inbox.
    duplicate_window_minutes: float = 10.0
    #: The analytics page's colours for the deflection rate: below the first share it is poor
    #: (red), from the second on good (green), fair (amber) between.
    deflection_rate_thresholds: tuple[float, float] = (0.3, 0.6)
    #: The same for the fallback rate, where lower is better: good up to the first share, poor
    #: above the second.
    fallback_rate_thresholds: tuple[float, float] = (0.05, 0.15)
    #: Scaled mode (make run-scaled): the project's own PostgreSQL and Redis, data in state_dir.
    postgres_port: int = 55432
    postgres_database: str = "iex"
    postgres_user: str = "iex"
    postgres_password: str = "dev-postgres-password"
    redis_port: int = 56379
    #: Run the scaled mode: the stores above instead of SQLite, several workers per server.
    scaled: bool = False
    #: Workers in the scaled mode (two cores: each Rasa worker loads the model, ~1 GB).
    rasa_workers: int = 2
    action_workers: int = 2
    web_workers: int = 2

    @property
    def local_redis_url(self) -> str:
        """The scaled mode's rate-limit counts: database 2 of its own Redis (the lock store
        keeps database 1, endpoints-scaled.yml)."""
        return f"redis://127.0.0.1:{self.redis_port}/2"

    @property
    def local_postgres_url(self) -> str:
        """The scaled mode's own PostgreSQL, which the supervisor gives every child as
        IEX_DATABASE_URL."""
        return (
            f"postgresql://{self.postgres_user}:{self.postgres_password}"
            f"@127.0.0.1:{self.postgres_port}/{self.postgres_database}"
        )

    @property
    def tracker_db(self) -> Path:
        return self.state_dir / "tracker.db"

    @property
    def ticket_db(self) -> Path:
        return self.state_dir / "tickets.db"

    @property
    def staff_db(self) -> Path:
        return self.state_dir / "staff.db"

    @property
    def feedback_db(self) -> Path:
        """What customers told the chat widget: article feedback and conversation ratings."""
        return self.state_dir / "feedback.db"

    @property
    def tracker_location(self) -> str | Path:
        """Where Rasa keeps the conversations: the PostgreSQL database if one is set (Rasa's
        tracker store in endpoints-scaled.yml), else its SQLite file."""
        return self.database_url or self.tracker_db

    @property
    def ticket_location(self) -> str | Path:
        """Where the ticket store is: the PostgreSQL database if one is set, else its file."""
        return self.database_url or self.ticket_db

    @property
    def staff_location(self) -> str | Path:
        """Where the inbox's staff accounts and sessions are: the database, else their file."""
        return self.database_url or self.staff_db

    @property
    def feedback_location(self) -> str | Path:
        """Where the widget's feedback is: the PostgreSQL database if one is set, else its file."""
        return self.database_url or self.feedback_db

    @property
    def site_origins(self) -> tuple[str, ...]:
        """The origins Rasa accepts browser calls from (the web app's own unless configured)."""
        return self.allowed_origins or (
            f"http://localhost:{self.port}", f"http://127.0.0.1:{self.port}",
        )

    def allows_origin(self, origin: str) -> bool:
        """Whether pages of this origin may call Rasa, and read the widget's endpoints.

        Read as Rasa's --cors (Sanic-CORS) reads site_origins, so both agree: "*" allows any, a
        value with * \\ ] or ? is a regular expression, any other is the origin itself; case does
        not matter. Unlike Sanic-CORS, an expression must match the whole origin, not its start.
        """
        for allowed in self.site_origins:
            if allowed == "*":
                return True
            if any(character in allowed for character in _REGEX_CHARACTERS):
                if re.fullmatch(allowed, origin, flags=re.IGNORECASE):
                    return True
            elif origin.lower() == allowed.lower():
                return True
        return False

    @property
    def mail_outbox_db(self) -> Path:
        """The mail outbox the action server and the inbox write and the mail worker sends from."""
        return self.state_dir / "mail_outbox.db"

    @property
    def mail_outbox_location(self) -> str | Path:
        """Where the mail outbox is: the PostgreSQL database if one is set, else its file."""
        return self.database_url or self.mail_outbox_db

    @property
    def mail_sink_dir(self) -> Path:
        """The Maildir in which the development mail sink keeps what it receives."""
        return self.state_dir / "mail"

    @property
    def outbox_db(self) -> Path:
        """The outbox the action server writes and the worker delivers from."""
        return self.outbox_path or self.state_dir / "outbox.db"

    @property
    def outbox_location(self) -> str | Path:
        """Where the ticket outbox is: the PostgreSQL database if one is set, else its file."""
        return self.database_url or self.outbox_db


def _shares(name: str, default: tuple[float, float]) -> tuple[float, float]:
    """Two shares such as "0.3,0.6" from the environment, lower first."""
    value = os.environ.get(name)
    if not value:
        return default
    low, high = sorted(float(part) for part in value.split(","))
    return low, high


def load_settings() -> Settings:
    """Read the settings from the environment, falling back to the defaults above."""
    defaults = Settings()
    rasa_port = int(os.environ.get("IEX_RASA_PORT", defaults.rasa_port))
    return Settings(
        host=os.environ.get("IEX_WEB_HOST", defaults.host),
        port=int(os.environ.get("IEX_WEB_PORT", defaults.port)),
        rasa_port=rasa_port,
        action_port=int(os.environ.get("IEX_ACTION_PORT", defaults.action_port)),
        rasa_url=os.environ.get("IEX_RASA_URL", f"http://localhost:{rasa_port}"),
        rasa_auth_token=os.environ.get("IEX_RASA_AUTH_TOKEN", defaults.rasa_auth_token),
        state_dir=Path(os.environ.get("IEX_STATE_DIR", defaults.state_dir)),
        models_dir=Path(os.environ.get("IEX_MODELS_DIR", defaults.models_dir)),
        articles_dir=Path(os.environ.get("IEX_ARTICLES_DIR", defaults.articles_dir)),
        ticket_api_token=os.environ.get("IEX_TICKET_API_TOKEN", defaults.ticket_api_token),
        max_message_length=int(
            os.environ.get("IEX_MAX_MESSAGE_LENGTH", defaults.max_message_length)
        ),
        inbox_secret_key=os.environ.get("IEX_INBOX_SECRET_KEY", defaults.inbox_secret_key),
        inbox_timezone=os.environ.get("IEX_INBOX_TIMEZONE", defaults.inbox_timezone),
        inbox_session_hours=float(
            os.environ.get("IEX_INBOX_SESSION_HOURS", defaults.inbox_session_hours)
        ),
        inbox_login_attempts=int(
            os.environ.get("IEX_INBOX_LOGIN_ATTEMPTS", defaults.inbox_login_attempts)
        ),
        inbox_login_window_seconds=int(
            os.environ.get("IEX_INBOX_LOGIN_WINDOW_SECONDS", defaults.inbox_login_window_seconds)
        ),
        inbox_login_max_delay_seconds=int(
            os.environ.get(
                "IEX_INBOX_LOGIN_MAX_DELAY_SECONDS", defaults.inbox_login_max_delay_seconds
            )
        ),
        inbox_secure_cookies=os.environ.get("IEX_INBOX_SECURE_COOKIES", "").lower()
        in ("1", "true", "yes"),
        conversation_secret=os.environ.get(
            "IEX_CONVERSATION_SECRET", defaults.conversation_secret
        ),
        environment=os.environ.get("IEX_ENV", defaults.environment),
        rasa_host=os.environ.get("IEX_RASA_HOST", defaults.rasa_host),
        action_secret=os.environ.get("IEX_ACTION_SECRET", defaults.action_secret),
        allowed_origins=tuple(
            origin.strip()
            for origin in os.environ.get("IEX_ALLOWED_ORIGINS", "").split(",")
            if origin.strip()
        ),
        web_proxies_count=int(os.environ.get("IEX_WEB_PROXIES_COUNT", defaults.web_proxies_count)),
        outbox_path=Path(os.environ["IEX_OUTBOX_DB"]) if os.environ.get("IEX_OUTBOX_DB") else None,
        database_url=os.environ.get("IEX_DATABASE_URL", defaults.database_url),
        max_request_bytes=int(os.environ.get("IEX_MAX_REQUEST_BYTES", defaults.max_request_bytes)),
        max_web_request_bytes=int(
            os.environ.get("IEX_MAX_WEB_REQUEST_BYTES", defaults.max_web_request_bytes)
        ),
        rate_limit_storage=os.environ.get("IEX_RATE_LIMIT_STORAGE", defaults.rate_limit_storage),
        message_rate_per_conversation=os.environ.get(
            "IEX_RATE_LIMIT_CONVERSATION", defaults.message_rate_per_conversation
        ),
        message_rate_per_address=os.environ.get(
            "IEX_RATE_LIMIT_ADDRESS", defaults.message_rate_per_address
        ),
        conversation_rate_per_address=os.environ.get(
            "IEX_RATE_LIMIT_NEW_CONVERSATIONS", defaults.conversation_rate_per_address
        ),
        trusted_proxies=tuple(
            address.strip()
            for address in os.environ.get("IEX_TRUSTED_PROXIES", "").split(",")
            if address.strip()
        ),
        smtp_host=os.environ.get("IEX_SMTP_HOST", defaults.smtp_host),
        smtp_port=int(os.environ.get("IEX_SMTP_PORT", defaults.smtp_port)),
        postgres_port=int(os.environ.get("IEX_POSTGRES_PORT", defaults.postgres_port)),
        redis_port=int(os.environ.get("IEX_REDIS_PORT", defaults.redis_port)),
        rasa_workers=int(os.environ.get("IEX_RASA_WORKERS", defaults.rasa_workers)),
        action_workers=int(os.environ.get("IEX_ACTION_WORKERS", defaults.action_workers)),
        web_workers=int(os.environ.get("IEX_WEB_WORKERS", defaults.web_workers)),
        smtp_starttls=_switch("IEX_SMTP_STARTTLS", defaults.smtp_starttls),
        smtp_username=os.environ.get("IEX_SMTP_USERNAME", defaults.smtp_username),
        smtp_password=os.environ.get("IEX_SMTP_PASSWORD", defaults.smtp_password),
        smtp_timeout_seconds=float(
            os.environ.get("IEX_SMTP_TIMEOUT", defaults.smtp_timeout_seconds)
        ),
        mail_from=os.environ.get("IEX_MAIL_FROM", defaults.mail_from),
        mail_sink=_switch("IEX_MAIL_SINK", not os.environ.get("IEX_SMTP_HOST")),
        domain_file=Path(os.environ.get("IEX_DOMAIN_FILE", defaults.domain_file)),
        duplicate_window_minutes=float(
            os.environ.get("IEX_DUPLICATE_WINDOW_MINUTES", defaults.duplicate_window_minutes)
        ),
        deflection_rate_thresholds=_shares(
            "IEX_DEFLECTION_RATE_THRESHOLDS", defaults.deflection_rate_thresholds
        ),
        fallback_rate_thresholds=_shares(
            "IEX_FALLBACK_RATE_THRESHOLDS", defaults.fallback_rate_thresholds
        ),
    )


def _switch(name: str, default: bool) -> bool:
    """An on/off variable: 1, true or yes is on, anything else set is off."""
    value = os.environ.get(name)
    return default if value is None else value.lower() in ("1", "true", "yes")
