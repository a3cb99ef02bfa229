"""The support inbox: handed-off tickets, every conversation, and how much the assistant deflects.

``create_blueprint(settings)`` serves it under /inbox; ``python -m bot.staff`` manages the staff
accounts that may log in.
"""
from __future__ import annotations

from bot.inbox.views import create_blueprint

__all__ = ["create_blueprint"]
