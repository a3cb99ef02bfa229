"""E-mails to the customer: composed in the ticket's language, kept in a durable outbox, sent by
SMTP (by default to the development mail sink, whose messages the inbox shows)."""
