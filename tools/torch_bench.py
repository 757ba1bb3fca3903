#!/usr/bin/env python3
"""The training step of `pnr-spark bench` in PyTorch, for the ratio of the two (`bench --torch` runs it).

Same network (the encoders of src/test/python/network_parity.py, SimCLR's projector features -> 2048 (ReLU) -> 128),
same input ([N, 2C, H, W] random views, unstacked to [2N, C, H, W] with the two views of an image side by side),
same loss (NT-Xent, temperature 0.2, over the 2N normalised embeddings), same optimiser (LARS as pnr-spark's
org.pnrspark.model.Lars: eta 0.02, weight decay 1e-4, clipping, biases and batch norm excluded; then heavy-ball
momentum SGD 0.9), lr 0.3 * batch / 256, same thread count.

    tools/torch_bench.py --encoder small-cnn,resnet18-cifar --batch 64,128,256 [--steps 10] [--repeats 3]
                         [--threads 2] [--profile]

Prints one JSON line per (encoder, batch): images per second (two views counted as two) min / median / max over
the repeats, ms per step and the CPU seconds the process has used (all threads), and a readable line on stderr.
Run alone, it is the PyTorch figure `bench --torch` must agree with. --profile adds the time of every leaf module run alone (forward and backward, the
minimum over the repeats) and of the loss and the optimiser step, as `bench --profile` does for DL4J.
"""
import argparse
import json
import math
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


def small_cnn(in_channels):
    layers = []
    c_in = in_channels
    for c, s in zip([32, 64, 128, 256], [1, 2, 2, 2]):
        layers += [nn.Conv2d(c_in, c, 3, stride=s, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU()]
        c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), 256


def resnet18_cifar(in_channels):
    net = torchvision.models.resnet18()
    net.conv1 = nn.Conv2d(in_channels, 64, kernel_size=3, stride=1, padding=2, bias=False)
    net.maxpool = nn.Identity()
    net.fc = nn.Identity()
    return net, 512


ENCODERS = {"small-cnn": (small_cnn, 1, 28), "resnet18-cifar": (resnet18_cifar, 3, 32)}


class SimclrNet(nn.Module):
    def __init__(self, encoder, features, hidden=2048, out=128):
        super().__init__()
        self.encoder = encoder
        self.projector = nn.Sequential(nn.Linear(features, hidden), nn.ReLU(), nn.Linear(hidden, out))

    def forward(self, x):
        return self.projector(self.encoder(x))


def nt_xent(z, temperature=0.2):
    """z: [2N, d], rows (image 0 view 1, image 0 view 2, ...), as pnr-spark's NtXentLoss."""
    z1 = F.normalize(z[0::2], dim=1)
    z2 = F.normalize(z[1::2], dim=1)
    n = z1.shape[0]
    zz = torch.cat([z1, z2])
    logits = zz @ zz.t() / temperature
    logits = logits.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    positive = (zz * torch.cat([z2, z1])).sum(1) / temperature
    return (torch.logsumexp(logits, dim=1) - positive).mean()


class Lars:
    """LARS (solo-learn's, as org.pnrspark.model.Lars) around heavy-ball momentum SGD (torch.optim.SGD)."""

    def __init__(self, net, lr, momentum=0.9, weight_decay=1e-4, eta=0.02, eps=1e-8):
        self.lr, self.momentum, self.wd, self.eta, self.eps = lr, momentum, weight_decay, eta, eps
        self.params = []
        for module in net.modules():
            for name, p in module.named_parameters(recurse=False):
                excluded = name == "bias" or isinstance(module, nn.modules.batchnorm._BatchNorm)
                self.params.append((p, not excluded))
        self.velocity = [torch.zeros_like(p) for p, _ in self.params]

    @torch.no_grad()
    def step(self):
        for (p, lars), v in zip(self.params, self.velocity):
            g = p.grad
            if lars:
                w_norm, g_norm = torch.norm(p), torch.norm(g)
                if w_norm != 0 and g_norm != 0:
                    local = self.eta * w_norm / (g_norm + self.wd * w_norm + self.eps)
                    g = (g + self.wd * p) * torch.clamp(local / self.lr, max=1.0)
            v.mul_(self.momentum).add_(g)
            p.add_(v, alpha=-self.lr)

    def zero_grad(self):
        for p, _ in self.params:
            p.grad = None


