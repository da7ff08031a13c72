"""Load for ``make bench``: conversations over the REST channel, timed; process memory.

Every figure that is compared (ours against the bare-Rasa anchor, turn 200 against turn 1) is
measured interleaved, so that both sides see the same load of the shared machine.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from tqdm import tqdm

from bot.client import send

TURNS_PER_CONVERSATION = 10  # staff ask a few questions, then the conversation ends


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99), "mean": statistics.fmean(ordered)}


async def _conversation(session: aiohttp.ClientSession, url: str, questions: list[str], bar: tqdm) -> list[float]:
    latencies = []
    for i, text in enumerate(questions):
        if i % TURNS_PER_CONVERSATION == 0:
            sender = f"bench-{uuid.uuid4().hex[:8]}"
        start = time.perf_counter()
        await send(session, url, sender, text)
        latencies.append(1000 * (time.perf_counter() - start))
        bar.update(1)
    return latencies


async def _timed(
    url: str, questions: list[str], conversations: int, total: int, bar: tqdm
) -> tuple[list[float], float]:
    per = max(1, total // conversations)
    connector = aiohttp.TCPConnector(limit=conversations)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
        start = time.perf_counter()
        chunks = [[questions[(c * per + i) % len(questions)] for i in range(per)] for c in range(conversations)]
        results = await asyncio.gather(*(_conversation(session, url, chunk, bar) for chunk in chunks))
        wall = time.perf_counter() - start
    return [x for r in results for x in r], wall


def _summary(latencies: list[float], wall: float, conversations: int) -> dict[str, Any]:
    return {
        "conversations": conversations,
        "turns_per_conversation": TURNS_PER_CONVERSATION,
        "requests": len(latencies),
        "wall_s": wall,
        "throughput_per_s": len(latencies) / wall,
        "latency_ms": percentiles(latencies),
        "_raw": latencies,
    }


def load(url: str, questions: list[str], conversations: int, total: int, label: str) -> dict[str, Any]:
    """``total`` questions in ``conversations`` concurrent conversations of 10 turns each."""
    with tqdm(total=total, desc=label, unit="问") as bar:
        latencies, wall = asyncio.run(_timed(url, questions, conversations, total, bar))
    return _summary(latencies, wall, conversations)


def side_by_side(
    urls: dict[str, str], questions: list[str], conversations: int, total: int, rounds: int, label: str
) -> dict[str, dict[str, Any]]:
    """The same load on each server, in ``rounds`` alternating blocks; per server, the blocks pooled."""
    pooled: dict[str, tuple[list[float], float]] = {name: ([], 0.0) for name in urls}
    with tqdm(total=total * len(urls), desc=label, unit="问") as bar:
        for r in range(rounds):
            block = questions[(r * total // rounds) % len(questions) :] + questions
            for name, url in urls.items():
                latencies, wall = asyncio.run(_timed(url, block, conversations, total // rounds, bar))
                pooled[name] = (pooled[name][0] + latencies, pooled[name][1] + wall)
    return {name: _summary(lat, wall, conversations) for name, (lat, wall) in pooled.items()}


LONG_MARKS = (1, 20, 100, 200)  # turns of one conversation where latency is measured
LONG_WINDOW = 9  # turns measured from each mark on: their p50 is the mark's latency
LONG_QUESTION = "石牌街道能不能处罚占道经营"  # a full answer every turn: the heaviest events a turn adds


async def _long(url: str) -> tuple[dict[int, float], dict[int, list[float]]]:
    """The long conversation's turn latencies, and per mark the first turns of a new conversation
    sent alternately with the long one's turns from that mark (the same moment, the same load)."""
    sender = f"bench-long-{uuid.uuid4().hex[:8]}"
    last = LONG_MARKS[-1] + LONG_WINDOW - 1
    turns: dict[int, float] = {}
    companions: dict[int, list[float]] = {mark: [] for mark in LONG_MARKS}
    mark_of = {t: mark for mark in LONG_MARKS for t in range(mark, mark + LONG_WINDOW)}
    companion = {mark: f"bench-new-{uuid.uuid4().hex[:8]}" for mark in LONG_MARKS}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        for turn in tqdm(range(1, last + 1), desc="一个长对话", unit="问"):
            start = time.perf_counter()
            await send(session, url, sender, LONG_QUESTION)
            turns[turn] = 1000 * (time.perf_counter() - start)
            mark = mark_of.get(turn)
            if mark is not None:  # the companion's next turn, right after
                start = time.perf_counter()
                await send(session, url, companion[mark], LONG_QUESTION)
                companions[mark].append(1000 * (time.perf_counter() - start))
    return turns, companions


def long_conversation(url: str) -> dict[str, Any]:
    """p50 latency at turns 1, 20, 100 and 200 of one conversation, and each as a ratio to turn 1.

    A WeCom user keeps one conversation id for months: what a turn costs must not grow with
    the turns before it. The same question every turn, so only the conversation's length varies.
    A shared machine's speed drifts over the minute the 200 turns take, so beside each mark a new
    conversation's first turns are sent alternately with the long one's (``ratio_to_new``): turn
    200 against turn 1 measured at the same moment. ``ratio_to_turn_1`` compares with the long
    conversation's own first turns, measured a minute earlier.
    """
    turns, companions = asyncio.run(_long(url))
    window = {mark: range(mark, mark + LONG_WINDOW) for mark in LONG_MARKS}
    p50 = {mark: statistics.median(turns[t] for t in ts) for mark, ts in window.items()}
    new_p50 = {mark: statistics.median(companions[mark]) for mark in LONG_MARKS}
    first = p50[LONG_MARKS[0]]
    return {
        "window": LONG_WINDOW,
        "p50_ms": {str(mark): v for mark, v in p50.items()},
        "ratio_to_turn_1": {str(mark): v / first for mark, v in p50.items()},
        "new_conversation_p50_ms": {str(mark): v for mark, v in new_p50.items()},
        "ratio_to_new": {str(mark): p50[mark] / new_p50[mark] for mark in LONG_MARKS},
    }


async def _senders(url: str, start: int, stop: int, concurrency: int, text: str) -> None:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(start, stop):
        queue.put_nowait(i)
    with tqdm(total=stop - start, desc=f"发信人 {start:,}–{stop:,}", unit="人") as bar:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:

            async def worker() -> None:
                while not queue.empty():
                    i = queue.get_nowait()
                    await send(session, url, f"bench-sender-{i}", text)
                    bar.update(1)

            await asyncio.gather(*(worker() for _ in range(concurrency)))


def senders_memory(
    url: str, pids: dict[str, int], marks: tuple[int, ...], concurrency: int, text: str
) -> dict[str, Any]:
    """Peak memory of the servers after ``marks`` distinct senders, one short message each."""
    out: dict[str, Any] = {}
    done = 0
    for mark in marks:
        asyncio.run(_senders(url, done, mark, concurrency, text))
        done = mark
        out[str(mark)] = {name: peak_rss_mb(pid) for name, pid in pids.items()}
    first, last = (sum(v or 0 for v in out[str(m)].values()) for m in (marks[0], marks[-1]))
    return {"message": text, "concurrency": concurrency, "peak_rss_mb": out, "ratio": last / first if first else None}


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
