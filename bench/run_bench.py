"""`make bench`: accuracy, latency, throughput, cost growth, training time,
start-up time and memory of CarePath, against the stock `rasa init` assistant
trained here with the same Rasa version.  Writes bench/report.json and
bench/report.md (ignored by git); bench/history.md (committed) is appended.
"""
from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "scripts")]

import action_latency  # noqa: E402
import loadgen  # noqa: E402
import nlu_cv  # noqa: E402

from carepath.servers import NO_RATE_LIMIT, Servers, rss_mb, start, stop, wait_for  # noqa: E402

WORK = ROOT / "build" / "bench"
RASA = [sys.executable, "-m", "rasa"]
ENV = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONWARNINGS="ignore")
LOADS = [(1, 200), (20, 1000)]  # (concurrent senders, messages)
TARGETS = {
    "throughput_ratio_20": 3.0,
    "p95_ratio_20": 1 / 3,
    "p50_1_sender_ms": 15.0,
    "turn100_over_turn1": 2.0,
    "training_s": 60.0,
    "rasa_rss_mb": 700.0,
    "holdout_intent_accuracy": 0.95,
    "holdout_role_f1": 0.95,
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def rasa(args, cwd: Path = ROOT, timeout: int = 1800) -> subprocess.CompletedProcess:
    result = subprocess.run([*RASA, *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"rasa {' '.join(args)} failed:\n{(result.stdout + result.stderr)[-3000:]}")
    return result


def accuracy() -> Dict[str, Any]:
    out = WORK / "holdout"
    rasa(["test", "nlu", "--nlu", "tests/nlu_holdout.yml", "--model", "models/carepath.tar.gz", "--out", str(out)])
    intents = json.loads((out / "intent_report.json").read_text())
    roles = json.loads((out / "RoleEntityExtractor_report.json").read_text())
    errors = json.loads((out / "intent_errors.json").read_text())
    pairs: Dict[str, int] = {}
    for error in errors:
        key = f"{error['intent']} -> {error['intent_prediction']['name']}"
        pairs[key] = pairs.get(key, 0) + 1
    cv = nlu_cv.cross_validate()
    return {
        "holdout_examples": int(intents["macro avg"]["support"]),
        "holdout_intent_accuracy": round(intents["accuracy"], 4),
        "holdout_macro_f1": round(intents["macro avg"]["f1-score"], 4),
        "holdout_role_f1": round(roles["role"]["f1-score"], 4),
        "holdout_confusions": sorted(pairs.items(), key=lambda kv: -kv[1])[:10],
        "cv_examples": cv["examples"],
        "cv_intent_accuracy": round(cv["accuracy"], 4),
        "cv_macro_f1": round(cv["macro_f1"], 4),
        "cv_confusions": [(f"{t} -> {p}", n) for t, p, n in cv["confusions"][:10]],
    }


def training_time() -> float:
    """`rasa train` from scratch: a fresh output folder and an empty cache."""
    cache = WORK / "train-cache"
    shutil.rmtree(cache, ignore_errors=True)
    start_time = time.perf_counter()
    subprocess.run(
        [*RASA, "train", "--force", "--out", str(WORK / "models"), "--fixed-model-name", "scratch"],
        cwd=ROOT, env={**ENV, "RASA_CACHE_DIRECTORY": str(cache)}, check=True, capture_output=True,
    )
    return round(time.perf_counter() - start_time, 1)


def measure_loads(webhook: str) -> Dict[str, Any]:
    asyncio.run(loadgen.run_load(webhook, 4, 40))  # warm-up
    results = {}
    for senders, messages in LOADS:
        results[str(senders)] = asyncio.run(loadgen.run_load(webhook, senders, messages)).summary()
        log(f"  {senders} senders: {results[str(senders)]}")
    return results


def first_answer_seconds(servers: Servers) -> float:
    start_time = time.perf_counter()
    servers.start_rasa()
    asyncio.run(loadgen.run_load(servers.webhook, 1, 1))
    return round(time.perf_counter() - start_time, 1)


def carepath() -> Dict[str, Any]:
    # the load sends far more messages per sender than a person could: no per-sender limit
    servers = Servers(WORK / "carepath", env=NO_RATE_LIMIT)
    servers.workdir.mkdir(parents=True, exist_ok=True)
    try:
        servers.start_actions()
        result: Dict[str, Any] = {"startup_to_first_answer_s": first_answer_seconds(servers)}
        result["load"] = measure_loads(servers.webhook)
        turns = asyncio.run(loadgen.long_conversation(servers.webhook, 100))
        first, last = sorted(turns[:10])[5], sorted(turns[-10:])[5]
        result["long_conversation"] = {
            "turn1_10_median_ms": round(first, 1),
            "turn91_100_median_ms": round(last, 1),
            "ratio": round(last / first, 2),
        }
        result["rss_mb"] = {"rasa": round(rss_mb(servers.rasa)), "actions": round(rss_mb(servers.actions))}
        return result
    finally:
        servers.stop()


def baseline() -> Dict[str, Any]:
    """The assistant `rasa init` makes (DIET + TED + UnexpecTED), trained here."""
    project = WORK / "baseline"
    result: Dict[str, Any] = {}
    if not (project / "models").exists() or not list((project / "models").glob("*.tar.gz")):
        shutil.rmtree(project, ignore_errors=True)
        project.mkdir(parents=True)
        start_time = time.perf_counter()
        rasa(["init", "--no-prompt", "--init-dir", str(project)], cwd=WORK)
        result["init_and_training_s"] = round(time.perf_counter() - start_time, 1)
    model = sorted((project / "models").glob("*.tar.gz"))[-1]
    servers = Servers(project)
    servers.model = model
    servers.credentials = project / "credentials.yml"
    servers.credentials.write_text("rest:\n")  # Rasa's REST channel, as `rasa init` configures it
    servers.endpoints = project / "endpoints.yml"
    log_file = project / "rasa.log"
    start_time = time.perf_counter()
    servers.rasa = start(
        ["run", "-m", str(model), "--port", str(servers.rasa_port), "--credentials", "credentials.yml"],
        log_file, cwd=project,
    )
    try:
        wait_for(servers.url + "/", servers.rasa, log_file, timeout=300)
        asyncio.run(loadgen.run_load(servers.webhook, 1, 1))
        result["startup_to_first_answer_s"] = round(time.perf_counter() - start_time, 1)
        result["load"] = measure_loads(servers.webhook)
        result["rss_mb"] = {"rasa": round(rss_mb(servers.rasa))}
    finally:
        stop(servers.rasa)
    return result


def verdicts(report: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    cp, base = report["carepath"]["load"], report["baseline"]["load"]
    measured = {
        "throughput_ratio_20": cp["20"]["messages_per_s"] / base["20"]["messages_per_s"],
        "p95_ratio_20": cp["20"]["p95_ms"] / base["20"]["p95_ms"],
        "p50_1_sender_ms": cp["1"]["p50_ms"],
        "turn100_over_turn1": report["carepath"]["long_conversation"]["ratio"],
        "training_s": report["training_from_scratch_s"],
        "rasa_rss_mb": report["carepath"]["rss_mb"]["rasa"],
        "holdout_intent_accuracy": report["accuracy"]["holdout_intent_accuracy"],
        "holdout_role_f1": report["accuracy"]["holdout_role_f1"],
    }
    higher_is_better = {"throughput_ratio_20", "holdout_intent_accuracy", "holdout_role_f1"}
    result = {}
    for name, value in measured.items():
        target = TARGETS[name]
        met = value >= target if name in higher_is_better else value <= target
        result[name] = {"measured": round(value, 3), "target": round(target, 3), "met": met}
    return result


def markdown(report: Dict[str, Any]) -> str:
    acc, cp, base = report["accuracy"], report["carepath"], report["baseline"]
    lines = [
        "# CarePath benchmark report", "",
        f"{report['when']} on {report['machine']}. Ratios are what count: the machine is shared and absolute times drift.",
        "", "## Targets", "", "| target | measured | goal | met |", "| --- | --- | --- | --- |",
    ]
    for name, v in report["targets"].items():
        goal = (">= " if name in ("throughput_ratio_20", "holdout_intent_accuracy", "holdout_role_f1") else "<= ") + str(v["target"])
        lines.append(f"| {name} | {v['measured']} | {goal} | {'yes' if v['met'] else '**no**'} |")
    lines += [
        "", "## Accuracy", "",
        f"- Held-out NLU set ({acc['holdout_examples']} messages): intent accuracy {acc['holdout_intent_accuracy']}, "
        f"macro F1 {acc['holdout_macro_f1']}, role-entity F1 {acc['holdout_role_f1']}",
        f"- 5-fold cross-validation on the training data ({acc['cv_examples']} examples): intent accuracy "
        f"{acc['cv_intent_accuracy']}, macro F1 {acc['cv_macro_f1']}",
        "- Costliest held-out confusions: " + ", ".join(f"{k} ({n})" for k, n in acc["holdout_confusions"]),
        "- Costliest CV confusions: " + ", ".join(f"{k} ({n})" for k, n in acc["cv_confusions"]),
        "", "## Latency and throughput (REST, action server in the loop, 10-turn conversations)", "",
        "| assistant | senders | messages | errors | empty replies | msg/s | p50 ms | p95 ms | p99 ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, data in (("CarePath", cp), ("rasa init", base)):
        for senders, s in data["load"].items():
            lines.append(
                f"| {name} | {senders} | {s['messages']} | {s['errors']} | {s['empty_replies']} | "
                f"{s['messages_per_s']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} |"
            )
    lc, al = cp["long_conversation"], report["action_latency"]
    lines += [
        "", "## How cost grows", "",
        f"- One 100-turn conversation: median of turns 1-10 {lc['turn1_10_median_ms']} ms, turns 91-100 "
        f"{lc['turn91_100_median_ms']} ms (ratio {lc['ratio']}).",
        f"- action_answer in-process: {al['as_is']['roles']} roles p50 {al['as_is']['p50_ms']} ms / p95 {al['as_is']['p95_ms']} ms; "
        f"{al['x10_roles']['roles']} roles p50 {al['x10_roles']['p50_ms']} ms / p95 {al['x10_roles']['p95_ms']} ms.",
        "", "## Training, start-up, memory", "",
        f"- Training from scratch (empty cache): CarePath {report['training_from_scratch_s']} s"
        + (f"; `rasa init` (create + train) {base['init_and_training_s']} s" if "init_and_training_s" in base else ""),
        f"- Start-up to first answer: CarePath {cp['startup_to_first_answer_s']} s, rasa init {base['startup_to_first_answer_s']} s",
        f"- RSS after load: CarePath Rasa server {cp['rss_mb']['rasa']} MB, action server {cp['rss_mb']['actions']} MB; "
        f"rasa init Rasa server {base['rss_mb']['rasa']} MB",
        "",
    ]
    history = ROOT / "bench" / "history.md"
    if history.exists():
        lines += [history.read_text()]
    return "\n".join(lines)


def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    report: Dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    log("accuracy (held-out set, 5-fold CV)")
    report["accuracy"] = accuracy()
    log("training from scratch")
    report["training_from_scratch_s"] = training_time()
    log("action latency with 1x and 10x roles")
    report["action_latency"] = action_latency.run(10)
    log("CarePath servers under load")
    report["carepath"] = carepath()
    log("stock rasa init assistant under the same load")
    report["baseline"] = baseline()
    report["targets"] = verdicts(report)
    report["bench_seconds"] = round(time.perf_counter() - started)
    (ROOT / "bench" / "report.json").write_text(json.dumps(report, indent=2))
    (ROOT / "bench" / "report.md").write_text(markdown(report))
    log(f"done in {report['bench_seconds']} s: bench/report.md")
    print(markdown(report).split("## Accuracy")[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
