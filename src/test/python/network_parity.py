#!/usr/bin/env python3
"""Network parity vectors: every network of pnr-spark computed by PyTorch in float64.

For each case (an encoder or a head), the weights, the running statistics, the input and the weighting of the
output are filled by a closed-form rule (no random numbers, nothing large to store):

    value[i] = offset + scale * sin(freq * i + phase),   i = flat index in PyTorch's (row-major) layout

and PyTorch computes:
  - output_eval:  the output in inference mode (running statistics);
  - output_train: the output in training mode (batch statistics), which also updates the running statistics;
  - running:      the updated running mean and variance of every batch norm;
  - grad_input, grad: the gradients of L = sum(C * output_train) with respect to the input and every parameter.

The "online" cases are task 1's training objective: the network the task trains (encoder, projector and the
continual strategy's distill predictor g) and its loss, computed by the PyTorch peer (tools/torch_fmnist_cssl.py,
its Model and losses, written from the reference's specification; its SHA-256 is recorded too) on two views, with
the frozen model's projections [f1 | f2] filled by a rule as the labels. Their output is the loss (weight 1), so
grad and grad_input are the gradients the optimizer receives; the optimizer itself is not run.

Arrays are stored as digests (see README, "Checking the networks against the reference"): all values of arrays
of up to FULL elements; for larger ones the values at SAMPLES listed indices, their sum and their dot product
with the weights sin(0.7 i + 0.3). Every digest carries the array's RMS, the scale of its tolerance.

Usage (PyTorch and torchvision from Debian: apt-get install python3-torch python3-torchvision):
    /usr/bin/python3 src/test/python/network_parity.py > src/test/resources/golden/networks-reference.json
"""
import hashlib
import importlib.util
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

torch.set_default_dtype(torch.float64)

FULL = 512
SAMPLES = 64
DOT = {"freq": 0.7, "phase": 0.3}
GOLDEN_RATIO_FRACTION = 0.6180339887498949
INPUT_FREQ = 0.37
PARAM_FREQ = 1.0
PARAM_FREQ_STEP = 0.37
PARAM_CHIRP = 0.01
INPUT_CHIRP = 0.01


def rule(offset, scale, freq, phase, chirp=0.0):
    return {"offset": offset, "scale": scale, "freq": freq, "chirp": chirp, "phase": phase}


def fill(shape, r):
    n = math.prod(shape)
    i = torch.arange(n, dtype=torch.float64)
    # the operations in this order (((freq*i) + ((chirp*i)*i)) + phase) give the same doubles in Java
    return (r["offset"] + r["scale"] * torch.sin(r["freq"] * i + r["chirp"] * i * i + r["phase"])).reshape(shape)


def digest(t):
    flat = t.detach().reshape(-1).to(torch.float64)
    n = flat.numel()
    d = {"shape": list(t.shape), "rms": math.sqrt(float((flat * flat).mean()))}
    if n <= FULL:
        d["values"] = flat.tolist()
    else:
        index = [int(n * ((k * GOLDEN_RATIO_FRACTION) % 1.0)) for k in range(SAMPLES)]
        d["index"] = index
        d["sample"] = [float(flat[i]) for i in index]
        d["sum"] = float(flat.sum())
        d["dot"] = float((flat * fill([n], rule(0.0, 1.0, DOT["freq"], DOT["phase"]))).sum())
    return d


# ---------------------------------------------------------------------------------------------------------------
# The networks, as docs/reference.md §2 and torchvision define them, each with the map from PyTorch's parameter names to
# pnr-spark's layer and parameter names.

def small_cnn(in_channels):
    layers = []
    names = {}
    c_in = in_channels
    for i, (c, s) in enumerate(zip([32, 64, 128, 256], [1, 2, 2, 2])):
        layers += [nn.Conv2d(c_in, c, 3, stride=s, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU()]
        names[f"{3 * i}"] = f"enc_conv{i + 1}"
        names[f"{3 * i + 1}"] = f"enc_bn{i + 1}"
        c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), names


