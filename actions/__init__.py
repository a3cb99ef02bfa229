"""Custom actions of the IEX Support Assistant, loaded by ``rasa run actions``."""
