"""The scaled mode's lock store on a real Redis: tickets issued by several processes at once for
one conversation are all different, and a finished lock goes only when nobody waits."""
from __future__ import annotations

import multiprocessing
from dataclasses import replace

import pytest
from rasa.utils.endpoints import EndpointConfig

from bot import local_servers
from bot.lock_store import AtomicRedisLockStore
from bot.supervisor import private_settings, redis_server, wait_until_ready

#: Processes issuing tickets at the same moment, and tickets each.
PROCESSES, TICKETS = 4, 50


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    settings = replace(private_settings(tmp_path_factory.mktemp("redis")), scaled=True)
    local_servers.install_missing_packages()
    local_servers.prepare_redis(settings)
    server = redis_server(settings)
    server.start(log_file=settings.state_dir / "redis.log")
    try:
        wait_until_ready([server], timeout=30)
        yield settings.redis_port
    finally:
        server.stop()


def lock_store(port: int) -> AtomicRedisLockStore:
    """The store as Rasa makes it from endpoints-scaled.yml's lock_store section."""
    return AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=str(port), db=1))


def issue_tickets(port: int, conversation_id: str, start, tickets) -> None:
    store = lock_store(port)
    start.wait()
    for _ticket in range(TICKETS):
        tickets.put(store.issue_ticket(conversation_id, lock_lifetime=600))


def test_tickets_issued_by_several_processes_at_once_are_all_different(redis_port):
    context = multiprocessing.get_context("spawn")
    start, tickets = context.Event(), context.Queue()
    workers = [context.Process(target=issue_tickets, args=(redis_port, "busy", start, tickets))
               for _worker in range(PROCESSES)]
    for worker in workers:
        worker.start()
    start.set()
    issued = [tickets.get(timeout=60) for _ticket in range(PROCESSES * TICKETS)]
    for worker in workers:
        worker.join(timeout=60)

    assert sorted(issued) == list(range(PROCESSES * TICKETS))
    stored = lock_store(redis_port).get_lock("busy")
    assert len(stored.tickets) == PROCESSES * TICKETS


def test_a_lock_stays_while_someone_waits_and_goes_with_the_last_ticket(redis_port):
    store = lock_store(redis_port)
    first = store.issue_ticket("turns")
    second = store.issue_ticket("turns")
    assert store.get_lock("turns").is_locked(second)

    store.cleanup("turns", first)
    assert not store.get_lock("turns").is_locked(second)  # the next one's turn
    store.cleanup("turns", second)
    assert store.get_lock("turns") is None
