"""Custom NLU components of the assistant, loaded by Rasa from config.yml."""
