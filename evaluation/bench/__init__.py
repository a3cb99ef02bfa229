"""`make bench`: whole customer conversations under load, against Rasa's starter bot, side by side.

One module per responsibility: ``conversations`` (what customers say), ``channels`` (how a
customer's client talks to each bot), ``load`` (closed loop, think time, one long
conversation), ``processes`` (CPU and memory of every server process), ``modes`` (which
servers a mode starts), ``starter`` (Rasa's starter bot, trained once per Rasa version),
``statistics`` (percentiles, ratios and the done-when verdicts) and ``report`` (JSON, chart,
printed table). ``python -m evaluation.bench`` runs it.
"""
