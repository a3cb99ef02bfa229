"""What the benchmark's customers say: whole conversations with varied wording.

Ours follows the issue's measured conversation: an order problem, the articles declined, the
e-mail, the systems and orders, the log answer, the ticket sent, then two policy questions.
Quick-reply answers are sent as the widget sends them, as their payloads (``/deny``). The
starter bot's conversation is as long, in its own intents.
"""
from __future__ import annotations

import random
from collections.abc import Callable

#: A conversation: the messages one customer sends, in order.
Conversation = list[str]

ORDER_PROBLEMS = [
    "an order was not transferred to our accounting system",
    "our orders are not transferred to the accounting system",
    "an order from the webshop never arrived in our accounting system",
]
NAMES = ["anna", "bo", "carla", "dennis", "emma", "frederik", "gitte", "henrik"]
SHOPS = ["webshop.dk", "butikken.dk", "shop.example.com"]
SYSTEM_PAIRS = ["Shopify and e-conomic", "WooCommerce and Dinero", "Shopify and Uniconta"]
POLICY_QUESTIONS = [
    "how long does it take before support answers me?",
    "what is second line support",
    "how do I contact you?",
    "do you support the b2b plugin?",
]

STARTER_OPENINGS = ["hello", "hi", "hey there", "good morning"]
STARTER_MOODS_UNHAPPY = ["I am sad", "not good", "very unhappy", "I feel terrible"]
STARTER_AFFIRMS = ["yes", "indeed", "of course", "that sounds good"]
STARTER_DENIES = ["no", "never", "not really", "I don't think so"]
STARTER_MOODS_GREAT = ["great", "I am feeling very good", "amazing", "perfect"]
STARTER_BOT_QUESTIONS = ["are you a bot?", "am I talking to a bot?", "are you a human?"]
STARTER_GOODBYES = ["bye", "goodbye", "see you later", "have a nice day"]


def support_conversation(rng: random.Random) -> Conversation:
    """One whole support conversation that ends with a ticket sent and two policy questions."""
    first_order = rng.randint(10000, 99999)
    first_policy, second_policy = rng.sample(POLICY_QUESTIONS, 2)
    return [
        rng.choice(ORDER_PROBLEMS),
        "/deny",  # the articles did not help
        f"{rng.choice(NAMES)}@{rng.choice(SHOPS)}",
        rng.choice(SYSTEM_PAIRS),
        f"orders {first_order} and #{first_order + rng.randint(1, 50)}",
        "/deny",  # the log was not checked
        "/affirm",  # send the ticket
        first_policy,
        second_policy,
    ]


def starter_conversation(rng: random.Random) -> Conversation:
    """As many messages to Rasa's starter bot, through its own intents and stories."""
    return [
        rng.choice(STARTER_OPENINGS),
        rng.choice(STARTER_MOODS_UNHAPPY),
        rng.choice(STARTER_DENIES),  # the picture did not help
        rng.choice(STARTER_OPENINGS),
        rng.choice(STARTER_MOODS_UNHAPPY),
        rng.choice(STARTER_AFFIRMS),  # it helped
        rng.choice(STARTER_BOT_QUESTIONS),
        rng.choice(STARTER_MOODS_GREAT),
        rng.choice(STARTER_GOODBYES),
    ]


def long_conversation(build: Callable[[random.Random], Conversation], rng: random.Random,
                      length: int) -> Conversation:
    """One conversation of ``length`` messages: whole conversations one after another."""
    messages: Conversation = []
    while len(messages) < length:
        messages.extend(build(rng))
    return messages[:length]
