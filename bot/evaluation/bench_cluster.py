"""Benchmark (c): throughput and p50/p95 at 10 and 50 concurrent conversations, 1 and 2 Rasa replicas.

One cluster (:mod:`bot.cluster`: 2 replicas, 2 action servers, the knowledge base,
operational data and conversations on the local PostgreSQL, Rasa's Redis lock store;
``deploy/services.sh``; fresh databases per run, dropped afterwards) is measured in alternating
rounds as "1 replica" (the first replica's own port; the other stays idle) and "2 replicas"
(through nginx), so both shapes see the same load of a shared machine and only the number of
replicas answering differs. The figure that counts is the ratio
"2 replicas / 1 replica" in the same run: on a 2-core machine two replicas cannot be faster,
the bar is "not slower" (throughput ratio ≥ 1, p50 ratio ≤ 1, up to the noise of a shared box).

``python -m bot.evaluation.bench_cluster`` (``make bench`` runs it after the main benchmark)
writes ``reports/bench_cluster.json`` and ``.md``; without the services it says why and writes
nothing.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot import cluster, nginx
from bot.client import send
from bot.config import KNOWLEDGE_DIR, PROJECT_ROOT
from bot.evaluation.bench import percentiles
from bot.evaluation.cases import load_cases
from bot.kb.build import build
from bot.servers import ServerError, free_port

REPORTS = PROJECT_ROOT / "reports"
CONCURRENCY = (10, 50)
REQUESTS = 200  # per measurement, spread over the conversations
ROUNDS = 2  # each shape measured this many times, alternating
REPLICAS = (1, 2)
TURNS = 10  # questions per conversation, then a new one (as bench.py's load)


def _questions() -> list[str]:
    return [c.question for c in load_cases() if c.single_turn and c.group in ("clean", "colloquial", "noisy")]


async def load(url: str, questions: list[str], conversations: int, total: int) -> dict[str, Any]:
    """``conversations`` clients at once, each asking its questions one after the other."""
    per = max(1, total // conversations)

    async def client(session: aiohttp.ClientSession, c: int) -> list[float]:
        latencies = []
        for i in range(per):
            if i % TURNS == 0:
                sender = f"bench-{uuid.uuid4().hex[:8]}"
            start = time.perf_counter()
            await send(session, url, sender, questions[(c * per + i) % len(questions)])
            latencies.append(1000 * (time.perf_counter() - start))
        return latencies

    connector = aiohttp.TCPConnector(limit=conversations)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=300)) as session:
        start = time.perf_counter()
        results = await asyncio.gather(*(client(session, c) for c in range(conversations)))
        wall = time.perf_counter() - start
    latencies = [x for r in results for x in r]
    return {
        "conversations": conversations,
        "requests": len(latencies),
        "wall_s": wall,
        "throughput_per_s": len(latencies) / wall,
        "latency_ms": percentiles(latencies),
    }


def services_env() -> dict[str, str] | str:
    """The local services' settings, or why there are none."""
    if not cluster.SERVICES_ENV.exists():
        return f"没有 {cluster.SERVICES_ENV}：先运行 make services（安装并启动 PostgreSQL、Redis、nginx）"
    if cluster.nginx_binary() is None:
        return "没有 nginx：先运行 make services"
    env = cluster.read_env_file(cluster.SERVICES_ENV)
    return env if env.get("PG_ADMIN_URL") else f"{cluster.SERVICES_ENV} 缺少 PG_ADMIN_URL：重新运行 make services"


@contextmanager
def fresh_databases(admin_url: str, names: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """Empty PostgreSQL databases for one run: {name: url}, dropped afterwards."""
    admin = create_engine(admin_url, future=True, isolation_level="AUTOCOMMIT")
    run = uuid.uuid4().hex[:8]
    urls: dict[str, str] = {}
    try:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'CREATE DATABASE "zb_{run}_{name}"'))
                urls[name] = make_url(admin_url).set(database=f"zb_{run}_{name}").render_as_string(hide_password=False)
        yield urls
    finally:
        from bot.db import dispose_all

        dispose_all()
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "zb_{run}_{name}" WITH (FORCE)'))
        admin.dispose()


def _layout(replicas: int) -> nginx.Layout:
    public = free_port()
    return nginx.Layout(
        rasa_ports=tuple(free_port() for _ in range(replicas)),
        action_ports=tuple(free_port() for _ in range(replicas)),
        web_port=free_port(),
        public_port=public,
        rasa_lb_port=free_port(),
        action_lb_port=free_port(),
        public_listen=f"127.0.0.1:{public}",
    )


