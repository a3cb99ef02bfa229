"""The support inbox under /inbox: login, tickets, conversations, analytics, exports and mail.

Every page but the login form needs a staff session: a signed, HttpOnly, SameSite cookie that
names a server-side session. Every form that changes something carries the session's CSRF token.
The pages load no script at all, and their Content-Security-Policy (bot/security_headers.py)
forbids any.
"""
from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import wraps
from pathlib import Path
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from actions.articles import knowledge_base_for
from actions.outbox import Outbox
from bot.config import Settings
from bot.feedback import feedback_figures
from bot.inbox import customer_mail, deliveries, filters
from bot.inbox.analytics import Report, analytics, not_understood_page, ratings
from bot.inbox.article_figures import article_rows
from bot.inbox.auth import (
    login_form_cookie,
    login_form_expiry,
    login_rules,
    new_token,
    safe_next_path,
    same_token,
    secret_key,
    sign,
    unsign,
)
from bot.inbox.chart import daily_chart_svg
from bot.inbox.conversations import OUTCOMES, TrackerReader, session_expiry_seconds
from bot.inbox.exports import nlu_stub, ticket_json, tickets_csv, tickets_json
from bot.inbox.formatting import STATUS_LABELS, Formatting
from bot.inbox.labels import ArticleTitles, category_label
from bot.inbox.periods import day_after, day_start, parse_day, period_from
from bot.inbox.queue import QueueEntry, queue_entries
from bot.inbox.staff import StaffStore
from bot.request_values import MalformedInput
from bot.templating import render
from bot.ticket_store import NEWEST, OPEN, STATUSES, StoredTicket, TicketStore
from mail.outbox import MailOutbox
from support_core.language import LANGUAGE_NAMES

SESSION_COOKIE = "iex_inbox_session"
LOGIN_COOKIE = "iex_inbox_login"
LOGIN_FORM_SECONDS = 3600
MAX_NOTE_LENGTH = 5000
MAX_USERNAME_LENGTH = 200
MAX_PASSWORD_LENGTH = 1000
MAX_REFERENCE_LENGTH = 100
STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "inbox.css"

#: The navigation entry each page belongs to.
SECTIONS = {
    "tickets": "tickets", "ticket": "tickets", "conversations": "conversations",
    "conversation": "conversations", "analytics": "analytics", "deliveries": "deliveries",
    "mail": "mail",
}

Handler = Callable[..., Awaitable[HTTPResponse]]


def _arguments(request: Request) -> dict[str, str]:
    # Blank values count: "status=" (any status) is a choice, unlike no status at all (the queue).
    arguments = request.get_args(keep_blank_values=True)
    return {name: arguments.get(name) or "" for name in arguments}


def client_address(request: Request) -> str:
    """Who is asking: what trusted proxies forwarded (IEX_WEB_PROXIES_COUNT), else the peer."""
    return request.remote_addr or request.ip or "unknown"


