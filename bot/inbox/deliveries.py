"""The inbox's view of ticket delivery: the tickets the helpdesk refused (the dead letters) with
a retry button. It reads and changes the outbox the worker delivers from (settings.outbox_location);
the banner on every inbox page (inbox_base.html) shows the same outbox's ``status()``.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import quote

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from actions.outbox import FAILED, Outbox

logger = logging.getLogger(__name__)


def add_routes(
    blueprint: Blueprint, outbox: Outbox, page: Callable[..., HTTPResponse],
    staff_only: Callable,
) -> None:
    """Serve /inbox/deliveries and its retry forms on the inbox blueprint (staff only, CSRF)."""

    @blueprint.get("/deliveries")
    @staff_only
    async def delivery_page(request: Request) -> HTTPResponse:
        return page(
            "deliveries", request, failed=outbox.items(FAILED),
            retried=request.args.get("retried"), count=request.args.get("count"),
        )

    @blueprint.post("/deliveries/retry")
    @staff_only
    async def retry_all(request: Request) -> HTTPResponse:
        count = outbox.retry_failed()
        logger.info("%d failed ticket(s) queued again by %s", count, request.ctx.staff.username)
        return response.redirect(f"/inbox/deliveries?retried=all&count={count}", status=303)

    @blueprint.post("/deliveries/<reference:str>/retry")
    @staff_only
    async def retry_one(request: Request, reference: str) -> HTTPResponse:
        if not outbox.retry(reference):
            return page(
                "error", request, status=404, title="No such failed ticket",
                message=f"There is no failed ticket {reference}: it may have been sent already.",
            )
        logger.info("ticket %s queued again by %s", reference, request.ctx.staff.username)
        return response.redirect(f"/inbox/deliveries?retried={quote(reference)}", status=303)
