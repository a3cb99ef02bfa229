"""Rasa's Redis lock store with every change of a lock made atomically.

Rasa 3.6's ``RedisLockStore`` changes a conversation's lock by reading it, changing it in Python
and writing it back. Two Rasa workers that take a message of the same conversation at the same
moment can both read the lock without the other's ticket, both be given the first ticket and
both handle their message at once; the tracker store then keeps the events of one and drops the
other's message (seen in the scaled-mode test under load). Here each change (issue a ticket,
drop expired ones, finish one and delete the lock when nobody waits) runs in a Redis
transaction on the lock's key (WATCH, then MULTI/EXEC) and is done again if another worker
changed the lock in between. ``endpoints-scaled.yml`` names this class as the lock store.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

Result = TypeVar("Result")
#: A change of a stored lock (None: there is none): the lock to store (None: delete it) and what
#: the change gives back.
Change = Callable[[TicketLock | None], tuple[TicketLock | None, Result]]


class AtomicRedisLockStore(RedisLockStore):
    """A Redis lock store whose tickets two workers can never both hold."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        """Made by Rasa from the ``lock_store`` section of the endpoints file, as ``redis``."""
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _change(self, conversation_id: str, change: Change[Result]) -> Result:
        """Apply ``change`` to the stored lock in one transaction, again if another worker
        changed the lock meanwhile; what the change gives back."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as transaction:
            while True:
                try:
                    transaction.watch(key)
                    stored = transaction.get(key)
                    lock = TicketLock.from_dict(json.loads(stored)) if stored else None
                    changed, result = change(lock)
                    transaction.multi()
                    if changed is None:
                        transaction.delete(key)
                    else:
                        transaction.set(key, changed.dumps())
                    transaction.execute()
                    return result
                except redis.WatchError:
                    continue

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A new ticket for the conversation's lock (made if missing), in one transaction."""

        def issue(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        """Drop the lock's expired tickets, in one transaction."""

        def drop_expired(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Finish the ticket and delete the lock if nobody else waits, in one transaction."""

        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish)