def resnet18(cifar_stem):
    net = torchvision.models.resnet18()
    if cifar_stem:
        net.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=2, bias=False)
        net.maxpool = nn.Identity()
    net.fc = nn.Identity()
    names = {"conv1": "enc_stem_conv", "bn1": "enc_stem_bn"}
    for stage in range(1, 5):
        for block in range(2):
            p, q = f"layer{stage}.{block}", f"enc_l{stage}_b{block}_"
            names.update({f"{p}.conv1": q + "conv1", f"{p}.bn1": q + "bn1", f"{p}.conv2": q + "conv2",
                          f"{p}.bn2": q + "bn2", f"{p}.downsample.0": q + "down_conv", f"{p}.downsample.1": q + "down_bn"})
    return net, names


class Normalize(nn.Module):
    def forward(self, x):
        return F.normalize(x, dim=1)


def linear_relu_linear(d_in, hidden, d_out, prefix):
    """SimCLR's and MoCo's projector: Linear, ReLU, Linear (no batch norm)."""
    return (nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, d_out)),
            {"0": prefix + "fc1", "2": prefix + "fc2"})


def bn_mlp(d_in, hidden, d_out, prefix):
    """BYOL's projector and predictor, the distill predictor: Linear, BatchNorm1d, ReLU, Linear."""
    return (nn.Sequential(nn.Linear(d_in, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, d_out)),
            {"0": prefix + "fc1", "1": prefix + "bn", "3": prefix + "fc2"})


def bn_projector(d_in, hidden, d_out):
    """Barlow Twins' and VICReg's projector: (Linear, BatchNorm1d, ReLU) x 2, Linear."""
    net = nn.Sequential(nn.Linear(d_in, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
                        nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, d_out))
    return net, {"0": "proj_fc1", "1": "proj_bn1", "3": "proj_fc2", "4": "proj_bn2", "6": "proj_fc3"}


# What each case builds in pnr-spark: an encoder by name, or a part of a method's heads ("projector", "predictor",
# "distill_predictor" at task 1 under the strategy given), with the configuration the dimensions come from.
CASES = [
    ("small-cnn-1x28x28", {"network": "encoder", "encoder": "small-cnn"}, lambda: small_cnn(1), [8, 1, 28, 28]),
    ("small-cnn-3x32x32", {"network": "encoder", "encoder": "small-cnn"}, lambda: small_cnn(3), [8, 3, 32, 32]),
    ("resnet18-cifar-3x32x32", {"network": "encoder", "encoder": "resnet18-cifar"}, lambda: resnet18(True),
     [4, 3, 32, 32]),
    ("resnet18-imagenet-3x64x64", {"network": "encoder", "encoder": "resnet18-imagenet"}, lambda: resnet18(False),
     [4, 3, 64, 64]),
    ("simclr-projector", {"network": "head", "method": "simclr", "part": "projector"},
     lambda: linear_relu_linear(512, 2048, 128, "proj_"), [16, 512]),
    ("mocov2plus-projector", {"network": "head", "method": "mocov2plus", "part": "projector"},
     lambda: (lambda n, m: (nn.Sequential(n, Normalize()), {"0." + k: v for k, v in m.items()}))(
         *linear_relu_linear(512, 2048, 128, "proj_")), [16, 512]),
    ("byol-projector", {"network": "head", "method": "byol", "part": "projector"},
     lambda: bn_mlp(512, 4096, 256, "proj_"), [16, 512]),
    ("byol-predictor", {"network": "head", "method": "byol", "part": "predictor"},
     lambda: bn_mlp(256, 4096, 256, "pred_"), [16, 256]),
    ("barlow-projector", {"network": "head", "method": "barlow", "part": "projector"},
     lambda: bn_projector(512, 2048, 2048), [16, 512]),
    ("vicreg-projector", {"network": "head", "method": "vicreg", "part": "projector"},
     lambda: bn_projector(512, 2048, 2048), [16, 512]),
    ("simclr-distill-predictor", {"network": "head", "method": "simclr", "part": "distill_predictor",
                                  "strategy": "cassle"},
     lambda: bn_mlp(128, 2048, 128, "distill_"), [16, 128]),
    ("mocov2plus-pnr-distill-predictor", {"network": "head", "method": "mocov2plus", "part": "distill_predictor",
                                          "strategy": "pnr"},
     lambda: (lambda n, m: (nn.Sequential(n, Normalize()), {"0." + k: v for k, v in m.items()}))(
         *bn_mlp(128, 2048, 128, "distill_")), [16, 128]),
]

