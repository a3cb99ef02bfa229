"""The languages the assistant speaks, as ISO 639-1 codes, and the one it falls back to."""

LANGUAGES = ("en", "da")
DEFAULT_LANGUAGE = "en"
