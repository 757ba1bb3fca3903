#!/usr/bin/env python3
"""Prints the runs of tools/sweep_fmnist.sh (their JSON files) as a Markdown table: each run's linear probe and
k-NN on all classes at random initialisation, after task 0 and after its last task, and the last task's gain.

    /usr/bin/python3 tools/sweep_summary.py tools/results/sweeps/*.json

With --per-task, two tables (linear probe, then k-NN) with a row per run and a column per task, each run given as
LABEL=PATH; PATH is a tools/torch_fmnist_cssl.py JSON file or a pnr-spark results.json (the same fields):

    /usr/bin/python3 tools/sweep_summary.py --per-task "pnr-spark, pnr=runs/x/pnr/results.json" "PyTorch, pnr=t.json"

With --seeds, the runs of one stage over several seeds (docs/results.md, "Looking for a stage"), each given as
LIBRARY,STRATEGY,SEED=PATH: a row per run (task 0's classes after task 0 and after the last task, the last task's
classes, linear probe and k-NN on all classes, task 0's CKA drift), then per library and strategy the mean and standard
deviation over seeds and, paired with fine-tuning on the same seed, the points of task 0 kept and the gain:

    /usr/bin/python3 tools/sweep_summary.py --seeds "pnr-spark,pnr,5=runs/s5/pnr/results.json" ...
"""
import json
import os
import statistics
import sys


def pct(row, key):
    return f"{100 * row[key]:.1f}"


def main(paths):
    print("| run | random init | after task 0 | after the last task | gain (points) |")
    print("|---|---|---|---|---|")
    for path in sorted(paths):
        with open(path) as f:
            r = json.load(f)
        rand = r["random_init"]
        evaluated = [t for t in r["tasks"] if "accuracy_all" in t]
        first = next((t for t in evaluated if t["task"] == 0), None)
        last = evaluated[-1]
        cell = lambda row: f"{pct(row, 'accuracy_all')} / {pct(row, 'knn_accuracy_all')}" if row else "–"
        gain = (f"{100 * (last['accuracy_all'] - rand['accuracy_all']):+.1f} / "
                f"{100 * (last['knn_accuracy_all'] - rand['knn_accuracy_all']):+.1f}")
        tasks = f"{len(r['tasks'])} task{'s' if len(r['tasks']) > 1 else ''}"
        name = os.path.basename(path)[:-len(".json")]
        print(f"| {name} ({tasks}) | {cell(rand)} | {cell(first)} | {cell(last)} | {gain} |")


def read_labelled(labelled, option, form):
    """(label, run) for each LABEL=PATH argument, in order."""
    runs = []
    for item in labelled:
        label, sep, path = item.rpartition("=")
        if not sep or not label:
            sys.exit(f"{option} takes {form}=PATH arguments, got {item!r}")
        with open(path) as f:
            runs.append((label, json.load(f)))
    return runs


def per_task(labelled):
    runs = read_labelled(labelled, "--per-task", "LABEL")
    width = max(len(r["tasks"]) for _, r in runs)
    for title, key in (("Linear probe", "accuracy_all"), ("k-NN", "knn_accuracy_all")):
        print(f"{title} on all classes (%), after each task:")
        print()
        print("| run | random init | " + " | ".join(f"task {t}" for t in range(width)) + " | gain (points) |")
        print("|---|---|" + "---|" * width + "---|")
        for label, r in runs:
            done = {t["task"]: t for t in r["tasks"] if t.get(key) is not None}
            cells = [pct(done[t], key) if t in done else "–" for t in range(width)]
            last = done[max(done)] if done else None
            gain = f"{100 * (last[key] - r['random_init'][key]):+.1f}" if last else "–"
            print(f"| {label} | {pct(r['random_init'], key)} | " + " | ".join(cells) + f" | {gain} |")
        print()


def mean_sd(values):
    """Mean and sample standard deviation (0 for a single value)."""
    return statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def seeds(labelled):
    runs = {}  # (library, strategy) -> {seed: figures}
    for label, r in read_labelled(labelled, "--seeds", "LIBRARY,STRATEGY,SEED"):
        parts = label.split(",")
        if len(parts) != 3:
            sys.exit(f"--seeds takes LIBRARY,STRATEGY,SEED=PATH arguments, got the label {label!r}")
        library, strategy, seed = (p.strip() for p in parts)
        first, last = r["tasks"][0], r["tasks"][-1]
        drift = last.get("feature_drift") or {}
        runs.setdefault((library, strategy), {})[seed] = {
            "before": 100 * first["accuracy"][0], "after": 100 * last["accuracy"][0],
            "forget": 100 * (first["accuracy"][0] - last["accuracy"][0]), "newest": 100 * last["accuracy"][-1],
            "linear": 100 * last["accuracy_all"], "knn": 100 * last["knn_accuracy_all"],
            "drift": drift["cka"][0] if drift.get("cka") else float("nan")}
    print("| run | strategy | task 0 after task 0 → after the last | the last task | linear / k-NN, all | drift |")
    print("|---|---|---|---|---|---|")
    for (library, strategy), by_seed in runs.items():
        for seed, x in by_seed.items():
            print(f"| {library}, seed {seed} | {strategy} | {x['before']:.1f} → {x['after']:.1f} ({-x['forget']:+.1f}) "
                  f"| {x['newest']:.1f} | {x['linear']:.1f} / {x['knn']:.1f} | {x['drift']:.3f} |")
    print()
    print("Mean ± standard deviation over seeds. Paired with fine-tuning on the same seed: the points of task 0 a "
          "strategy keeps that fine-tuning forgets, and its gain on all classes.")
    print()
    print("| library | strategy | seeds | forgetting | linear, all | kept over finetune | gain over finetune |")
    print("|---|---|---|---|---|---|---|")

    def paired(values):
        if not values:
            return "–"
        m, sd = mean_sd(values)
        return f"{m:+.2f} ± {sd:.2f} [{min(values):+.1f}, {max(values):+.1f}]"

    for (library, strategy), by_seed in runs.items():
        forget = mean_sd([x["forget"] for x in by_seed.values()])
        linear = mean_sd([x["linear"] for x in by_seed.values()])
        base = runs.get((library, "finetune"), {}) if strategy != "finetune" else {}
        same = [s for s in by_seed if s in base]
        kept = paired([base[s]["forget"] - by_seed[s]["forget"] for s in same])
        gain = paired([by_seed[s]["linear"] - base[s]["linear"] for s in same])
        print(f"| {library} | {strategy} | {len(by_seed)} | {forget[0]:.2f} ± {forget[1]:.2f} "
              f"| {linear[0]:.2f} ± {linear[1]:.2f} | {kept} | {gain} |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--seeds"]:
        seeds(sys.argv[2:])
    elif sys.argv[1:2] == ["--per-task"]:
        per_task(sys.argv[2:])
    else:
        main(sys.argv[1:])