# The task-1 training objective of SimCLR on Fashion-MNIST's small CNN under each strategy (conf/fmnist-drift.conf's
# networks), with the settings in pnr-spark's keys and the peer's arguments from one table. The two temperatures and
# distill_lamb differ from each other and from 1, so that a loss reading the wrong one, or a term missing its weight,
# fails. Weight decay is the optimizer's (not compared here), off so that DL4J's score is the loss alone.
STEP_SETTINGS = [  # (pnr-spark key, peer argument, value)
    ("simclr.proj_hidden_dim", "--proj-hidden-dim", 512),
    ("simclr.proj_output_dim", "--proj-output-dim", 128),
    ("simclr.distill_proj_hidden_dim", "--distill-proj-hidden-dim", 512),
    ("simclr.temperature", "--temperature", 0.2),
    ("simclr.distill_temperature", "--distill-temperature", 0.3),
    ("simclr.distill_lamb", "--distill-lamb", 0.7),
]
STEP_SETS = ["data.dataset=fashion-mnist", "model.encoder=small-cnn", "method.name=simclr", "optim.weight_decay=0"]
ONLINE_CASES = [
    (f"simclr-{strategy}-task1", {"network": "online", "task": 1,
                                  "sets": STEP_SETS + [f"{k}={v}" for k, _, v in STEP_SETTINGS]
                                  + [f"continual.strategy={strategy}"]},
     ["--method", "simclr", "--strategy", strategy] + [str(x) for _, a, v in STEP_SETTINGS for x in (a, v)],
     [16, 2, 28, 28])
    for strategy in ["finetune", "cassle", "pnr"]
]

# PyTorch parameter and buffer names → pnr-spark's (DL4J's) parameter names.
PARAM = {("conv", "weight"): "W", ("fc", "weight"): "W", ("fc", "bias"): "b", ("bn", "weight"): "gamma",
         ("bn", "bias"): "beta", ("bn", "running_mean"): "mean", ("bn", "running_var"): "var"}


def parameter_rule(k, kind, attr, shape):
    """The rule of the k-th tensor of a network (parameters, then running statistics, in PyTorch's order)."""
    freq, phase = PARAM_FREQ + PARAM_FREQ_STEP * k, 0.5 * k
    chirp = PARAM_CHIRP
    if kind == "bn":
        offset, scale = {"weight": (1.0, 0.25), "bias": (0.0, 0.1), "running_mean": (0.0, 0.2),
                         "running_var": (1.0, 0.5)}[attr]
    elif attr == "bias":
        offset, scale = 0.0, 0.1
    else:
        offset, scale = 0.0, math.sqrt(2.0 / math.prod(shape[1:]))
    return rule(offset, scale, freq, phase, chirp)


def fill_parameters(net, names):
    """Fills every parameter and running statistic by its rule; returns their descriptions for the file."""
    parameters = []
    tensors = dict(net.named_parameters())
    tensors.update({k: v for k, v in net.named_buffers() if not k.endswith("num_batches_tracked")})
    for k, (torch_name, t) in enumerate(tensors.items()):
        module, attr = torch_name.rsplit(".", 1)
        m = net.get_submodule(module)
        kind = "bn" if isinstance(m, nn.modules.batchnorm._BatchNorm) else "conv" if isinstance(m, nn.Conv2d) else "fc"
        r = parameter_rule(k, kind, attr, list(t.shape))
        with torch.no_grad():
            t.copy_(fill(list(t.shape), r))
        parameters.append({"torch": torch_name, "layer": names[module], "param": PARAM[(kind, attr)],
                           "shape": list(t.shape), "rule": r})
    return parameters


def input_rule(ordinal):
    return rule(0.0, 1.0, INPUT_FREQ + 0.01 * ordinal, 0.1, INPUT_CHIRP)


def case(name, spec, build, input_shape, ordinal):
    net, names = build()
    parameters = fill_parameters(net, names)
    x = fill(input_shape, input_rule(ordinal)).requires_grad_(True)
    net.eval()
    with torch.no_grad():
        out_eval = net(x)
    net.train()
    out_train = net(x)
    weights_rule = rule(0.0, 1.0, 0.91, 0.2)
    c = fill(list(out_train.shape), weights_rule)
    (c * out_train).sum().backward()

    running, grads = expected_running_and_grads(net, parameters)
    return {"name": name, **spec, "input": {"shape": input_shape, "rule": input_rule(ordinal)},
            "output_weights": {"shape": list(out_train.shape), "rule": weights_rule},
            "parameters": parameters,
            "expected": {"output_eval": digest(out_eval), "output_train": digest(out_train), "running": running,
                         "grad_input": digest(x.grad), "grad": grads}}