def _attachment(body: str, filename: str, content_type: str) -> HTTPResponse:
    return response.text(
        body,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def create_blueprint(settings: Settings, clock: Callable[[], float] = time.time) -> Blueprint:
    """Build the support inbox on the ticket store, the staff store and Rasa's tracker store.

    ``clock`` tells the time (Unix seconds): what is due today, which sessions are still going.
    """
    blueprint = Blueprint("inbox", url_prefix="/inbox")
    tickets = TicketStore(settings.ticket_location)
    staff = StaffStore(settings.staff_location)
    tracker = TrackerReader(
        settings.tracker_location, session_expiry_seconds(settings.domain_file), clock
    )
    outbox = Outbox(settings.outbox_location)
    mail_outbox = MailOutbox(settings.mail_outbox_location)
    zone = ZoneInfo(settings.inbox_timezone)
    show = Formatting(zone, ArticleTitles(settings.articles_dir))
    duplicate_window = timedelta(minutes=settings.duplicate_window_minutes)
    key = secret_key(settings)
    session_seconds = int(settings.inbox_session_hours * 3600)
    rules = login_rules(settings)
    blueprint.ctx.tickets = tickets
    blueprint.ctx.staff = staff

    def today() -> datetime:
        return datetime.fromtimestamp(clock(), zone)

    def entries_of(stored: list[StoredTicket]) -> list[QueueEntry]:
        """The tickets with their due dates, customer counts and likely duplicates."""
        emails = {item.ticket["customer"]["email"] for item in stored}
        return queue_entries(
            stored, tickets.of_customers(emails), today().date(), duplicate_window
        )

    def staff_names() -> list[str]:
        return [account.username for account in staff.accounts() if account.active]

    def set_cookie(reply: HTTPResponse, name: str, value: str, max_age: int) -> None:
        reply.cookies[name] = value
        cookie = reply.cookies[name]
        cookie["path"] = "/inbox"
        cookie["httponly"] = True
        cookie["samesite"] = "Lax" if name == SESSION_COOKIE else "Strict"
        cookie["max-age"] = max_age
        cookie["secure"] = settings.inbox_secure_cookies

    def page(template: str, request: Request, status: int = 200, **context) -> HTTPResponse:
        session = getattr(request.ctx, "staff", None)
        return render(
            f"inbox_{template}.html", status=status, show=show, staff=session,
            csrf_token=session.csrf_token if session else "",
            section=SECTIONS.get(template, ""),
            delivery=outbox.status() if session else None, **context,
        )

    def staff_only(handler: Handler) -> Handler:
        """Let only logged-in staff in; a form that changes something must carry the CSRF token."""

        @wraps(handler)
        async def guarded(request: Request, *arguments, **keywords) -> HTTPResponse:
            session = staff.session(unsign(request.cookies.get(SESSION_COOKIE), key))
            if session is None:
                target = request.path + (f"?{request.query_string}" if request.query_string else "")
                if request.method != "GET":
                    target = "/inbox/tickets"
                return response.redirect(
                    f"/inbox/login?{urlencode({'next': target})}", status=303
                )
            request.ctx.staff = session
            if request.method == "POST":
                form_token = request.form.get("csrf_token") if request.form else None
                if not same_token(form_token, session.csrf_token):
                    return page(
                        "error", request, status=403, title="Form expired",
                        message="This form has expired or did not come from the inbox. "
                                "Go back, reload the page and try again.",
                    )
            return await handler(request, *arguments, **keywords)

        return guarded

    @blueprint.exception(MalformedInput)
    async def malformed(request: Request, error: MalformedInput) -> HTTPResponse:
        return page("error", request, status=400, title="Not a valid address",
                    message=f"This page cannot be shown: {error}.")

    # --- login and logout ----------------------------------------------------------------------

    def login_page(
        request: Request, status: int = 200, error: str = "", username: str = ""
    ) -> HTTPResponse:
        """The login form with a fresh single-use token (every answer to a login gets one)."""
        token = new_token()
        posted = request.form if request.method == "POST" and request.form else {}
        reply = page(
            "login", request, status=status, error=error, username=username, login_token=token,
            next_path=safe_next_path(posted.get("next") or request.args.get("next")),
        )
        set_cookie(reply, LOGIN_COOKIE, login_form_cookie(token, key), LOGIN_FORM_SECONDS)
        return reply

    @blueprint.get("/login")
    async def login_form(request: Request) -> HTTPResponse:
        if staff.session(unsign(request.cookies.get(SESSION_COOKIE), key)):
            return response.redirect(safe_next_path(request.args.get("next")), status=303)
        return login_page(request)

    @blueprint.post("/login")
    async def log_in(request: Request) -> HTTPResponse:
        form = request.form or {}
        username = (form.get("username") or "").strip()[:MAX_USERNAME_LENGTH]
        password = (form.get("password") or "")[:MAX_PASSWORD_LENGTH]
        presented = form.get("login_token")
        expires_at = login_form_expiry(
            request.cookies.get(LOGIN_COOKIE), presented, key, LOGIN_FORM_SECONDS, time.time()
        )
        if expires_at is None or not staff.use_login_form(presented, expires_at):
            return login_page(
                request, status=403, username=username,
                error="The login form had expired. Please log in again.",
            )
        client = client_address(request)
        wait = staff.count_attempt(username, client, rules, settings.inbox_login_window_seconds)
        if wait > 0:
            seconds = math.ceil(wait)
            reply = login_page(
                request, status=429, username=username,
                error=f"Too many failed logins. Try again in {seconds} "
                      f"second{'s' if seconds != 1 else ''}.",
            )
            reply.headers["Retry-After"] = str(seconds)
            return reply
        # Argon2 takes a moment on purpose; other requests are served meanwhile.
        valid = await asyncio.get_running_loop().run_in_executor(
            None, staff.authenticate, username, password
        )
        if not valid:
            return login_page(
                request, status=401, username=username, error="Wrong user name or password."
            )
        staff.forgive_failures(username, client)
        token, _session = staff.start_session(username, session_seconds)
        reply = response.redirect(safe_next_path(form.get("next")), status=303)
        set_cookie(reply, SESSION_COOKIE, sign(token, key), session_seconds)
        set_cookie(reply, LOGIN_COOKIE, "", 0)
        return reply

    @blueprint.post("/logout")
    @staff_only
    async def log_out(request: Request) -> HTTPResponse:
        staff.end_session(unsign(request.cookies.get(SESSION_COOKIE), key))
        reply = response.redirect("/inbox/login", status=303)
        set_cookie(reply, SESSION_COOKIE, "", 0)
        return reply

    @blueprint.get("/inbox.css")
    async def stylesheet(request: Request) -> HTTPResponse:
        return await response.file(
            STYLESHEET, mime_type="text/css; charset=utf-8",
            headers={"Cache-Control": "public, max-age=300"},
        )

    @blueprint.get("/")
    @staff_only
    async def start(request: Request) -> HTTPResponse:
        return response.redirect("/inbox/tickets", status=303)

    # --- tickets -------------------------------------------------------------------------------

    @blueprint.get("/tickets")
    @staff_only
    async def ticket_list(request: Request) -> HTTPResponse:
        form = filters.ticket_form(_arguments(request))
        ticket_filter = filters.ticket_filter(form, zone, request.ctx.staff.username)
        total = tickets.count_matching(ticket_filter)
        pages = filters.page_count(total)
        page_number = min(filters.page_number(request.args.get("page")), pages)
        found = tickets.entries(
            ticket_filter, filters.PAGE_SIZE, (page_number - 1) * filters.PAGE_SIZE,
            order=form["order"] or filters.RECEIVED,
        )
        return page(
            "tickets", request, entries=entries_of(found), total=total, form=form,
            page=page_number, pages=pages, statuses=STATUS_LABELS, open_status=OPEN,
            assignees=filters.ASSIGNEE_CHOICES, orders=filters.ORDER_CHOICES, newest_order=NEWEST,
            categories={category: category_label(category) for category in tickets.categories()},
            languages=LANGUAGE_NAMES, systems=tickets.systems(),
            query=filters.query_string(form), is_queue=form == filters.ticket_form(filters.QUEUE),
            page_query=lambda number: filters.query_string(form, page=number),
        )

    def ticket_page(
        request: Request, reference: str, status: int = 200, error: str = "", note: str = "",
        reply: str = "", reply_key: str = "", duplicate: str = "",
    ) -> HTTPResponse:
        stored = tickets.entry(reference)
        if stored is None:
            return page("error", request, status=404, title="No such ticket",
                        message=f"There is no ticket {reference}.")
        ticket = stored.ticket
        by_customer = tickets.of_customers({ticket["customer"]["email"]})
        (entry,) = queue_entries([stored], by_customer, today().date(), duplicate_window)
        others = [
            other for same_address in by_customer.values() for other in same_address
            if other["id"] != reference
        ]
        conversation = tracker.conversation_of_ticket(ticket["conversation_id"], reference)
        mails = customer_mail.customer_mails(tickets, mail_outbox, reference)
        return page(
            "ticket", request, status=status, ticket=ticket, entry=entry,
            statuses=STATUS_LABELS,
            history=customer_mail.ticket_history(tickets.history(reference), mails),
            notes=tickets.notes(reference), customer_tickets=others, staff_names=staff_names(),
            conversation=conversation, error=error, note=note, duplicate=duplicate,
            reply=reply, reply_key=reply_key or customer_mail.new_reply_key(),
            customer_mails=mails,
            saved=request.args.get("saved") if request.method == "GET" else None,
            ticket_json=ticket_json(ticket),
        )

    @blueprint.get("/tickets/<reference:str>")
    @staff_only
    async def ticket_detail(request: Request, reference: str) -> HTTPResponse:
        return ticket_page(request, reference)

    @blueprint.get("/tickets/<reference:str>/ticket.json")
    @staff_only
    async def ticket_download(request: Request, reference: str) -> HTTPResponse:
        ticket = tickets.get(reference)
        if ticket is None:
            return response.json({"error": f"no ticket {reference}"}, status=404)
        return _attachment(
            ticket_json(ticket), f"{reference}.json", "application/json; charset=utf-8"
        )

    @blueprint.post("/tickets/<reference:str>/status")
    @staff_only
    async def change_status(request: Request, reference: str) -> HTTPResponse:
        status = request.form.get("status")
        if status not in STATUSES:
            return ticket_page(request, reference, status=422, error="Choose a known status.")
        if tickets.set_status(reference, status, changed_by=request.ctx.staff.username) is None:
            return ticket_page(request, reference)
        return response.redirect(f"/inbox/tickets/{quote(reference)}?saved=status", status=303)

    @blueprint.post("/tickets/<reference:str>/notes")
    @staff_only
    async def add_note(request: Request, reference: str) -> HTTPResponse:
        text = (request.form.get("text") or "").strip()
        if not text or len(text) > MAX_NOTE_LENGTH:
            return ticket_page(
                request, reference, status=422, note=text[:MAX_NOTE_LENGTH],
                error=f"A note needs some text, at most {MAX_NOTE_LENGTH} characters.",
            )
        if tickets.add_note(reference, request.ctx.staff.username, text) is None:
            return ticket_page(request, reference)
        return response.redirect(f"/inbox/tickets/{quote(reference)}?saved=note", status=303)

    @blueprint.post("/tickets/<reference:str>/assignee")
    @staff_only
    async def change_assignee(request: Request, reference: str) -> HTTPResponse:
        assignee = (request.form.get("assignee") or "").strip()
        if assignee and assignee not in staff_names():
            return ticket_page(
                request, reference, status=422, error="Choose an active staff user."
            )
        if tickets.assign(
            reference, assignee or None, changed_by=request.ctx.staff.username
        ) is None:
            return ticket_page(request, reference)
        return response.redirect(
            f"/inbox/tickets/{quote(reference)}?saved=assignee", status=303
        )

    @blueprint.post("/tickets/<reference:str>/duplicate")
    @staff_only
    async def mark_duplicate(request: Request, reference: str) -> HTTPResponse:
        original = (request.form.get("original") or "").strip()[:MAX_REFERENCE_LENGTH]
        try:
            marked = tickets.mark_duplicate(
                reference, original or None, changed_by=request.ctx.staff.username
            )
        except ValueError as error:
            return ticket_page(
                request, reference, status=422, duplicate=original,
                error=f"Not marked as a duplicate: {error}.",
            )
        if marked is None:
            return ticket_page(request, reference)
        return response.redirect(
            f"/inbox/tickets/{quote(reference)}?saved=duplicate", status=303
        )

    # --- conversations -------------------------------------------------------------------------

    @blueprint.get("/conversations")
    @staff_only
    async def conversation_list(request: Request) -> HTTPResponse:
        form = filters.conversation_form(_arguments(request))
        everything = tracker.conversations(
            day_start(parse_day(form["from"]), zone), day_after(parse_day(form["to"]), zone)
        )
        counts = {outcome: 0 for outcome in OUTCOMES}
        for conversation in everything:
            counts[conversation.outcome] += 1
        chosen = [c for c in everything if not form["outcome"] or c.outcome == form["outcome"]]
        pages = filters.page_count(len(chosen))
        page_number = min(filters.page_number(request.args.get("page")), pages)
        start_at = (page_number - 1) * filters.PAGE_SIZE
        return page(
            "conversations", request, conversations=chosen[start_at:start_at + filters.PAGE_SIZE],
            total=len(chosen), counts=counts, outcomes=OUTCOMES, form=form, page=page_number,
            pages=pages, page_query=lambda number: filters.query_string(form, page=number),
            outcome_query=lambda outcome: filters.query_string(form, outcome=outcome),
        )

    @blueprint.get("/conversations/<conversation_id:int>")
    @staff_only
    async def conversation_detail(request: Request, conversation_id: int) -> HTTPResponse:
        conversation = tracker.conversation(conversation_id)
        if conversation is None:
            return page("error", request, status=404, title="No such conversation",
                        message="That conversation is not in the tracker store.")
        reference = conversation.ticket_reference
        ticket = tickets.get(reference) if reference else None
        return page("conversation", request, conversation=conversation, ticket=ticket)

    # --- analytics -----------------------------------------------------------------------------

    def report_for(request: Request) -> Report:
        """The analytics of the period in the query string (the last 30 days by default)."""
        period = period_from(
            request.args.get("from"), request.args.get("to"), zone, today().date()
        )
        return analytics(tracker.conversations(period.start, period.end), period)

    @blueprint.get("/analytics")
    @staff_only
    async def analytics_page(request: Request) -> HTTPResponse:
        report = report_for(request)
        period_query = urlencode(
            {"from": report.period.first.isoformat(), "to": report.period.last.isoformat()}
        )
        items = not_understood_page(
            report.not_understood, filters.page_number(request.args.get("page"))
        )
        feedback = feedback_figures(settings, report.period.start, report.period.end)
        articles, article_count = article_rows(
            report.articles, feedback.articles, knowledge_base_for(settings.articles_dir)
        )
        return page(
            "analytics", request, report=report, period_query=period_query,
            ratings=ratings(report, settings), not_understood=items, feedback=feedback,
            articles=articles, article_count=article_count,
            deflection_thresholds=settings.deflection_rate_thresholds,
            fallback_thresholds=settings.fallback_rate_thresholds,
            page_query=lambda number: f"{period_query}&page={number}#not-understood-section",
        )

    @blueprint.get("/analytics/chart.svg")
    @staff_only
    async def analytics_chart(request: Request) -> HTTPResponse:
        days = report_for(request).days
        svg = await asyncio.get_running_loop().run_in_executor(None, daily_chart_svg, days)
        return response.text(svg, content_type="image/svg+xml; charset=utf-8")

    # --- exports -------------------------------------------------------------------------------

    def exported_tickets(request: Request) -> list[dict]:
        form = filters.ticket_form(_arguments(request), queue_when_empty=False)
        return tickets.search(
            filters.ticket_filter(form, zone, request.ctx.staff.username), limit=None,
            order=form["order"] or NEWEST,
        )

    @blueprint.get("/export/tickets.csv")
    @staff_only
    async def export_csv(request: Request) -> HTTPResponse:
        stamp = today().strftime("%Y%m%d-%H%M")
        return _attachment(
            tickets_csv(exported_tickets(request)), f"iex-tickets-{stamp}.csv",
            "text/csv; charset=utf-8",
        )

    @blueprint.get("/export/tickets.json")
    @staff_only
    async def export_json(request: Request) -> HTTPResponse:
        stamp = today().strftime("%Y%m%d-%H%M")
        return _attachment(
            tickets_json(exported_tickets(request)), f"iex-tickets-{stamp}.json",
            "application/json; charset=utf-8",
        )

    @blueprint.get("/export/not-understood.yml")
    @staff_only
    async def export_not_understood(request: Request) -> HTTPResponse:
        report = report_for(request)
        name = f"not-understood-{report.period.first:%Y%m%d}-{report.period.last:%Y%m%d}.yml"
        return _attachment(
            nlu_stub(report.not_understood, report.period), name, "application/yaml; charset=utf-8"
        )

    deliveries.add_routes(blueprint, outbox, page, staff_only)
    customer_mail.add_routes(
        blueprint, settings, tickets, mail_outbox, page, ticket_page, staff_only
    )
    return blueprint
