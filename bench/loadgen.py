"""Load generator for the REST channel (aiohttp): conversations of N turns,
a fresh sender for each conversation, K concurrent senders.

    python bench/loadgen.py URL --senders 20 --messages 1000
"""
from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Dict, List, Sequence

import aiohttp
import numpy as np

# Ten-turn conversations of the kind visitors have (any assistant can be sent these).
CONVERSATIONS: List[List[str]] = [
    [
        "hi", "what does a medical assistant do?", "how long is the training?", "how much do they make?",
        "and for CNAs?", "do CNAs work weekends?", "is it stressful?", "can a CNA become a nurse later?",
        "what certifications do medical assistants need?", "thanks, bye",
    ],
    [
        "hello", "what jobs are there in healthcare support?", "how do I become a phlebotomist?",
        "is phlebotomy in demand?", "what's the pay like?", "what about medical billing and coding?",
        "what certs do i need for billing and coding", "difference between an MA and a CNA", "can someone call me?",
        "goodbye",
    ],
    [
        "hey there", "is being a receptionist at a clinic a good job?", "what hours do they work?",
        "what skills do I need?", "how do people cope with the stress", "what about patient advocates?",
        "are you a bot?", "how do I get started", "what is a telehealth support specialist", "thank you",
    ],
]


@dataclass
class LoadResult:
    senders: int
    messages: int
    errors: int  # HTTP errors, timeouts, refused connections
    seconds: float
    latencies_ms: List[float] = field(default_factory=list)
    empty_replies: int = 0  # HTTP 200 with no bot message (stock bots do this)

    def summary(self) -> Dict[str, float]:
        lat = np.array(self.latencies_ms) if self.latencies_ms else np.array([float("nan")])
        return {
            "senders": self.senders,
            "messages": self.messages,
            "errors": self.errors,
            "empty_replies": self.empty_replies,
            "seconds": round(self.seconds, 2),
            "messages_per_s": round(self.messages / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(float(np.percentile(lat, 50)), 1),
            "p95_ms": round(float(np.percentile(lat, 95)), 1),
            "p99_ms": round(float(np.percentile(lat, 99)), 1),
        }


class EmptyReply(Exception):
    """HTTP 200, but the assistant sent nothing back."""


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> float:
    """One message; returns latency in ms, raises on an error or an empty reply."""
    start = time.perf_counter()
    async with session.post(url, json={"sender": sender, "message": text}) as response:
        body = await response.text()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {body[:200]}")
    latency = (time.perf_counter() - start) * 1000
    if not json.loads(body):
        raise EmptyReply(latency)
    return latency


async def run_load(
    url: str, senders: int, messages: int, conversations: Sequence[Sequence[str]] = CONVERSATIONS, timeout: float = 30
) -> LoadResult:
    """``messages`` in total, split over ``senders`` concurrent workers; each
    worker starts a fresh sender every conversation (10 turns)."""
    result = LoadResult(senders=senders, messages=0, errors=0, seconds=0.0)
    per_worker = max(1, messages // senders)
    connector = aiohttp.TCPConnector(limit=senders)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)) as session:

        async def worker(index: int) -> None:
            sent = 0
            conversation = index
            while sent < per_worker:
                turns = conversations[conversation % len(conversations)]
                sender = uuid.uuid4().hex
                for text in turns:
                    if sent >= per_worker:
                        break
                    try:
                        result.latencies_ms.append(await send(session, url, sender, text))
                    except EmptyReply as empty:
                        result.empty_replies += 1
                        result.latencies_ms.append(empty.args[0])
                    except Exception:  # noqa: BLE001 - any other failure counts as an error
                        result.errors += 1
                    sent += 1
                    result.messages += 1
                conversation += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(senders)))
        result.seconds = time.perf_counter() - start
    return result


async def long_conversation(url: str, turns: int = 100) -> List[float]:
    """Latency of every turn of one long conversation (one sender)."""
    script = [text for conversation in CONVERSATIONS for text in conversation]
    sender = uuid.uuid4().hex
    latencies = []
    async with aiohttp.ClientSession() as session:
        for turn in range(turns):
            latencies.append(await send(session, url, sender, script[turn % len(script)]))
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="e.g. http://localhost:5005/webhooks/rest/webhook")
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run_load(args.url, args.senders, args.messages)).summary(), indent=2))


if __name__ == "__main__":
    main()