PEER = os.path.join("tools", "torch_fmnist_cssl.py")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")


def peer():
    """tools/torch_fmnist_cssl.py, the PyTorch peer, as a module."""
    spec = importlib.util.spec_from_file_location("torch_fmnist_cssl", os.path.join(ROOT, PEER))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FrozenOutputs(nn.Module):
    """Stands in for the frozen previous model: its projections of view 1 and view 2 are given, [f1 | f2]."""

    def __init__(self, x1, x2, f1, f2):
        super().__init__()
        self.x1, self.x2, self.f1, self.f2 = x1, x2, f1, f2

    def forward(self, x):
        if x is self.x1:
            return self.f1
        if x is self.x2:
            return self.f2
        raise ValueError("the peer's frozen model was called on a tensor that is neither view")


def expected_running_and_grads(net, parameters):
    """The running statistics and the gradients of every parameter, digested, by pnr-spark's "layer/param"."""
    running, grads = {}, {}
    for p in parameters:
        key = p["layer"] + "/" + p["param"]
        if p["param"] in ("mean", "var"):
            running[key] = digest(net.get_buffer(p["torch"]))
        else:
            grads[key] = digest(net.get_parameter(p["torch"]).grad)
    return running, grads


def online_case(name, spec, peer_args, input_shape, ordinal, torch_peer):
    """The peer's Model at the case's task: the loss of one minibatch and its gradients, in training mode."""
    args = torch_peer.arguments(peer_args)
    model = torch_peer.Model(args)
    model.start_task(spec["task"])
    dim, hidden = args.proj_output_dim, args.proj_hidden_dim
    parts = {"encoder": (model.encoder, small_cnn(1)[1]),
             "proj": (model.proj, linear_relu_linear(torch_peer.FEATURES, hidden, dim, "proj_")[1]),
             "g": (model.g, bn_mlp(dim, args.distill_proj_hidden_dim, dim, "distill_")[1])}
    net = nn.Module()
    names = {}
    for part, (module, layer_names) in parts.items():
        if module is None:
            continue
        net.add_module(part, module)
        names.update({f"{part}.{k}": v for k, v in layer_names.items()})
    parameters = fill_parameters(net, names)

    views = fill(input_shape, input_rule(ordinal)).requires_grad_(True)
    x1, x2 = views[:, 0:1], views[:, 1:2]
    labels_rule = rule(0.0, 1.0, 0.53, 0.4, 0.003)
    # the frozen model's [f1 | f2]; without one, the single unused column pnr-spark's loss layer takes
    labels = fill([input_shape[0], 2 * dim if model.frozen is not None else 1], labels_rule)
    if model.frozen is not None:
        model.frozen = FrozenOutputs(x1, x2, labels[:, :dim], labels[:, dim:])
    for m in model.trained():
        m.train()
    loss = model.loss(x1, x2)
    loss.backward()
    running, grads = expected_running_and_grads(net, parameters)
    return {"name": name, **spec, "input": {"shape": input_shape, "rule": input_rule(ordinal)},
            "labels": {"shape": list(labels.shape), "rule": labels_rule},
            "output_weights": {"shape": [1], "rule": rule(1.0, 0.0, 0.0, 0.0)},
            "parameters": parameters,
            "expected": {"output_train": digest(loss.detach().reshape(1)), "running": running,
                         "grad_input": digest(views.grad), "grad": grads}}


def sha256(path):
    """SHA-256 of a file: this script's and the peer's are recorded in the file it writes (GoldenFilesTest checks
    them against the files as they are)."""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    cases = [case(n, s, b, shape, i) for i, (n, s, b, shape) in enumerate(CASES)]
    torch_peer = peer()
    cases += [online_case(n, s, a, shape, len(CASES) + i, torch_peer) for i, (n, s, a, shape) in enumerate(ONLINE_CASES)]
    json.dump({"format": "pnr-spark network parity 1", "dtype": "float64",
               "generator": "src/test/python/network_parity.py", "generator_sha256": sha256(__file__),
               "peer": PEER, "peer_sha256": sha256(os.path.join(ROOT, PEER)),
               "torch": torch.__version__, "torchvision": torchvision.__version__,
               "digest": {"full": FULL, "samples": SAMPLES, "dot": DOT},
               "cases": cases}, sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
