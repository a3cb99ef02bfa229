"""The bot web app: chat page, help pages, ticket API and support inbox."""
