"""The mail outbox: idempotent enqueue, backoff while the SMTP server is down, sent once."""

from __future__ import annotations

import threading
from email.message import EmailMessage

import pytest

from actions.helpdesk.base import DeliveryResult, Outcome
from actions.outbox import DELIVERED, FAILED, PENDING
from mail.outbox import CONFIRMATION, REPLY, CustomerMail, MailOutbox
from mail.smtp import longest_session_seconds


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


class ScriptedServer:
    """An SMTP stand-in: answers with the scripted outcomes, then delivers; keeps what it got."""

    def __init__(self, *outcomes: Outcome):
        self.outcomes = list(outcomes)
        self.received: list[EmailMessage] = []

    def __call__(self, message: EmailMessage) -> DeliveryResult:
        if self.outcomes:
            return DeliveryResult(self.outcomes.pop(0), error="421 try later")
        self.received.append(message)
        return DeliveryResult(Outcome.DELIVERED)


def mail(key: str = "confirmation:k1", kind: str = CONFIRMATION) -> CustomerMail:
    message = EmailMessage()
    message["From"] = "IEX Support <support@iex.dk>"
    message["To"] = "anna@webshop.dk"
    message["Subject"] = "Vi har modtaget din sag IEX-20261127-4T34"
    message.set_content("Hej Anna\n\nDin sag er modtaget. Venlig hilsen\n")
    return CustomerMail(key, "IEX-20261127-4T34", kind, message)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(store_location, clock) -> MailOutbox:
    return MailOutbox(store_location, clock=clock, retry_base=5, retry_cap=60)


def test_enqueueing_the_same_message_twice_stores_it_once(outbox):
    first = outbox.enqueue(mail())
    again = outbox.enqueue(mail())
    assert again.idempotency_key == first.idempotency_key
    assert [item.idempotency_key for item in outbox.items()] == ["confirmation:k1"]
    assert first.recipient == "anna@webshop.dk"
    assert first.subject == "Vi har modtaget din sag IEX-20261127-4T34"


def test_a_message_waits_while_the_server_is_down_and_goes_once_it_is_back(outbox, clock):
    outbox.enqueue(mail())
    server = ScriptedServer(Outcome.RETRYABLE, Outcome.RETRYABLE)

    outbox.deliver_due(server)
    [waiting] = outbox.items()
    assert (waiting.status, waiting.attempts, waiting.last_error) == (PENDING, 1, "421 try later")
    assert waiting.next_attempt_at == clock.now + 5
    assert outbox.deliver_due(server) == []  # not due yet: backing off

    clock.now += 5
    outbox.deliver_due(server)
    assert outbox.items()[0].next_attempt_at == clock.now + 10  # 5, 10, 20 ... seconds

    clock.now += 10
    outbox.deliver_due(server)
    clock.now += 100
    outbox.deliver_due(server)
    [sent] = outbox.items()
    assert (sent.status, sent.attempts, sent.delivered_at) == (DELIVERED, 3, clock.now - 100)
    assert [message["Subject"] for message in server.received] == [mail().message["Subject"]]


def test_a_server_that_is_down_ends_the_round_so_the_rest_wait(outbox):
    outbox.enqueue(mail("confirmation:k1"))
    outbox.enqueue(mail("reply:k2", REPLY))
    results = outbox.deliver_due(ScriptedServer(Outcome.RETRYABLE))
    assert len(results) == 1
    assert [item.attempts for item in outbox.items()] == [1, 0]


def test_a_message_refused_for_good_is_kept_as_failed_and_can_be_retried(outbox, clock):
    outbox.enqueue(mail())
    outbox.deliver_due(ScriptedServer(Outcome.PERMANENT))
    [failed] = outbox.items(FAILED)
    assert failed.last_error == "421 try later"
    assert outbox.counts() == {PENDING: 0, DELIVERED: 0, FAILED: 1}

    assert outbox.retry_failed() == 1
    server = ScriptedServer()
    outbox.deliver_due(server)
    assert outbox.counts()[DELIVERED] == 1
    assert len(server.received) == 1


def test_a_sent_message_is_not_sent_again(outbox):
    outbox.enqueue(mail())
    server = ScriptedServer()
    outbox.deliver_due(server)
    outbox.enqueue(mail())  # a replayed hand-off
    outbox.deliver_due(server)
    assert len(server.received) == 1


def test_a_sender_that_raises_loses_nothing(outbox):
    outbox.enqueue(mail())

    def broken(message):
        raise RuntimeError("bug")

    outbox.deliver_due(broken)
    [item] = outbox.items()
    assert (item.status, item.last_error) == (PENDING, "RuntimeError: bug")


def test_messages_of_one_ticket_are_listed_oldest_first(outbox, clock):
    outbox.enqueue(mail("confirmation:k1"))
    clock.now += 1
    outbox.enqueue(mail("reply:k2", REPLY))
    assert [item.kind for item in outbox.items(reference="IEX-20261127-4T34")] == [
        CONFIRMATION,
        REPLY,
    ]
    assert outbox.items(reference="IEX-20990101-XXXX") == []


def test_a_claim_outlasts_the_longest_smtp_session(tmp_path):
    # Else a second worker claims the message mid-session and sends it again.
    outbox = MailOutbox(tmp_path / "mail_outbox.db", smtp_timeout_seconds=30)
    assert outbox.lease_seconds > longest_session_seconds(30) >= 8 * 30


def test_a_stop_ends_the_round_after_the_message_being_sent(outbox):
    for number in range(3):
        outbox.enqueue(mail(f"reply:k{number}", REPLY))
    started, release = threading.Event(), threading.Event()

    def slow_server(message: EmailMessage) -> DeliveryResult:
        started.set()
        release.wait(5)
        return DeliveryResult(Outcome.DELIVERED)

    worker = outbox.start_background_worker(slow_server, interval=60)
    assert started.wait(5)
    stopper = threading.Thread(target=worker.stop, args=(5,))
    stopper.start()
    while not worker.stopping.is_set():
        pass  # stop() sets the flag before it waits
    release.set()
    stopper.join()
    assert not worker.alive
    assert [item.status for item in outbox.items()] == [DELIVERED, PENDING, PENDING]
