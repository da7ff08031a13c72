"""The report of ``make bench``: reports/bench.md and its two plots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.evaluation.bench_scale import scale_markdown

SEQUENTIAL = 500


def plots(out_dir: Path, sequential: dict[str, Any], loads: dict[str, Any], engine: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for label, run in [("sequential", sequential)] + [(f"{k} concurrent", v) for k, v in loads.items()]:
        values = sorted(run["_raw"])
        ax.plot(values, [i / len(values) for i in range(len(values))], label=label)
    ax.set_xscale("log")
    ax.set_xlabel("REST round trip (ms, log scale)")
    ax.set_ylabel("share of requests")
    ax.set_title("Latency CDF")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out_dir / "bench_latency.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 3.5))
    labels = [f"{int(k):,} items" for k in engine]
    ax.bar(labels, [v["match_ms_per_query"] for v in engine.values()], color="#3b7dd8")
    ax.set_ylabel("ms per query")
    ax.set_title("Matter matching time by knowledge-base size")
    fig.tight_layout()
    fig.savefig(out_dir / "bench_matcher.png", dpi=110)
    plt.close(fig)


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} s"


def markdown(r: dict[str, Any]) -> str:
    lat, t = r["latency_ms"], r["targets"]
    rss = r["rss_mb"]
    lines = [
        "# 性能报告 (make bench)",
        "",
        f"机器：{r['machine']['cpus']} 核。所有数字为本次运行实测。",
        "",
        "| 指标 | 实测 | 目标 |",
        "| --- | ---: | ---: |",
        f"| REST 往返 p50（顺序 {SEQUENTIAL} 问） | {lat['p50']:.1f} ms | ≤ {t['p50_ms']} ms |",
        f"| REST 往返 p95 | {lat['p95']:.1f} ms | ≤ {t['p95_ms']} ms |",
        f"| REST 往返 p99 | {lat['p99']:.1f} ms | |",
        f"| 吞吐（顺序，单个 Rasa 进程） | {r['throughput_per_s']:.1f} 问/秒 | ≥ {t['throughput_per_s']} |",
    ]
    for k, v in r["concurrent"].items():
        lines.append(
            f"| {k} 个并发对话：吞吐 / p50 / p95 | {v['throughput_per_s']:.1f} 问/秒 / "
            f"{v['latency_ms']['p50']:.0f} ms / "
            f"{v['latency_ms']['p95']:.0f} ms | |"
        )
    long = r["long_conversation"]
    lines.append(
        f"| 一个对话第 {' / '.join(long['p50_ms'])} 轮：p50（各 {long['window']} 轮） | "
        + " / ".join(f"{v:.0f} ms" for v in long["p50_ms"].values())
        + "（相对第 1 轮 "
        + " / ".join(f"{v:.2f}×" for v in long["ratio_to_turn_1"].values())
        + f"） | 第 200 轮 ≤ {t['long_ratio']}× |"
    )
    lines.append(
        f"| 同上，相对同一时刻交替发送的新对话第 1–{long['window']} 轮 | "
        + " / ".join(f"{v:.2f}×" for v in long["ratio_to_new"].values())
        + f" | 第 200 轮 ≤ {t['long_ratio']}× |"
    )
    anchor = r["anchor"]
    seq, ten = anchor["sequential"], anchor["concurrent_10"]
    lines += [
        f"| 空白 Rasa 对照（同一次运行交替测量）：顺序 p50 | 本项目 {seq['ours']['p50_ms']:.0f} ms / "
        f"空白 {seq['anchor']['p50_ms']:.0f} ms = **{anchor['p50_ratio']:.2f}×** | ≤ {t['anchor_p50_ratio']}× |",
        f"| 空白 Rasa 对照：10 个并发对话吞吐 | 本项目 {ten['ours']['throughput_per_s']:.1f} / "
        f"空白 {ten['anchor']['throughput_per_s']:.1f} 问/秒 = **{anchor['throughput_10_ratio']:.2f}×** | "
        f"≥ {t['anchor_throughput_ratio']}× |",
    ]
    mem = r["senders_memory"]
    marks = list(mem["peak_rss_mb"])
    sums = [sum(v or 0 for v in mem["peak_rss_mb"][m].values()) for m in marks]
    lines += [
        f"| 峰值内存（Rasa + 动作服务器）：{int(marks[0]):,} / {int(marks[-1]):,} 个发信人后 | "
        f"{sums[0]:.0f} MB / {sums[-1]:.0f} MB = **{mem['ratio'] or 0:.2f}×**"
        f"（每人一句“{mem['message']}”，{mem['concurrency']} 并发） | ≤ {t['senders_memory_ratio']}× |",
        f"| 峰值内存：Rasa 服务器 | {rss['rasa_server'] or 0:.0f} MB | |",
        f"| 峰值内存：动作服务器 | {rss['action_server'] or 0:.0f} MB | |",
        f"| 模型训练时间 | {_seconds(r['train_s'])} | ≤ {t['train_s']} s |",
        f"| 模型大小 | {r['model_mb'] or 0:.1f} MB | |",
        f"| 知识库构建时间 | {r['kb_build_s']:.2f} s | |",
        f"| 事项解析（bot.matching，{r['matter_resolution']['questions']} 个评测问题）：每问 p50 / p95 | "
        f"{r['matter_resolution']['ms']['p50']:.2f} ms / {r['matter_resolution']['ms']['p95']:.2f} ms | |",
    ]
    lines += scale_markdown(r["scale"])
    lines += ["", "![延迟分布](bench_latency.png)", "", "![匹配器规模](bench_matcher.png)", ""]
    return "\n".join(lines)
