#!/usr/bin/env python3
"""Projects an averaging round of pnr-spark onto N executors (docs/performance.md, "How far it scales").

A round is F steps of compute on every worker, then the parameters and optimizer state come back, are averaged,
and go out again. Its time, as modelled here:

    T(N) = F * t_step                                     compute (the GPU's step, the same on every worker)
         + a + c * x(N)                                   coordination: a fixed part, and c per worker result
                                                          received in sequence (deserialise, add, task book-keeping)
         + (down + block * log2 N) / BW                   broadcast: Spark's torrent, pipelined in 4 MB blocks
         + x(N) * up / BW                                 results: each receiver takes its inputs over its link
                                                          one after the other

x(N) is how many results some process receives one after the other under Spark's treeAggregate at depth 2
(dl4j-spark's default): N while the driver alone is quicker, else N/scale executors first (scale = ceil(sqrt N)).
a and c come from `bench --spark` on Spark's local-cluster master (N executor JVMs on one machine, loopback in
place of the network, so the measured coordination is a + c * x(N) with no transfer term); up and down from
`bench --serialization` ("what an averaging round moves"). Printed: the round's time, the compute share
(efficiency), the images per second of all workers, and the least averaging frequency at which everything but
compute stays under 20 % of the round.

    tools/scaling_model.py --fixed 0.05 --per-result 0.02 --up-mb 90 --down-mb 90 --step-ms 50,200 --batch 128
"""
import argparse
import math


def results_in_sequence(n, depth=2):
    partitions = n
    scale = max(math.ceil(partitions ** (1.0 / depth)), 2)
    total = 0
    while partitions > scale + math.ceil(partitions / scale):
        nxt = partitions // scale
        total += math.ceil(partitions / nxt)
        partitions = nxt
    return total + partitions


def round_parts(n, a, c, up_mb, down_mb, keys_mb_per_step, frequency, step_s, gbps, block_mb):
    """(compute, everything else) in seconds for one round on n workers."""
    mb_per_s = gbps * 1000 / 8
    x = results_in_sequence(n)
    broadcast = (down_mb + block_mb * math.log2(n)) / mb_per_s if n > 1 else 0.0
    results = x * (up_mb + keys_mb_per_step * frequency) / mb_per_s if n > 1 else 0.0
    return frequency * step_s, a + c * x + broadcast + results


def least_frequency(n, args, step_s, gbps, share=0.2, limit=10_000):
    for f in range(1, limit + 1):
        compute, other = round_parts(n, args.fixed, args.per_result, args.up_mb, args.down_mb,
                                     args.keys_mb_per_step, f, step_s, gbps, args.block_mb)
        if other <= share * (compute + other):
            return f
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fixed", type=float, required=True, help="a: coordination per round, seconds")
    p.add_argument("--per-result", type=float, required=True, help="c: seconds per result received in sequence")
    p.add_argument("--up-mb", type=float, required=True, help="MB a worker returns per round (state)")
    p.add_argument("--down-mb", type=float, required=True, help="MB broadcast per round")
    p.add_argument("--keys-mb-per-step", type=float, default=0.0, help="MoCo: MB of keys a worker returns per step")
    p.add_argument("--step-ms", default="50,200", help="a worker's training step, ms (comma-separated)")
    p.add_argument("--batch", type=int, required=True, help="images per worker and step")
    p.add_argument("--frequency", type=int, default=5, help="steps per averaging round")
    p.add_argument("--bandwidth-gbps", default="10,25", help="network bandwidth per node, Gb/s")
    p.add_argument("--workers", default="1,2,4,8,16,32,64")
    p.add_argument("--block-mb", type=float, default=4.0, help="spark.broadcast.blockSize, MB")
    p.add_argument("--label", default="")
    args = p.parse_args()
    steps = [float(s) / 1000 for s in args.step_ms.split(",")]
    bandwidths = [float(b) for b in args.bandwidth_gbps.split(",")]
    workers = [int(n) for n in args.workers.split(",")]
    print(f"{args.label + ': ' if args.label else ''}a {args.fixed:.3f} s, c {args.per_result:.4f} s per result, "
          f"up {args.up_mb:.1f} MB, down {args.down_mb:.1f} MB, batch {args.batch} per worker, "
          f"averaging every {args.frequency} steps")
    columns = [(step_s, gbps) for step_s in steps for gbps in bandwidths]
    print("| workers | " + " | ".join(f"{st * 1000:.0f} ms step, {g:g} Gb/s" for st, g in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for n in workers:
        cells = []
        for step_s, gbps in columns:
            compute, other = round_parts(n, args.fixed, args.per_result, args.up_mb, args.down_mb,
                                         args.keys_mb_per_step, args.frequency, step_s, gbps, args.block_mb)
            total = compute + other
            f = least_frequency(n, args, step_s, gbps)
            cells.append(f"{100 * compute / total:.0f} % · {n * args.frequency * args.batch / total:,.0f} img/s · "
                         f"{f if f else '> 10,000'}")
        print(f"| {n} | " + " | ".join(cells) + " |")
    print("(each cell: efficiency at the given frequency · images per second of all workers · the least averaging "
          "frequency at which compute is at least 80 % of the round)")

if __name__ == "__main__":
    main()
