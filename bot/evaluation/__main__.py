"""``python -m bot.evaluation eval|bench``: reports under reports/."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys

from bot import servers
from bot.config import PROJECT_ROOT
from bot.evaluation.nlu import SEED

REPORTS = PROJECT_ROOT / "reports"


def _eval(args: argparse.Namespace) -> int:
    from bot.evaluation.cases import SPLITS, exact_name_cases, load_cases
    from bot.evaluation.qa import accuracy_by_group, ranking, run_cases
    from bot.evaluation.report import load_baseline, write_eval
    from bot.kb.provider import default_provider

    cases = load_cases()
    knowledge = default_provider().get()
    if not args.skip_exact:
        cases += exact_name_cases(knowledge)
    print(f"评测集：{len(cases)} 个对话；知识库 {knowledge.version}")
    with servers.start(args.action_port, args.rasa_port, log=subprocess.DEVNULL) as running:
        results = asyncio.run(run_cases(running.rasa_url, cases))
    ranked = ranking(knowledge, cases)
    colloquial = {name: r["groups"].get("colloquial", {}).get("top1", 0.0) for name, r in ranked.items()}
    best_baseline = max(v for k, v in colloquial.items() if k != "matcher") if len(colloquial) > 1 else 0.0
    result = {
        "kb_version": knowledge.version,
        "n_questions": len(results),
        "overall_accuracy": sum(r.ok for r in results) / len(results),
        "wrong_rate": sum(r.outcome == "wrong" for r in results) / len(results),
        "groups": accuracy_by_group(results),
        "splits": {split: accuracy_by_group([r for r in results if r.case.split == split]) for split in SPLITS},
        "matcher": ranked["matcher"],
        "baselines": {k: v for k, v in ranked.items() if k != "matcher"},
        "colloquial_lead_points": 100 * (colloquial["matcher"] - best_baseline),
        "failures": [
            {
                "id": r.case.id,
                "group": r.case.group,
                "question": r.case.question,
                "expect": r.case.expect,
                "problems": list(r.problems),
                "answer": r.first_text[:120],
                "outcome": r.outcome,
            }
            for r in results
            if not r.ok
        ],
    }
    if not args.skip_nlu:
        from bot.evaluation.nlu import cross_validate

        print("NLU 5 折交叉验证（约数分钟）…")
        result["nlu"] = cross_validate(REPORTS / "nlu", folds=args.folds)
        result["nlu"].pop("errors", None)  # listed in reports/nlu/nlu_cv.json
    write_eval(REPORTS, result, load_baseline(REPORTS / "baseline" / "eval.json"))
    print(f"总体准确率 {100 * result['overall_accuracy']:.1f}%；报告：{REPORTS / 'eval.md'}")
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from bot.evaluation.calibrate import calibrate
    from bot.kb.provider import default_provider

    result = calibrate(default_provider().get(), REPORTS / "calibration.json")
    print(f"选定（开发集）：{result['chosen']}；报告：{REPORTS / 'calibration.json'}")
    for split, groups in result["splits"].items():
        print(split, json.dumps(groups, ensure_ascii=False))
    return 0


def _nlu(args: argparse.Namespace) -> int:
    from bot.evaluation.nlu import cross_validate

    result = cross_validate(REPORTS / "nlu", folds=args.folds, seed=args.seed)
    print(f"意图宏平均 F1 {result['intent']['macro_f1']:.3f}，准确率 {result['intent']['accuracy']:.3f}")
    for name, row in list(result["intent_per_class"].items())[:8]:
        print(f"  {name:<20} F1 {row['f1']:.3f}（{row['support']} 例）")
    for pair in result["confused_pairs"][:10]:
        print(f"  {pair['intent']} → {pair['predicted']}：{pair['count']}")
    print(f"报告：{REPORTS / 'nlu' / 'nlu_cv.json'}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from bot.evaluation.bench import anchor_only, run_bench

    if args.only == "anchor":
        result = anchor_only(REPORTS, args.action_port, args.rasa_port)
        print(json.dumps({k: v for k, v in result["anchor"].items()}, ensure_ascii=False, indent=2))
        long = result["long_conversation"]
        print(json.dumps({k: long[k] for k in ("ratio_to_turn_1", "ratio_to_new")}, indent=2))
        print(f"报告：{REPORTS / 'bench-anchor.json'}")
        return 0
    run_bench(REPORTS, args.action_port, args.rasa_port, skip_train=args.skip_train)
    print(f"报告：{REPORTS / 'bench.md'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation")
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("eval", help="评测：NLU 交叉验证、REST 问答准确率、基线对比")
    e.add_argument("--skip-nlu", action="store_true")
    e.add_argument("--folds", type=int, default=5)
    e.add_argument("--skip-exact", action="store_true", help="不评测“每个事项的正式名称”组")
    sub.add_parser("calibrate", help="在开发集上选定语义信号权重与回答/追问/未找到阈值（离线，无需服务）")
    n = sub.add_parser("nlu", help="只做 NLU 意图分类的 k 折交叉验证（折划分固定）")
    n.add_argument("--folds", type=int, default=5)
    n.add_argument("--seed", type=int, default=SEED)
    b = sub.add_parser("bench", help="性能：延迟、吞吐、内存、训练和构建时间、匹配器规模")
    b.add_argument("--skip-train", action="store_true")
    b.add_argument("--only", choices=["anchor"], help="只测本项目与空白 Rasa 的比值和长对话（几分钟）")
    for p in (e, b):
        p.add_argument(
            "--action-port", type=int, default=int(os.environ.get("EVAL_ACTION_PORT") or servers.free_port())
        )
        p.add_argument("--rasa-port", type=int, default=int(os.environ.get("EVAL_RASA_PORT") or servers.free_port()))
    args = parser.parse_args(argv)
    return {"eval": _eval, "nlu": _nlu, "calibrate": _calibrate, "bench": _bench}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
