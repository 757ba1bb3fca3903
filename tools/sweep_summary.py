#!/usr/bin/env python3
"""Prints the runs of tools/sweep_fmnist.sh (their JSON files) as a Markdown table: each run's linear probe and
k-NN on all classes at random initialisation, after task 0 and after its last task, and the last task's gain.

    /usr/bin/python3 tools/sweep_summary.py tools/results/sweeps/*.json
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


if __name__ == "__main__":
    main(sys.argv[1:])
