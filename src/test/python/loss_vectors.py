#!/usr/bin/env python3
"""Golden loss vectors: every loss family computed by the reference's own loss functions, in float64.

The reference is PNR's code (https://github.com/csm9493/PNR, commit 123d9c5), whose loss functions are CaSSLe's and
solo-learn's plus its own (cassle/losses/pnr.py). This script loads those functions from a checkout of it, file by
file (cassle/losses/<name>.py: importing the package would pull in PyTorch Lightning and its methods), and composes
them as the reference's methods and distillers do in their training steps (each family names the file below).
It reads the cases (names, loss families, parameters and inputs) of a golden file, computes every value and the
gradient of each input listed under "grads" with PyTorch's autograd, and writes the file again with them, its own
path and SHA-256 (GoldenFilesTest checks the SHA-256 against this script). The inputs of
src/test/resources/golden/losses-reference.json are seeded random normal matrices (L2-normalised where the family
says so); its values and gradients are this script's.

Usage (PyTorch from Debian: apt-get install python3-torch):
    git clone https://github.com/csm9493/PNR /tmp/PNR && git -C /tmp/PNR checkout 123d9c5
    /usr/bin/python3 src/test/python/loss_vectors.py /tmp/PNR src/test/resources/golden/losses-reference.json \\
        > losses.json
"""
import hashlib
import importlib.util
import json
import os
import sys

import torch

torch.set_default_dtype(torch.float64)
REFERENCE_COMMIT = "123d9c5"