def measure(env: dict[str, str], questions: list[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """One cluster of 2 replicas on fresh databases; rounds alternating "replica 1 only" (its own
    port) and "both replicas" (through nginx), so that both shapes see the same machine load."""
    with fresh_databases(env["PG_ADMIN_URL"], ("kb", "ops", "rasa")) as urls:
        build(KNOWLEDGE_DIR, urls["kb"])
        run_env = {
            **env,
            "KB_DATABASE_URL": urls["kb"],
            "OPS_DATABASE_URL": urls["ops"],
            "TRACKER_STORE_URL": urls["rasa"],
            "LOCK_STORE_TYPE": "redis",
            "REDIS_KEY_PREFIX": f"zb{uuid.uuid4().hex[:8]}",
        }
        print("启动 2 个副本…", flush=True)
        with cluster.start(_layout(2), run_env, log=subprocess.DEVNULL, web=False, timeout=600) as running:
            shapes = {"1": running.replica_url(0), "2": running.rasa_url}
            for url in shapes.values():
                asyncio.run(load(url, questions, 2, 20))  # warm-up: models and caches of every replica
            runs: dict[str, dict[str, list[dict[str, Any]]]] = {n: {str(c): [] for c in CONCURRENCY} for n in shapes}
            for round_ in range(ROUNDS):
                for c in CONCURRENCY:
                    order = list(shapes) if round_ % 2 == 0 else list(reversed(shapes))
                    for n in order:
                        m = asyncio.run(load(shapes[n], questions, c, REQUESTS))
                        runs[n][str(c)].append(m)
                        rate, p50 = m["throughput_per_s"], m["latency_ms"]["p50"]
                        print(f"  第 {round_ + 1} 轮，{n} 个副本，{c} 个并发对话：{rate:.1f} 问/秒，p50 {p50:.0f} ms")
    return runs


def _pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The rounds of one shape together: answers over total time, median of the rounds' percentiles."""
    requests, wall = sum(r["requests"] for r in runs), sum(r["wall_s"] for r in runs)
    return {
        "requests": requests,
        "wall_s": wall,
        "throughput_per_s": requests / wall,
        "latency_ms": {k: statistics.median(r["latency_ms"][k] for r in runs) for k in ("p50", "p95")},
        "rounds": runs,
    }


def run_cluster_bench(out_dir: Path = REPORTS) -> dict[str, Any] | None:
    env = services_env()
    if isinstance(env, str):
        print(f"跳过副本基准（c）：{env}")
        return None
    runs = measure(env, _questions())
    by_replicas = {n: {c: _pooled(rounds) for c, rounds in per_c.items()} for n, per_c in runs.items()}
    ratios = {
        str(c): {
            "throughput": by_replicas["2"][str(c)]["throughput_per_s"] / by_replicas["1"][str(c)]["throughput_per_s"],
            "p50": by_replicas["2"][str(c)]["latency_ms"]["p50"] / by_replicas["1"][str(c)]["latency_ms"]["p50"],
            "p95": by_replicas["2"][str(c)]["latency_ms"]["p95"] / by_replicas["1"][str(c)]["latency_ms"]["p95"],
        }
        for c in CONCURRENCY
    }
    result = {"replicas": by_replicas, "two_over_one": ratios, "requests_per_measurement": REQUESTS, "rounds": ROUNDS}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench_cluster.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    (out_dir / "bench_cluster.md").write_text(markdown(result), encoding="utf-8")
    return result


def markdown(r: dict[str, Any]) -> str:
    lines = [
        "# 副本基准（c）：1 个与 2 个 Rasa 副本",
        "",
        "同一个集群（2 个 Rasa 副本、2 个动作服务器；知识库、业务数据和对话在 PostgreSQL，锁在 Redis），",
        "交替测量“1 个副本”（直接发给第一个副本）和“2 个副本”（经 nginx 分发）。",
        f"每种 {r['rounds']} 轮、每轮 {r['requests_per_measurement']} 问；吞吐为总问数/总时间，p50/p95 取各轮中位数。",
        "比值 = 2 个副本 / 1 个副本（同一次运行）；“不慢于”：吞吐比 ≥ 0.95 且 p50 比 ≤ 1.05。",
        "",
        "| 并发对话 | 副本 | 吞吐（问/秒） | p50 (ms) | p95 (ms) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for c in CONCURRENCY:
        for n in REPLICAS:
            m = r["replicas"][str(n)][str(c)]
            lat = m["latency_ms"]
            lines.append(f"| {c} | {n} | {m['throughput_per_s']:.1f} | {lat['p50']:.0f} | {lat['p95']:.0f} |")
    lines += ["", "| 并发对话 | 吞吐比 | p50 比 | p95 比 | 不慢于 1 个副本 |", "| --- | --- | --- | --- | --- |"]
    for c in CONCURRENCY:
        x = r["two_over_one"][str(c)]
        verdict = "是" if x["throughput"] >= 0.95 and x["p50"] <= 1.05 else "否"
        lines.append(f"| {c} | {x['throughput']:.2f} | {x['p50']:.2f} | {x['p95']:.2f} | {verdict} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    try:
        result = run_cluster_bench()
    except ServerError as exc:
        print(f"副本基准失败：{exc}", file=sys.stderr)
        return 1
    if result is not None:
        print(f"报告：{REPORTS / 'bench_cluster.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
