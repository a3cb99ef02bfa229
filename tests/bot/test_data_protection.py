"""Retention and data-protection requests on real stores: Rasa's tracker store, tickets, outbox;
as SQLite files and in one PostgreSQL database."""
from __future__ import annotations

import asyncio
import json
import mailbox
import os
import shutil
import stat
import subprocess
from email.message import EmailMessage
from pathlib import Path

import pytest

from actions.helpdesk import BotApiHelpdesk
from actions.outbox import DELIVERED, PENDING, Outbox
from bot.config import PROJECT_ROOT
from bot.data_protection import (
    CustomerData,
    Purge,
    Stores,
    customer_data,
    export_customer,
    forget_customer,
    helpdesk_copies,
    main,
    purge,
)
from bot.feedback import FeedbackStore
from bot.inbox.conversations import TrackerReader
from bot.ticket_store import TicketFilter, TicketStore
from mail.outbox import CustomerMail, MailOutbox
from storage.database import Database
from tests.actions.helpdesk.fakes import RecordingServer, example_ticket
from tests.bot.inbox_support import Conversation, moment, save_conversations, tracker_store

NOW = moment("2026-11-27T10:00:00Z")
OLD = "2026-08-01T10:00:00Z"  # 118 days before NOW
RECENT = "2026-11-25T10:00:00Z"  # 2 days before NOW
CUSTOMER = "kunde@webshop.dk"
OTHER = "anden@firma.dk"


def conversations() -> dict[str, Conversation]:
    return {
        # Ended long ago; gave the address in a message and the form's slot.
        "old-customer": Conversation(OLD)
        .customer("order 10023 is missing, write to Kunde@Webshop.dk", "report_problem")
        .slot("contact_email", CUSTOMER)
        .bot("Thanks, your ticket is IEX-20260801-0001."),
        # An old session and a recent one of the same sender.
        "returning": Conversation(OLD)
        .customer("stock is not updated", "report_problem").bot("Have a look at the log.")
        .new_session(RECENT)
        .customer("VAT differs in Dinero", "report_problem").bot("Here is an article."),
        # Recent, another customer; and one whose address merely contains the customer's.
        "other-customer": Conversation(RECENT)
        .customer(f"mail me at {OTHER}", "inform").slot("contact_email", OTHER),
        "look-alike": Conversation(RECENT)
        .customer("mail me at xkunde@webshop.dk.eu please", "inform"),
    }


def ticket(number: int, created_at: str, email: str, conversation_id: str) -> dict:
    """The example ticket, of this customer (its transcript gives their address)."""
    example = example_ticket()
    transcript = [{**line, "text": line["text"].replace(example["customer"]["email"], email)}
                  for line in example["transcript"]]
    return example_ticket(
        id=f"IEX-{created_at[:10].replace('-', '')}-{number:04d}",
        idempotency_key=f"iex-data-protection-{number:04d}",
        created_at=created_at,
        conversation_id=conversation_id,
        customer={"email": email, "name": None},
        transcript=transcript,
    )


OLD_TICKET = ticket(1, OLD, CUSTOMER, "old-customer")
RECENT_TICKET = ticket(2, RECENT, OTHER, "other-customer")
PENDING_TICKET = ticket(3, OLD, OTHER, "other-customer")
RECENT_CUSTOMER_TICKET = ticket(4, RECENT, CUSTOMER.upper(), "returning")