def build(encoder, batch, seed=5):
    torch.manual_seed(seed)
    make, channels, side = ENCODERS[encoder]
    enc, features = make(channels)
    net = SimclrNet(enc, features).train()
    opt = Lars(net, lr=0.3 * batch / 256)
    views = torch.randn(batch, 2 * channels, side, side)
    return net, opt, views, channels, side


def step(net, opt, views, channels, side):
    x = views.reshape(-1, channels, side, side)
    opt.zero_grad()
    loss = nt_xent(net(x))
    loss.backward()
    opt.step()
    return loss


def throughput(encoder, batch, steps, repeats):
    net, opt, views, channels, side = build(encoder, batch)
    for _ in range(2):
        step(net, opt, views, channels, side)
    rates, ms = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            loss = step(net, opt, views, channels, side)
        dt = time.perf_counter() - t0
        rates.append(2 * batch * steps / dt)
        ms.append(1000 * dt / steps)
    if not math.isfinite(float(loss)):
        raise SystemExit("the loss became " + str(float(loss)))
    return {"encoder": encoder, "batch": batch, "threads": torch.get_num_threads(), "img_s_min": min(rates),
            "img_s_median": statistics.median(rates), "img_s_max": max(rates), "ms_per_step": statistics.median(ms),
            "torch": torch.__version__}


def timed(fn, repeats):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return 1000 * best


def profile(encoder, batch, repeats):
    """Each leaf module alone on the input it sees in the step: forward, then backward of a random gradient."""
    net, opt, views, channels, side = build(encoder, batch)
    x = views.reshape(-1, channels, side, side)
    seen = []
    hooks = [m.register_forward_hook(lambda m, i, o, name=name: seen.append((name, m, i[0].detach())))
             for name, m in net.named_modules() if len(list(m.children())) == 0]
    z = net(x)
    for h in hooks:
        h.remove()
    rows = []
    for name, module, inp in seen:
        if getattr(module, "inplace", False):
            module.inplace = False  # alone, on a leaf input (in the step it runs in place, saving a copy)
        inp = inp.clone().requires_grad_(True)
        out = module(inp)
        grad = torch.randn_like(out)
        fwd = timed(lambda: module(inp), repeats)

        def backward():
            o = module(inp)
            o.backward(grad)

        both = timed(backward, repeats)
        rows.append({"layer": name, "type": type(module).__name__, "fwd_ms": fwd, "bwd_ms": max(0.0, both - fwd)})
    z = z.detach().requires_grad_(True)
    loss_fwd = timed(lambda: nt_xent(z), repeats)
    loss_both = timed(lambda: nt_xent(z).backward(), repeats)
    rows.append({"layer": "loss", "type": "nt_xent", "fwd_ms": loss_fwd, "bwd_ms": max(0.0, loss_both - loss_fwd)})
    step(net, opt, views, channels, side)
    rows.append({"layer": "optimizer", "type": "Lars+SGD", "fwd_ms": timed(opt.step, repeats), "bwd_ms": 0.0})
    full = timed(lambda: step(net, opt, views, channels, side), repeats)
    return {"encoder": encoder, "batch": batch, "threads": torch.get_num_threads(), "step_ms": full, "layers": rows}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--encoder", default="small-cnn", type=names,
                    help="one or more of %s, comma-separated" % ", ".join(sorted(ENCODERS)))
    ap.add_argument("--batch", default=[64], type=lambda v: [int(b) for b in v.split(",")],
                    help="one or more batch sizes, comma-separated")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    for encoder in a.encoder:
        for batch in a.batch:
            result = throughput(encoder, batch, a.steps, a.repeats)
            if a.profile:
                result["profile"] = profile(encoder, batch, max(a.repeats, 3))
            usage = resource.getrusage(resource.RUSAGE_SELF)
            result["cpu_s"] = usage.ru_utime + usage.ru_stime
            print(json.dumps(result))
            sys.stdout.flush()
            print("%s batch %d, %d threads: %.1f img/s median (min %.1f, max %.1f) over %d repeats of %d steps"
                  % (encoder, batch, result["threads"], result["img_s_median"], result["img_s_min"],
                     result["img_s_max"], a.repeats, a.steps), file=sys.stderr)


def names(value):
    chosen = value.split(",")
    for name in chosen:
        if name not in ENCODERS:
            raise argparse.ArgumentTypeError("%r is not one of %s" % (name, ", ".join(sorted(ENCODERS))))
    return chosen


if __name__ == "__main__":
    main()
