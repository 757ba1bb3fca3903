#!/usr/bin/env python3
"""Prints the runs of tools/sweep_fmnist.sh (their JSON files) as a Markdown table: each run's linear probe and
k-NN on all classes at random initialisation, after task 0 and after its last task, and the last task's gain.

    /usr/bin/python3 tools/sweep_summary.py tools/results/sweeps/*.json

With --per-task, two tables (linear probe, then k-NN) with a row per run and a column per task, each run given as
LABEL=PATH; PATH is a tools/torch_fmnist_cssl.py JSON file or a pnr-spark results.json (the same fields):

    /usr/bin/python3 tools/sweep_summary.py --per-task "pnr-spark, pnr=runs/x/pnr/results.json" "PyTorch, pnr=t.json"
"""
import json
import os
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


def per_task(labelled):
    runs = []
    for item in labelled:
        label, sep, path = item.rpartition("=")
        if not sep or not label:
            sys.exit(f"--per-task takes LABEL=PATH arguments, got {item!r}")
        with open(path) as f:
            runs.append((label, json.load(f)))
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


if __name__ == "__main__":
    if sys.argv[1:2] == ["--per-task"]:
        per_task(sys.argv[2:])
    else:
        main(sys.argv[1:])