def write_customer_data(stores: Stores) -> None:
    """Customer data as the project's own stores and Rasa's SQLTrackerStore write it."""
    save_conversations(stores.tracker, conversations())
    tickets = TicketStore(stores.tickets)
    for stored in (OLD_TICKET, RECENT_TICKET, RECENT_CUSTOMER_TICKET):
        tickets.add(stored)
    tickets.add_note(OLD_TICKET["id"], "mette@iex.dk", "called Kunde, order 10023 resent")
    tickets.set_status(OLD_TICKET["id"], "closed", "mette@iex.dk")

    outbox = Outbox(stores.outbox, clock=lambda: moment(OLD))
    for queued, at in ((OLD_TICKET, OLD), (RECENT_TICKET, RECENT)):
        outbox.enqueue(queued, now=moment(at))
    with RecordingServer(idempotent=True) as api:
        delivered = outbox.deliver_due(BotApiHelpdesk(api.url, "token", timeout=5), now=NOW)
    assert len(delivered) == 2
    outbox.enqueue(PENDING_TICKET, now=moment(OLD))  # an outage since then: never delivered

    # Customer e-mails: sent long ago, one still waiting, and another customer's recent one.
    mails = MailOutbox(stores.mail_outbox)
    for key, to, at in (("old-confirmation", f"Kunde <{CUSTOMER}>", OLD),
                        ("old-unsent", CUSTOMER, OLD), ("other-reply", OTHER, RECENT)):
        mails.enqueue(CustomerMail(key, OLD_TICKET["id"], "confirmation", email_to(to)),
                      now=moment(at))
    with Database(stores.mail_outbox, "mail_outbox").transaction() as db:
        db.execute("UPDATE mail_outbox SET status = ? WHERE idempotency_key != 'old-unsent'",
                   (DELIVERED,))
    sink = mailbox.Maildir(stores.mail_sink_dir)
    for to, at in ((CUSTOMER, OLD), (OTHER, RECENT)):
        received = mailbox.MaildirMessage(email_to(to))
        received.set_date(moment(at))
        sink.add(received)
    feedback = FeedbackStore(stores.feedback)
    feedback.rate("old-customer", 2, "too slow, kunde@webshop.dk", "ticket")
    feedback.article_opened("other-customer", "orders-skipped")
    with Database(stores.feedback, "feedback").transaction() as db:
        db.execute("UPDATE conversation_ratings SET rated_at = ?", (OLD.replace("Z", "+00:00"),))