def load(checkout, name):
    """The reference's cassle/losses/<name>.py as a module of its own."""
    path = os.path.join(checkout, "cassle", "losses", name + ".py")
    spec = importlib.util.spec_from_file_location("reference_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def families(ref):
    simclr, byol, barlow, vicreg, moco, simsiam, pnr = (ref[n] for n in
                                                        ("simclr", "byol", "barlow", "vicreg", "moco", "simsiam", "pnr"))
    half = 0.5
    return {
        # cassle/methods/simclr.py
        "nt_xent": lambda x, p: simclr.simclr_loss_func(x["z1"], x["z2"], p["temperature"]),
        # cassle/distillers/simclr_pnr.py
        "simclr_pnr": lambda x, p: half * (
            pnr.simclr_moco_loss_func(x["p1"], x["p2"], x["z1"], x["z2"], x["f1"], x["f2"], p["temperature"])
            + pnr.simclr_moco_loss_func(x["p2"], x["p1"], x["z2"], x["z1"], x["f2"], x["f1"], p["temperature"])),
        # cassle/distillers/contrastive.py
        "cassle_contrastive": lambda x, p: half * (
            simclr.simclr_distill_loss_func(x["p1"], x["p2"], x["f1"], x["f2"], p["temperature"])
            + simclr.simclr_distill_loss_func(x["f1"], x["f2"], x["p1"], x["p2"], p["temperature"])),
        # cassle/methods/byol.py (one direction)
        "byol": lambda x, p: byol.byol_loss_func(x["p"], x["z"]),
        # cassle/distillers/predictive.py
        "cassle_predictive": lambda x, p: half * (byol.byol_loss_func(x["p1"], x["f1"])
                                                  + byol.byol_loss_func(x["p2"], x["f2"])),
        # cassle/distillers/byol_pnr.py (its distill terms)
        "byol_pnr": lambda x, p: (
            p["distill_lamb"] * half * (byol.byol_loss_func(x["p1"], x["f1"]) + byol.byol_loss_func(x["p2"], x["f2"]))
            - p["negative_lamb"] * half * (byol.byol_loss_func(x["p1"], x["f2"])
                                           + byol.byol_loss_func(x["p2"], x["f1"]))),
        # cassle/methods/barlow_twins.py
        "barlow": lambda x, p: barlow.barlow_loss_func(x["z1"], x["z2"], p["lamb"], p["scale_loss"]),
        # cassle/distillers/decorrelative.py
        "cassle_decorrelative": lambda x, p: half * (
            barlow.barlow_loss_func(x["p1"], x["f1"], p["lamb"], p["scale_loss"])
            + barlow.barlow_loss_func(x["p2"], x["f2"], p["lamb"], p["scale_loss"])),
        # cassle/distillers/barlow_pnr.py (its distill terms)
        "barlow_pnr": lambda x, p: (
            p["distill_lamb"] * half * (barlow.barlow_loss_func(x["p1"], x["f1"], p["lamb"], p["scale_loss"])
                                        + barlow.barlow_loss_func(x["p2"], x["f2"], p["lamb"], p["scale_loss"]))
            - p["negative_lamb"] * half * (simsiam.simsiam_loss_func(x["p1"], x["f2"])
                                           + simsiam.simsiam_loss_func(x["p2"], x["f1"]))),
        # cassle/methods/vicreg.py
        "vicreg": lambda x, p: vicreg.vicreg_loss_func(x["z1"], x["z2"], p["sim_weight"], p["var_weight"],
                                                       p["cov_weight"]),
        # cassle/distillers/vicreg_pnr.py (its distill terms)
        "vicreg_pnr": lambda x, p: (
            p["distill_lamb"] * half * (vicreg.invariance_loss(x["p1"], x["f1"]) + vicreg.invariance_loss(x["p2"], x["f2"]))
            - p["negative_lamb"] * half * (vicreg.invariance_loss(x["p1"], x["f2"])
                                           + vicreg.invariance_loss(x["p2"], x["f1"]))),
        # cassle/methods/mocov2plus.py; queue is [2, D, K]
        "moco": lambda x, p: half * (moco.moco_loss_func(x["q1"], x["k2"], x["queue"][1], p["temperature"])
                                     + moco.moco_loss_func(x["q2"], x["k1"], x["queue"][0], p["temperature"])),
        # cassle/distillers/mocov2plus_pnr.py: queue holds the momentum keys, queue2 the frozen model's
        "moco_pnr": lambda x, p: half * (
            pnr.moco_pnr_loss_func(x["q1"], x["k2"], x["queue"][1], x["p1"], x["f1"], x["k1"], x["queue2"][1], x["p2"],
                                   p["temperature"], p["distill_temperature"])
            + pnr.moco_pnr_loss_func(x["q2"], x["k1"], x["queue2"][0], x["p2"], x["f2"], x["k2"], x["queue"][0],
                                     x["p1"], p["temperature"], p["distill_temperature"])),
    }


def own_sha256():
    with open(__file__, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main(checkout, cases_file):
    if not torch.cuda.is_available():
        # moco_pnr_loss_func puts its labels on the GPU with .cuda(); here they stay where they are
        torch.Tensor.cuda = lambda self, *args, **kwargs: self
    ref = {n: load(checkout, n) for n in ("simclr", "byol", "barlow", "vicreg", "moco", "simsiam", "pnr")}
    loss_of = families(ref)
    with open(cases_file) as f:
        cases = json.load(f)["cases"]
    out = []
    for c in cases:
        x = {k: torch.tensor(v, requires_grad=k in c["grads"]) for k, v in c["inputs"].items()}
        value = loss_of[c["loss"]](x, c["params"])
        value.backward()
        out.append({"name": c["name"], "loss": c["loss"], "params": c["params"], "inputs": c["inputs"],
                    "value": value.item(), "grads": {k: x[k].grad.tolist() for k in c["grads"]}})
    json.dump({"dtype": "float64", "generator": "src/test/python/loss_vectors.py", "generator_sha256": own_sha256(),
               "reference": "csm9493/PNR@" + REFERENCE_COMMIT, "torch": torch.__version__, "cases": out}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: loss_vectors.py PNR_CHECKOUT CASES.json > OUT.json")
    main(sys.argv[1], sys.argv[2])
