"""The load: customers holding whole conversations, back to back or with think time.

Each customer is one asyncio task that opens a conversation as its client would, sends its
messages one after another (each waits for its answer), and starts the next conversation when
one ends. Only messages answered within the measured window count towards the throughput and
latencies; the request for a conversation id is not timed but its failure counts as an error.
"""
from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

from evaluation.bench.channels import Channel, ChannelError
from evaluation.bench.conversations import Conversation

#: Seconds between a customer's messages in the think-time measurement (uniform).
THINK_SECONDS = (2.0, 5.0)
#: After a failed message a customer waits this long and starts a new conversation.
PAUSE_AFTER_ERROR_SECONDS = 0.5


@dataclass
class Measured:
    """Latencies (ms) of the messages answered in a window, the failures, and its length."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def fail(self, error: Exception) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(f"{type(error).__name__}: {error}"[:300])


def new_session() -> aiohttp.ClientSession:
    """One client session for all customers, without a cap on connections."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))


async def _customer(session: aiohttp.ClientSession, channel: Channel,
                    build: Callable[[random.Random], Conversation], rng: random.Random,
                    think: tuple[float, float] | None, deadline: float, result: Measured) -> None:
    if think:  # customers arrive spread over a first think time, not all at once
        await asyncio.sleep(rng.uniform(0, think[1]))
    while time.monotonic() < deadline:
        try:
            conversation = await channel.open(session)
            for position, text in enumerate(build(rng)):
                if time.monotonic() >= deadline:
                    return
                started = time.monotonic()
                await channel.send(session, conversation, text, first=position == 0)
                if time.monotonic() <= deadline:
                    result.latencies_ms.append((time.monotonic() - started) * 1000)
                if think:
                    await asyncio.sleep(rng.uniform(*think))
        except (ChannelError, aiohttp.ClientError, asyncio.TimeoutError) as error:
            result.fail(error)
            await asyncio.sleep(PAUSE_AFTER_ERROR_SECONDS)


async def run_customers(channel: Channel, build: Callable[[random.Random], Conversation],
                        customers: int, seconds: float, seed: int,
                        think: tuple[float, float] | None = None) -> Measured:
    """``customers`` holding conversations for ``seconds``: closed loop, or with think time."""
    result = Measured()
    async with new_session() as session:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(
            _customer(session, channel, build, random.Random(seed * 1000 + number), think,
                      deadline, result)
            for number in range(customers)))
    result.seconds = seconds  # only messages answered before the deadline are counted
    return result


async def run_one_conversation(channel: Channel, messages: Conversation) -> Measured:
    """The latency (ms) of each answered message of one conversation, sent back to back, alone."""
    result = Measured()
    started_all = time.monotonic()
    async with new_session() as session:
        conversation = await channel.open(session)
        for position, text in enumerate(messages):
            started = time.monotonic()
            try:
                await channel.send(session, conversation, text, first=position == 0)
            except (ChannelError, aiohttp.ClientError, asyncio.TimeoutError) as error:
                result.fail(error)
                continue
            result.latencies_ms.append((time.monotonic() - started) * 1000)
    result.seconds = time.monotonic() - started_all
    return result