def file_stores(folder: Path) -> Stores:
    return Stores(folder / "tracker.db", folder / "tickets.db", folder / "outbox.db",
                  folder / "mail_outbox.db", folder / "mail", folder / "feedback.db")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A state folder of SQLite files with the customer data, copied for each test."""
    folder = tmp_path_factory.mktemp("data-protection")
    write_customer_data(file_stores(folder))
    return folder


def email_to(address: str) -> EmailMessage:
    message = EmailMessage()
    message["To"], message["Subject"] = address, "Your case IEX-20260801-0001"
    message.set_content("We have your case.")
    return message


@pytest.fixture
def state(template, tmp_path, database_url):
    """The state folder: the SQLite files (and the mail sink), or the sink alone beside the
    customer data written into the PostgreSQL database."""
    folder = tmp_path / "var"
    if not database_url:
        shutil.copytree(template, folder)
    else:
        folder.mkdir()
        write_customer_data(database_stores(database_url, folder))
    return folder


def database_stores(url: str, folder: Path) -> Stores:
    return Stores(url, url, url, url, folder / "mail", url)


@pytest.fixture
def stores(state, database_url) -> Stores:
    return database_stores(database_url, state) if database_url else file_stores(state)


def senders(stores: Stores) -> dict[str, int]:
    with Database(stores.tracker, "events").connect() as db:
        rows = db.execute("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id")
        return {sender_id: count for sender_id, count in rows}


def ticket_ids(stores: Stores) -> list[str]:
    return sorted(t["id"] for t in TicketStore(stores.tickets).search(TicketFilter(), None))


def outbox_references(stores: Stores) -> dict[str, str]:
    return {item.reference: item.status for item in Outbox(stores.outbox).items()}


def mail_keys(stores: Stores) -> list[str]:
    return sorted(item.idempotency_key for item in MailOutbox(stores.mail_outbox).items())


def sink_recipients(stores: Stores) -> list[str]:
    return sorted(message["To"] for message in mailbox.Maildir(stores.mail_sink_dir))


def rated_conversations(stores: Stores) -> list[str]:
    with Database(stores.feedback, "feedback").connect() as db:
        return sorted(row[0] for row in db.execute(
            "SELECT conversation_id FROM conversation_ratings UNION ALL"
            " SELECT conversation_id FROM article_feedback"))


# --- retention ----------------------------------------------------------------------------------


def test_purge_deletes_what_is_older_than_the_days_and_keeps_the_rest(stores):
    returning_before = senders(stores)["returning"]

    result = purge(stores, 30, now=NOW)

    assert result.sessions == 2 and result.senders == {"old-customer", "returning"}
    left = senders(stores)
    assert "old-customer" not in left
    assert 0 < left["returning"] < returning_before
    assert {"other-customer", "look-alike"} <= set(left)
    assert ticket_ids(stores) == sorted([RECENT_TICKET["id"], RECENT_CUSTOMER_TICKET["id"]])
    assert result.tickets == [OLD_TICKET["id"]]
    assert outbox_references(stores) == {
        RECENT_TICKET["id"]: DELIVERED, PENDING_TICKET["id"]: PENDING,
    }
    assert result.outbox_items == [OLD_TICKET["id"]]
    assert result.undelivered_kept == [PENDING_TICKET["id"]]
    # E-mails sent long ago go, one never sent stays; so do the sink's and the widget's old ones.
    assert mail_keys(stores) == ["old-unsent", "other-reply"]
    assert (result.mails, result.unsent_mails_kept) == (1, 1)
    assert sink_recipients(stores) == [OTHER] and result.sink_messages == 1
    assert rated_conversations(stores) == ["other-customer"] and result.feedback == 1
    assert "Kept 1 e-mail in the mail outbox: not sent yet" in result.report()


def test_after_a_purge_rasa_and_the_inbox_still_read_the_recent_session(stores):
    purge(stores, 30, now=NOW)

    inbox = {c.sender_id: c for c in TrackerReader(stores.tracker).conversations()}
    assert set(inbox) == {"returning", "other-customer", "look-alike"}
    assert inbox["returning"].headline == "VAT differs in Dinero"
    store = tracker_store(stores.tracker)
    tracker = asyncio.run(store.retrieve("returning"))
    store.engine.dispose()
    assert tracker.latest_message.text == "VAT differs in Dinero"


def test_purge_keeps_old_tickets_that_support_has_not_closed(stores, capsys):
    TicketStore(stores.tickets).set_status(OLD_TICKET["id"], "in_progress", "mette@iex.dk")

    assert main(["purge", "--days", "30"], stores) == 0

    assert OLD_TICKET["id"] in ticket_ids(stores)
    assert f"Kept 1 ({OLD_TICKET['id']}) in the ticket store: not closed yet" in (
        capsys.readouterr().out
    )


def test_purge_removes_a_tickets_notes_history_and_search_words_too(stores):
    TicketStore(stores.tickets).assign(OLD_TICKET["id"], "mette@iex.dk")

    purge(stores, 30, now=NOW)

    tickets = TicketStore(stores.tickets)
    assert tickets.notes(OLD_TICKET["id"]) == []
    assert tickets.history(OLD_TICKET["id"]) == []
    assert tickets.search(TicketFilter(text="resent")) == []
    with Database(stores.tickets, "tickets").connect() as db:
        assert db.execute("SELECT COUNT(*) FROM ticket_text").fetchone()[0] == 2


def test_a_dry_run_deletes_nothing_and_says_what_would_go(stores, capsys):
    before = (senders(stores), ticket_ids(stores), outbox_references(stores))

    assert main(["purge", "--days", "30", "--dry-run"], stores) == 0

    assert (senders(stores), ticket_ids(stores), outbox_references(stores)) == before
    report = capsys.readouterr().out
    assert report.startswith("Would delete what is older than")
    assert "conversations: 2 sessions of 2 senders" in report
    assert f"tickets: 1 ({OLD_TICKET['id']})" in report
    assert f"Kept 1 ({PENDING_TICKET['id']}) in the outbox: not delivered yet" in report


def test_purge_prints_what_it_deleted(stores, capsys):
    assert main(["purge", "--days", "3650"], stores) == 0

    assert capsys.readouterr().out.startswith("Deleted what is older than")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["purge"], "purge needs DAYS"),
        (["purge", "--days", "0"], "DAYS must be at least 1"),
        (["purge", "--days", "-5"], "DAYS must be at least 1"),
        (["purge", "--days", "ninety"], "DAYS must be a whole number of days"),
    ],
)
def test_purge_refuses_missing_or_too_few_days_and_deletes_nothing(stores, capsys, arguments,
                                                                   message):
    before = senders(stores)

    with pytest.raises(SystemExit) as exit_:
        main(arguments, stores)

    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert senders(stores) == before
    with pytest.raises(ValueError):
        purge(stores, 0, now=NOW)


# --- one customer -------------------------------------------------------------------------------


def test_export_writes_every_ticket_outbox_item_and_conversation_of_the_customer(stores, tmp_path):
    path = tmp_path / "export" / "kunde.json"

    export_customer(stores, "  KUNDE@webshop.dk ", path)

    exported = json.loads(path.read_text(encoding="utf-8"))
    assert exported["email"] == CUSTOMER
    assert sorted(entry["ticket"]["id"] for entry in exported["tickets"]) == sorted(
        [OLD_TICKET["id"], RECENT_CUSTOMER_TICKET["id"]]
    )
    old = next(e for e in exported["tickets"] if e["ticket"]["id"] == OLD_TICKET["id"])
    assert old["notes"][0]["text"] == "called Kunde, order 10023 resent"
    assert old["status_history"][0]["status"] == "closed"
    assert [item["reference"] for item in exported["outbox_items"]] == [OLD_TICKET["id"]]
    assert exported["outbox_items"][0]["ticket"]["customer"]["email"] == CUSTOMER
    # The conversation that gave the address, and the one that made a ticket of theirs.
    by_sender = {c["sender_id"]: c["events"] for c in exported["conversations"]}
    assert set(by_sender) == {"old-customer", "returning"}
    assert any(e.get("text", "").endswith("Kunde@Webshop.dk") for e in by_sender["old-customer"])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_an_address_that_only_contains_the_customers_is_not_theirs(stores):
    assert "look-alike" not in customer_data(stores, CUSTOMER).sender_ids
    assert customer_data(stores, "nobody@example.com").summary() == (
        "0 tickets, 0 outbox items, 0 conversations, 0 e-mails and 0 feedback answers"
        " of nobody@example.com"
    )


def test_forget_deletes_the_customer_everywhere_and_leaves_the_others(stores):
    found = forget_customer(stores, CUSTOMER)

    assert set(found.sender_ids) == {"old-customer", "returning"}
    assert set(senders(stores)) == {"other-customer", "look-alike"}
    assert ticket_ids(stores) == [RECENT_TICKET["id"]]
    assert set(outbox_references(stores)) == {RECENT_TICKET["id"], PENDING_TICKET["id"]}
    assert mail_keys(stores) == ["other-reply"]
    assert sink_recipients(stores) == [OTHER]
    assert rated_conversations(stores) == ["other-customer"]
    assert customer_data(stores, CUSTOMER).summary().startswith(
        "0 tickets, 0 outbox items, 0 conversations, 0 e-mails and 0 feedback answers")
    # Overwritten in SQLite files, not only unlinked, and gone from the search index's words too:
    # nothing can be read back from the disk.
    if isinstance(stores.tickets, Path):
        for path in (stores.tickets, stores.outbox, stores.mail_outbox, stores.feedback):
            assert b"kunde" not in path.read_bytes().lower(), path.name
        for said in (b"write to Kunde@Webshop.dk", b"VAT differs in Dinero", b"old-customer"):
            assert said not in stores.tracker.read_bytes()


def test_an_address_written_in_capitals_is_found_and_forgotten_on_either_database(stores):
    # Only a message names the customer, in capitals: no slot, no ticket leads to it.
    save_conversations(stores.tracker, {
        "capitals": Conversation(RECENT).customer("where is my order? KUNDE@WebShop.DK", "inform"),
    })

    assert "capitals" in customer_data(stores, CUSTOMER).sender_ids
    assert "capitals" in forget_customer(stores, CUSTOMER).sender_ids
    assert "capitals" not in senders(stores)


def test_forget_asks_first_and_deletes_nothing_unless_told_yes(stores, monkeypatch, capsys):
    before = senders(stores)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    assert main(["forget", "--email", CUSTOMER], stores) == 1

    assert senders(stores) == before
    assert "Nothing deleted." in capsys.readouterr().out
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert main(["forget", "--email", CUSTOMER], stores) == 0
    assert ("Deleted 2 tickets, 1 outbox item, 2 conversations, 3 e-mails and 1 feedback answer"
            in capsys.readouterr().out)
    assert "old-customer" not in senders(stores)


def test_an_invalid_address_gets_a_clear_answer(stores, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--email", "not-an-address"], stores)

    assert exit_.value.code == 2
    assert "not an e-mail address: 'not-an-address'" in capsys.readouterr().err


# --- the make targets ---------------------------------------------------------------------------


def make(state, database_url: str, *arguments: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "IEX_STATE_DIR": str(state), "IEX_OUTBOX_DB": "",
                   "IEX_DATABASE_URL": database_url}
    environment.pop("IEX_OUTBOX_DB")
    return subprocess.run(
        ["make", "--no-print-directory", *arguments], cwd=PROJECT_ROOT, env=environment,
        capture_output=True, text=True, timeout=120,
    )


def test_the_make_targets_purge_export_and_forget(state, database_url, stores, tmp_path):
    refused = make(state, database_url, "purge")
    assert refused.returncode != 0 and "purge needs DAYS" in refused.stderr

    dry = make(state, database_url, "purge", "DAYS=30", "DRY_RUN=1")
    assert dry.returncode == 0 and "Would delete" in dry.stdout

    out = tmp_path / "kunde.json"
    exported = make(state, database_url, "export-customer", f"EMAIL={CUSTOMER}", f"OUT={out}")
    assert exported.returncode == 0, exported.stderr
    assert len(json.loads(out.read_text())["tickets"]) == 2

    forgotten = make(state, database_url, "forget-customer", f"EMAIL={CUSTOMER}", "YES=1")
    assert forgotten.returncode == 0, forgotten.stderr
    assert "Deleted 2 tickets" in forgotten.stdout
    assert customer_data(stores, CUSTOMER).conversations == []


def test_forget_names_the_tickets_an_outside_helpdesk_also_holds():
    items = [
        {"reference": "IEX-1", "status": DELIVERED, "helpdesk": "zendesk", "remote_id": "4711"},
        {"reference": "IEX-2", "status": DELIVERED, "helpdesk": "bot_api", "remote_id": "IEX-2"},
        {"reference": "IEX-3", "status": PENDING, "helpdesk": None, "remote_id": None},
    ]

    found = CustomerData(CUSTOMER, outbox_items=items)

    assert helpdesk_copies(found) == ["IEX-1 (zendesk: 4711)"]


def test_a_long_purge_report_names_the_first_references_and_counts_the_rest():
    report = Purge(cutoff=NOW, dry_run=False, tickets=[f"IEX-{n}" for n in range(25)]).report()

    assert "tickets: 25 (IEX-0, IEX-1," in report and "IEX-19 and 5 more)" in report
