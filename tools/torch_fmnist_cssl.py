#!/usr/bin/env python3
"""An independent single-process PyTorch run of pnr-spark's Fashion-MNIST protocol (conf/fmnist-5t-<method>.conf).

Written from the reference's specification (docs/reference.md), not from pnr-spark's code, for the five methods:
- the small CNN (four 3x3 conv-BN-ReLU blocks, 32/64/128/256 channels, strides 1/2/2/2, global average pool);
- each method's heads (§2): SimCLR's and MoCo v2+'s projector 256 -> H, ReLU -> D (MoCo's output L2-normalised),
  BYOL's 256 -> H, BN, ReLU -> D with its predictor D -> H', BN, ReLU -> D, Barlow Twins' and VICReg's
  256 -> H, BN, ReLU -> H, BN, ReLU -> D; the distill predictor g (D -> H, BN, ReLU -> D);
- the momentum target of MoCo v2+ and BYOL (an EMA of encoder and projector parameters after every step, tau on
  the per-step cosine schedule restarted every task, run in train mode; §3.4) and MoCo's key queues (one of the
  momentum keys, and under PNR one of the frozen model's keys; both start as normalised noise and are carried
  across tasks; §3.2, §5.2);
- the reference's losses (§3, §4, §5): NT-Xent, MoCo, BYOL, Barlow Twins, VICReg; CaSSLe's contrastive,
  predictive, decorrelative and predictive-MSE distillers; the five PNR losses. `--check-losses` compares every
  one of them that has golden vectors with the reference's values and gradients;
- momentum SGD with coupled weight decay (none on biases and batch-norm parameters), or the reference's LARS
  (eta 0.02, clipped trust ratio, weight decay inside; biases skip it under exclude_bias_n_norm, batch-norm
  parameters always, as in pnr-spark), the learning rate scaled by batch / 256 on a per-epoch warm-up + cosine
  schedule restarted every task;
- the frozen copy of the previous task's encoder and projector in eval mode, and the two views through the
  encoder one after the other, as the reference does (pnr-spark passes them together, each batch norm keeping the
  views' statistics apart; with model.batch_norm_views=joint it normalises them together: --joint-views does that
  here).

After every task (and for the random initialisation) it extracts features of every training and test image without
augmentation and evaluates a linear probe (multinomial logistic regression on standardised features, L-BFGS, L2
1e-4, 100 iterations: the model of pnr-spark's `fast` probe) and a weighted k-NN (k 20, temperature 0.07), each over
all classes, and prints the accuracy matrix; from task 1 on, also the drift of the test images' features from the
previous task's model (mean cosine distance and 1 - linear CKA, as pnr-spark's feature_drift). `--domains` turns
the class-incremental split into a domain-incremental one: each task holds a disjoint part of the images of all ten
classes under its own transformation (inverted intensities, rotations, a vertical flip, fixed pixel shuffles).

    /usr/bin/python3 tools/torch_fmnist_cssl.py --data /usr/share/datasets/fashion-mnist --strategy pnr \
        --epochs 5 --lr 0.05 --weight-decay 5e-4 --warmup-epochs 0 --batch 256 --out tools/results/pnr.json

Needs PyTorch and torchvision (Debian: apt-get install python3-torch python3-torchvision).
"""
import argparse
import copy
import gzip
import json
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.transforms as T
from PIL import Image

MEAN, STD = 0.2860, 0.3530
METHODS = ["simclr", "mocov2plus", "byol", "barlow", "vicreg"]
# Per method: projector hidden and output width by default (the reference's heads narrowed for the small CNN, the
# sweeps' starting point; conf/fmnist-5t-<method>.conf may differ, and every run's JSON records all its arguments).
HEADS = {"simclr": (512, 128), "mocov2plus": (512, 128), "byol": (512, 128), "barlow": (512, 512),
         "vicreg": (512, 512)}


# ---------------------------------------------------------------------------------------------------------------
# Data

def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(root, max_per_class=0):
    xs = read_idx(f"{root}/train-images-idx3-ubyte.gz")
    ys = read_idx(f"{root}/train-labels-idx1-ubyte.gz").astype(np.int64)
    xt = read_idx(f"{root}/t10k-images-idx3-ubyte.gz")
    yt = read_idx(f"{root}/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    if max_per_class > 0:
        keep, seen = [], {}
        for i, y in enumerate(ys):
            if seen.get(y, 0) < max_per_class:
                keep.append(i)
                seen[y] = seen.get(y, 0) + 1
        xs, ys = xs[keep], ys[keep]
    return xs, ys, xt, yt


DOMAINS = {
    "identity": lambda x: x,
    "invert": lambda x: 255 - x,
    "rot90": lambda x: np.rot90(x, 1, axes=(1, 2)),
    "rot180": lambda x: np.rot90(x, 2, axes=(1, 2)),
    "rot270": lambda x: np.rot90(x, 3, axes=(1, 2)),
    "vflip": lambda x: x[:, ::-1, :],
}


def _permutation(k):
    return np.random.default_rng(1000 + k).permutation(28 * 28)


def _permuted(k):
    """A fixed shuffle of the 784 pixel positions ("Permuted MNIST"): no augmentation maps one onto another."""
    order = _permutation(k)
    return lambda x: x.reshape(len(x), -1)[:, order].reshape(x.shape)


def view_transform_of(domain):
    """--transform-views: the domain's transformation of a batch of augmented views (B x 1 x 28 x 28), or None for
    the identity. Only the pixel shuffles: as Permuted MNIST shuffles a classifier's inputs, each view is cropped and
    jittered as an upright image, then shuffled, so two views of one image are shuffled alike."""
    if domain == "identity":
        return None
    order = torch.from_numpy(_permutation(int(domain[4:])))
    return lambda v: v.flatten(1)[:, order].view_as(v)


DOMAINS.update({f"perm{k}": _permuted(k) for k in range(1, 5)})


def domain_split(data, domains, seed):
    """Domain-incremental: the training and the test images each dealt at random into len(domains) disjoint parts of
    all ten classes, part d transformed by domain d. Returns the transformed data and each image's domain."""
    xs, ys, xt, yt = data
    rng = np.random.default_rng(seed)
    out, ids = [], []
    for x in (xs, xt):
        part = np.empty(len(x), dtype=np.int64)
        for d, chunk in enumerate(np.array_split(rng.permutation(len(x)), len(domains))):
            part[chunk] = d
        y = x.copy()
        for d, name in enumerate(domains):
            y[part == d] = DOMAINS[name](x[part == d])
        out.append(np.ascontiguousarray(y))
        ids.append(part)
    return (out[0], ys, out[1], yt), ids[0], ids[1]


def view_transform(solarize_prob, crop_min_scale):
    """The CIFAR recipe of the PNR scripts as conf/fmnist-5t.conf sets it (torchvision, per view)."""
    return T.Compose([
        T.RandomResizedCrop(28, scale=(crop_min_scale, 1.0), interpolation=T.InterpolationMode.BICUBIC),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.2, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
        T.RandomSolarize(128, p=solarize_prob),
        T.RandomHorizontalFlip(),
        T.ToTensor(),
        T.Normalize((MEAN,), (STD,)),
    ])


class TwoViews(torch.utils.data.Dataset):
    def __init__(self, images, crop_min_scale, solarize):
        self.images = images
        self.t1 = view_transform(solarize[0], crop_min_scale)
        self.t2 = view_transform(solarize[1], crop_min_scale)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        img = Image.fromarray(self.images[i], mode="L")
        return self.t1(img), self.t2(img)


def plain(images):
    x = torch.from_numpy(np.array(images)).float().div(255.0).unsqueeze(1)
    return (x - MEAN) / STD


# ---------------------------------------------------------------------------------------------------------------
# Networks (docs/reference.md §2)

FEATURES = 256


def small_cnn():
    layers, c_in = [], 1
    for c, s in zip([32, 64, 128, 256], [1, 2, 2, 2]):
        layers += [nn.Conv2d(c_in, c, 3, stride=s, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
        c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    net = nn.Sequential(*layers)
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
    return net


class Normalize(nn.Module):
    def forward(self, x):
        return F.normalize(x, dim=1)


def mlp(d_in, hidden, out, bn_layers):
    """d_in -> hidden [BN] ReLU (-> hidden [BN] ReLU)* -> out; bn_layers = 0 (no BN, one hidden layer) or the
    number of hidden BN-ReLU layers."""
    if bn_layers == 0:
        return nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, out))
    layers, d = [], d_in
    for _ in range(bn_layers):
        layers += [nn.Linear(d, hidden), nn.BatchNorm1d(hidden), nn.ReLU(inplace=True)]
        d = hidden
    return nn.Sequential(*layers, nn.Linear(d, out))


def projector(method, hidden, out):
    if method == "simclr":
        return mlp(FEATURES, hidden, out, 0)
    if method == "mocov2plus":
        return nn.Sequential(mlp(FEATURES, hidden, out, 0), Normalize())
    if method == "byol":
        return mlp(FEATURES, hidden, out, 1)
    return mlp(FEATURES, hidden, out, 2)


def distill_predictor(dim, hidden, normalize):
    g = mlp(dim, hidden, dim, 1)
    return nn.Sequential(g, Normalize()) if normalize else g


# ---------------------------------------------------------------------------------------------------------------
# Losses (docs/reference.md §3, §4, §5), each a function of named tensors

def nt_xent(z1, z2, temperature):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    s = z @ z.t() / temperature
    s.fill_diagonal_(float("-inf"))
    pos = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(s, pos)


def cassle_contrastive(p1, p2, f1, f2, temperature):
    def lc(a, b):
        a = F.normalize(a, dim=1)
        b = F.normalize(b, dim=1)
        logits = a @ b.t() / temperature
        return F.cross_entropy(logits, torch.arange(a.shape[0]))
    p, f = torch.cat([p1, p2]), torch.cat([f1, f2])
    return 0.5 * (lc(p, f) + lc(f, p))


def simclr_pnr(z1, z2, p1, p2, f1, f2, temperature):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    f = F.normalize(torch.cat([f1, f2]), dim=1)
    p = F.normalize(torch.cat([p1, p2]), dim=1)
    n2 = z.shape[0]
    n = n2 // 2
    eye = torch.eye(n2, dtype=torch.bool)
    pos = torch.cat([torch.arange(n, n2), torch.arange(0, n)])
    zz = (z @ z.t() / temperature).masked_fill(eye, float("-inf"))
    zf = (z @ f.t() / temperature).masked_fill(eye, float("-inf"))
    l1 = torch.logsumexp(torch.cat([zz, zf], dim=1), dim=1) - zz[torch.arange(n2), pos]
    pf = p @ f.t() / temperature
    pz = (p @ z.t() / temperature).masked_fill(eye, float("-inf"))
    positive = pf.diagonal()
    l2 = torch.logsumexp(torch.cat([pf.masked_fill(eye, float("-inf")), pz], dim=1), dim=1) - positive
    return l1.mean() + l2.mean()


def _queue_ce(a, pos, negatives, temperature):
    """mean over the batch of CE([a.pos, a.negatives] / T, target 0): the positive is in the denominator."""
    logits = torch.cat([(a * pos).sum(1, keepdim=True), a @ negatives], dim=1) / temperature
    return F.cross_entropy(logits, torch.zeros(a.shape[0], dtype=torch.long))


def moco(q1, q2, k1, k2, queue, temperature):
    return 0.5 * (_queue_ce(q1, k2, queue[1], temperature) + _queue_ce(q2, k1, queue[0], temperature))


def moco_pnr(q1, q2, k1, k2, queue, queue2, p1, p2, f1, f2, temperature, distill_temperature):
    n1 = torch.cat([queue[1], queue2[1]], dim=1)
    n0 = torch.cat([queue2[0], queue[0]], dim=1)
    return 0.5 * (_queue_ce(q1, k2, n1, temperature) + _queue_ce(p1, f1, n1, distill_temperature)
                  + _queue_ce(q2, k1, n0, temperature) + _queue_ce(p2, f2, n0, distill_temperature))


def byol(p, z):
    return 2 - 2 * F.cosine_similarity(p, z, dim=-1).mean()


def cassle_predictive(p1, p2, f1, f2):
    return 0.5 * (byol(p1, f1) + byol(p2, f2))


def byol_pnr(p1, p2, f1, f2, distill_lamb, negative_lamb):
    return distill_lamb * cassle_predictive(p1, p2, f1, f2) - negative_lamb * 0.5 * (byol(p1, f2) + byol(p2, f1))


def barlow(z1, z2, lamb, scale_loss):
    n, d = z1.shape
    bn = lambda z: (z - z.mean(0)) / torch.sqrt(z.var(0, unbiased=False) + 1e-5)
    c = bn(z1).t() @ bn(z2) / n
    on_diag = (torch.diagonal(c) - 1).pow(2).sum()
    off_diag = (c - torch.diag(torch.diagonal(c))).pow(2).sum()
    return scale_loss * (on_diag + lamb * off_diag)


def cassle_decorrelative(p1, p2, f1, f2, lamb, scale_loss):
    return 0.5 * (barlow(p1, f1, lamb, scale_loss) + barlow(p2, f2, lamb, scale_loss))


def barlow_pnr(p1, p2, f1, f2, lamb, scale_loss, distill_lamb, negative_lamb):
    neg_cos = lambda a, b: -F.cosine_similarity(a, b, dim=-1).mean()
    return (distill_lamb * cassle_decorrelative(p1, p2, f1, f2, lamb, scale_loss)
            - negative_lamb * 0.5 * (neg_cos(p1, f2) + neg_cos(p2, f1)))


def vicreg(z1, z2, sim_weight, var_weight, cov_weight):
    def var(z):
        return F.relu(1 - torch.sqrt(z.var(0) + 1e-4)).mean()

    def cov(z):
        n, d = z.shape
        z = z - z.mean(0)
        c = z.t() @ z / (n - 1)
        return (c - torch.diag(torch.diagonal(c))).pow(2).sum() / d
    return (sim_weight * F.mse_loss(z1, z2) + var_weight * (var(z1) + var(z2))
            + cov_weight * (cov(z1) + cov(z2)))


def cassle_predictive_mse(p1, p2, f1, f2):
    return 0.5 * (F.mse_loss(p1, f1) + F.mse_loss(p2, f2))


def vicreg_pnr(p1, p2, f1, f2, distill_lamb, negative_lamb):
    return (distill_lamb * cassle_predictive_mse(p1, p2, f1, f2)
            - negative_lamb * 0.5 * (F.mse_loss(p1, f2) + F.mse_loss(p2, f1)))


LOSSES = {f.__name__: f for f in [nt_xent, cassle_contrastive, simclr_pnr, moco, moco_pnr, byol, cassle_predictive,
                                  byol_pnr, barlow, cassle_decorrelative, barlow_pnr, vicreg, vicreg_pnr]}


def check_losses(path):
    """Compares every loss above that has golden cases with the reference's values and gradients (float64)."""
    with open(path) as f:
        cases = json.load(f)["cases"]
    worst, checked = 0.0, set()
    for c in cases:
        fn = LOSSES[c["loss"]]
        inputs = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in c["inputs"].items()}
        value = fn(**inputs, **c["params"])
        value.backward()
        err = abs(float(value) - c["value"])
        for k, g in c["grads"].items():
            err = max(err, float((inputs[k].grad - torch.tensor(g, dtype=torch.float64)).abs().max()))
        worst = max(worst, err)
        checked.add(c["loss"])
        print(f"{c['name']:28s} largest error {err:.2e}")
    missing = sorted(set(LOSSES) - checked)
    print(f"{len(cases)} golden cases of {len(checked)} losses: largest error {worst:.2e}"
          + (f" (no golden case: {', '.join(missing)})" if missing else ""))
    return worst <= 1e-6 and not missing


# ---------------------------------------------------------------------------------------------------------------
# Method x strategy: what a training step computes

class Model:
    """Encoder, projector and the method's and strategy's heads; the momentum target, queues and frozen model."""

    def __init__(self, args):
        self.args = args
        self.method = args.method
        hidden, out = args.proj_hidden_dim, args.proj_output_dim
        self.encoder, self.proj = small_cnn(), projector(self.method, hidden, out)
        self.pred = mlp(out, args.pred_hidden_dim, out, 1) if self.method == "byol" else None
        self.g = None
        self.frozen = None
        self.target = None
        if self.method in ("mocov2plus", "byol"):
            self.target = copy.deepcopy(nn.Sequential(self.encoder, self.proj))
            for p in self.target.parameters():
                p.requires_grad_(False)
        if self.method == "mocov2plus":
            gen = torch.Generator().manual_seed(args.seed)
            self.queue = F.normalize(torch.randn(2, out, args.queue_size, generator=gen), dim=1)
            self.queue2 = F.normalize(torch.randn(2, out, args.queue_size, generator=gen), dim=1)
            self.ptr = self.ptr2 = 0
        self.pending = []

    def trained(self):
        return [m for m in [self.encoder, self.proj, self.pred, self.g if self.frozen is not None else None] if m]

    def start_task(self, t):
        a = self.args
        self.frozen = None
        if t > 0 and a.strategy != "finetune":
            self.frozen = copy.deepcopy(nn.Sequential(self.encoder, self.proj)).eval()
            for p in self.frozen.parameters():
                p.requires_grad_(False)
            if self.g is None:
                self.g = distill_predictor(a.proj_output_dim, a.distill_proj_hidden_dim,
                                           self.method == "mocov2plus" and a.strategy == "pnr")

    def project(self, x1, x2):
        if self.args.joint_views:
            return self.proj(self.encoder(torch.cat([x1, x2]))).chunk(2)
        return self.proj(self.encoder(x1)), self.proj(self.encoder(x2))

    def head(self, net, z1, z2):
        if self.args.joint_views:
            return net(torch.cat([z1, z2])).chunk(2)
        return net(z1), net(z2)

    def loss(self, x1, x2):
        a = self.args
        z1, z2 = self.project(x1, x2)
        zm1 = zm2 = None
        if self.target is not None:
            with torch.no_grad():
                self.target.train()
                if a.joint_views:
                    zm1, zm2 = self.target(torch.cat([x1, x2])).chunk(2)
                else:
                    zm1, zm2 = self.target(x1), self.target(x2)
        if self.method == "simclr":
            own = lambda: nt_xent(z1, z2, a.temperature)
        elif self.method == "mocov2plus":
            queue = self.queue.clone()
            own = lambda: moco(z1, z2, zm1, zm2, queue, a.temperature)
        elif self.method == "byol":
            pr1, pr2 = self.head(self.pred, z1, z2)
            own = lambda: byol(pr1, zm2) + byol(pr2, zm1)
        elif self.method == "barlow":
            own = lambda: barlow(z1, z2, a.lamb, a.scale_loss)
        else:
            own = lambda: vicreg(z1, z2, 25.0, 25.0, 1.0)
        f1 = f2 = None
        if self.frozen is None:
            loss = own()
        else:
            with torch.no_grad():
                f1, f2 = self.frozen(x1), self.frozen(x2)
            p1, p2 = self.head(self.g, z1, z2)
            loss = self.continual_loss(own, z1, z2, zm1, zm2, p1, p2, f1, f2)
        if self.method == "mocov2plus":
            self.pending.append((zm1, zm2, f1, f2))
        return loss

    def enqueue_pending(self):
        """After every part of a step has read the queues as they were before it (the reference's pre-batch clone),
        its keys go in, in order."""
        for keys in self.pending:
            self.enqueue(*keys)
        self.pending = []

    def continual_loss(self, own, z1, z2, zm1, zm2, p1, p2, f1, f2):
        a, m = self.args, self.method
        if a.strategy == "cassle":
            if m in ("simclr", "mocov2plus"):
                distill = cassle_contrastive(p1, p2, f1, f2, a.distill_temperature)
            elif m == "byol":
                distill = cassle_predictive(p1, p2, f1, f2)
            elif m == "barlow":
                distill = cassle_decorrelative(p1, p2, f1, f2, a.distill_barlow_lamb, a.distill_scale_loss)
            else:
                distill = cassle_predictive_mse(p1, p2, f1, f2)
            return own() + a.distill_lamb * distill
        if m == "simclr":
            return simclr_pnr(z1, z2, p1, p2, f1, f2, a.distill_temperature)
        if m == "mocov2plus":
            return moco_pnr(z1, z2, zm1, zm2, self.queue.clone(), self.queue2.clone(), p1, p2, f1, f2,
                            a.temperature, a.distill_temperature)
        if m == "byol":
            return own() + byol_pnr(p1, p2, f1, f2, a.distill_lamb, a.negative_lamb)
        if m == "barlow":
            return own() + barlow_pnr(p1, p2, f1, f2, a.distill_barlow_lamb, a.distill_scale_loss, a.distill_lamb,
                                      a.negative_lamb)
        return own() + vicreg_pnr(p1, p2, f1, f2, a.distill_lamb, a.negative_lamb)

    @torch.no_grad()
    def enqueue(self, k1, k2, f1, f2):
        n, k = k1.shape[0], self.args.queue_size
        self.queue[0][:, self.ptr:self.ptr + n] = k1.t()
        self.queue[1][:, self.ptr:self.ptr + n] = k2.t()
        self.ptr = (self.ptr + n) % k
        if self.args.strategy == "pnr" and f1 is not None:
            self.queue2[0][:, self.ptr2:self.ptr2 + n] = f1.t()
            self.queue2[1][:, self.ptr2:self.ptr2 + n] = f2.t()
            self.ptr2 = (self.ptr2 + n) % k

    @torch.no_grad()
    def momentum_update(self, step, steps):
        """theta_m <- tau theta_m + (1 - tau) theta, tau on the per-step cosine schedule of the task (§3.4). With
        --target-every k, only after every k-th step (and the task's last), with the taus of the steps since the last
        update multiplied: pnr-spark's update after every averaging round of k steps."""
        if self.target is None:
            return
        a = self.args
        every = max(1, a.target_every)
        if (step + 1) % every and step + 1 != steps:
            return
        first = step - (step % every)
        keep = 1.0
        for s in range(first, step + 1):
            keep *= a.tau_final - (a.tau_final - a.tau_base) * (math.cos(math.pi * s / steps) + 1) / 2
        tau = keep
        online = list(self.encoder.parameters()) + list(self.proj.parameters())
        for pm, p in zip(self.target.parameters(), online):
            pm.mul_(tau).add_(p, alpha=1 - tau)


# ---------------------------------------------------------------------------------------------------------------
# Optimisation (docs/reference.md §7)

def learning_rate(base, epoch, epochs, warmup, warmup_start=0.003, min_lr=0.0):
    if epoch < warmup:
        return warmup_start + epoch * (base - warmup_start) / max(warmup - 1, 1)
    return min_lr + 0.5 * (base - min_lr) * (1 + math.cos(math.pi * (epoch - warmup) / (epochs - warmup)))


def param_groups(modules, weight_decay, lars, exclude_bias, lr_scales):
    """Weights (LARS / decay) and the rest; batch-norm parameters never get either, biases only without exclusion."""
    groups = []
    for m, scale in zip(modules, lr_scales):
        plain, decayed = [], []
        for mod in m.modules():
            for name, p in mod.named_parameters(recurse=False):
                is_bn = isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d))
                skip = is_bn or (p.ndim == 1 and (exclude_bias or not lars))
                (plain if skip else decayed).append(p)
        groups.append({"params": decayed, "weight_decay": weight_decay, "lars": lars, "lr_scale": scale})
        groups.append({"params": plain, "weight_decay": 0.0, "lars": False, "lr_scale": scale})
    return groups


class Lars(torch.optim.SGD):
    """SGD with momentum; in groups marked lars, the reference's LARS on each gradient first (§7)."""

    def __init__(self, groups, lr, momentum, eta=0.02, eps=1e-8):
        self.eta, self.eps = eta, eps
        super().__init__(groups, lr=lr, momentum=momentum)

    @torch.no_grad()
    def step(self, closure=None):
        saved = []
        for g in self.param_groups:
            saved.append(g["weight_decay"])
            if not g["lars"]:
                continue
            for p in g["params"]:
                if p.grad is None:
                    continue
                w, gn = torch.norm(p), torch.norm(p.grad)
                if w == 0 or gn == 0:
                    continue
                local = self.eta * w / (gn + g["weight_decay"] * w + self.eps)
                scale = torch.clamp(local / g["lr"], max=1.0)
                p.grad.add_(p, alpha=g["weight_decay"]).mul_(scale)
            g["weight_decay"] = 0.0
        super().step(closure)
        for g, wd in zip(self.param_groups, saved):
            g["weight_decay"] = wd


# ---------------------------------------------------------------------------------------------------------------
# Evaluation

@torch.no_grad()
def features(encoder, images, batch=1000):
    encoder.eval()
    out = [encoder(plain(images[i:i + batch])) for i in range(0, len(images), batch)]
    return torch.cat(out)


def linear_probe(ftr, ytr, fte, classes, reg=1e-4, max_iter=100):
    mu, sd = ftr.mean(0), ftr.std(0).clamp_min(1e-12)
    a, b = (ftr - mu) / sd, (fte - mu) / sd
    w = torch.zeros(a.shape[1], classes, dtype=torch.float64, requires_grad=True)
    c = torch.zeros(classes, dtype=torch.float64, requires_grad=True)
    a64, b64 = a.double(), b.double()
    opt = torch.optim.LBFGS([w, c], max_iter=max_iter, history_size=10, tolerance_grad=1e-9,
                            tolerance_change=1e-12, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(a64 @ w + c, ytr) + 0.5 * reg * (w * w).sum()
        loss.backward()
        return loss
    opt.step(closure)
    with torch.no_grad():
        return (b64 @ w + c).argmax(1)


def knn(ftr, ytr, fte, classes, k=20, temperature=0.07):
    a, b = F.normalize(ftr, dim=1), F.normalize(fte, dim=1)
    pred = []
    for i in range(0, len(b), 1000):
        sim = b[i:i + 1000] @ a.t()
        top, idx = sim.topk(k, dim=1)
        votes = torch.zeros(len(top), classes)
        votes.scatter_add_(1, ytr[idx], (top / temperature).exp())
        pred.append(votes.argmax(1))
    return torch.cat(pred)


def accuracies(pred, yte, test_masks):
    row = [float((pred[m] == yte[m]).float().mean()) for m in test_masks]
    return row, float((pred == yte).float().mean())


def evaluate(encoder, data, test_masks, classes):
    """The probes' accuracies, and the test images' features (for the next task's drift)."""
    xs, ys, xt, yt = data
    ftr, fte = features(encoder, xs), features(encoder, xt)
    ytr, yte = torch.from_numpy(ys), torch.from_numpy(yt)
    lin = accuracies(linear_probe(ftr, ytr, fte, classes), yte, test_masks)
    kn = accuracies(knn(ftr, ytr, fte, classes), yte, test_masks)
    return {"accuracy": lin[0], "accuracy_all": lin[1], "knn_accuracy": kn[0], "knn_accuracy_all": kn[1]}, fte


def cosine_distance(a, b):
    return float((1 - F.cosine_similarity(a.double(), b.double(), dim=1)).mean().clamp_min(0))


def cka_distance(a, b):
    """1 - linear CKA of two feature matrices (rows: the same images)."""
    x, y = a.double() - a.double().mean(0), b.double() - b.double().mean(0)
    cross = (y.t() @ x).norm() ** 2
    return float((1 - cross / ((x.t() @ x).norm() * (y.t() @ y).norm())).clamp_min(0))


def feature_drift(before, after, test_masks):
    """How far the test images' features moved, per task's test images and on all (pnr-spark's feature_drift)."""
    return {"cosine": [cosine_distance(before[m], after[m]) for m in test_masks],
            "cosine_all": cosine_distance(before, after),
            "cka": [cka_distance(before[m], after[m]) for m in test_masks], "cka_all": cka_distance(before, after)}


# ---------------------------------------------------------------------------------------------------------------
# Training

METHOD_DEFAULTS = {
    # the reference's CIFAR method settings (the sweeps' starting point; conf/fmnist-5t-<method>.conf may differ)
    "simclr": {},
    "mocov2plus": {"tau_base": 0.99, "tau_final": 0.999},
    "byol": {"tau_base": 0.99, "tau_final": 1.0, "negative_lamb": 0.5},
    "barlow": {"negative_lamb": 1.0},
    "vicreg": {"distill_lamb": 25.0, "negative_lamb": 23.0, "crop_min_scale": 0.2, "solarize": [0.1, 0.1]},
}


def arguments(argv=None):
    """The run's settings from argv (the command line when None)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--max-per-class", type=int, default=0)
    ap.add_argument("--method", choices=METHODS, default="simclr")
    ap.add_argument("--strategy", choices=["finetune", "cassle", "pnr"], default="pnr")
    ap.add_argument("--tasks", type=int, default=5)
    ap.add_argument("--domains", default="",
                    help="domain-incremental instead of class-incremental: one task per domain, a comma-separated "
                         "list of " + ", ".join(DOMAINS) + " (each task: a disjoint part of the images of all ten "
                         "classes, transformed; --tasks is then their number)")
    ap.add_argument("--transform-views", action="store_true",
                    help="with --domains identity and perm1..perm4: the SSL views are cropped and jittered from the "
                         "images as they are, then shuffled (the probes fit and test on the shuffled images)")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--optimizer", choices=["sgd", "lars"], default="sgd")
    ap.add_argument("--exclude-bias-n-norm", type=int, default=1, help="LARS: 1 = biases skip LARS and decay")
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--weight-decay", type=float, default=5e-4)
    ap.add_argument("--warmup-epochs", type=int, default=0)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--temperature", type=float, default=0.2)
    ap.add_argument("--distill-temperature", type=float, default=0.2)
    ap.add_argument("--proj-hidden-dim", type=int, default=0, help="0: the method's (512)")
    ap.add_argument("--proj-output-dim", type=int, default=0, help="0: the method's (128, or 512 for Barlow, VICReg)")
    ap.add_argument("--pred-hidden-dim", type=int, default=512)
    ap.add_argument("--distill-proj-hidden-dim", type=int, default=512)
    ap.add_argument("--queue-size", type=int, default=1024)
    ap.add_argument("--target-every", type=int, default=1,
                    help="update the momentum target every this many steps, the taus multiplied (pnr-spark's "
                         "spark.averaging_frequency); 1: every step, as the reference")
    ap.add_argument("--tau-base", type=float, default=None)
    ap.add_argument("--tau-final", type=float, default=None)
    ap.add_argument("--lamb", type=float, default=0.005, help="Barlow Twins' off-diagonal weight")
    ap.add_argument("--scale-loss", type=float, default=0.1, help="Barlow Twins' scale")
    ap.add_argument("--distill-barlow-lamb", type=float, default=0.005, help="the Barlow Twins distillers' lamb")
    ap.add_argument("--distill-scale-loss", type=float, default=0.1, help="the Barlow Twins distillers' scale")
    ap.add_argument("--distill-lamb", type=float, default=None)
    ap.add_argument("--negative-lamb", type=float, default=None)
    ap.add_argument("--crop-min-scale", type=float, default=None)
    ap.add_argument("--solarize", type=float, nargs=2, default=None, metavar=("VIEW1", "VIEW2"))
    ap.add_argument("--joint-views", action="store_true", help="both views through the encoder in one batch")
    ap.add_argument("--workers", type=int, default=1,
                    help="split each batch into this many parts, each through its own forward pass and loss, and "
                         "average their losses: pnr-spark's workers (each loss and batch norm sees one part) as if "
                         "averaged after every step")
    ap.add_argument("--train-tasks", type=int, default=0, help="train only the first N tasks (0: all)")
    ap.add_argument("--eval-every-task", type=int, default=1, help="0: evaluate only the random init and the end")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--out", default="")
    ap.add_argument("--check-losses", default="", metavar="FILE",
                    help="first check the losses against golden vectors (src/test/resources/golden/losses-reference.json)")
    args = ap.parse_args(argv)
    defaults = {"tau_base": 0.99, "tau_final": 1.0, "distill_lamb": 1.0, "negative_lamb": 1.0,
                "crop_min_scale": 0.2, "solarize": [0.0, 0.2]}
    defaults.update(METHOD_DEFAULTS[args.method])
    for k, v in defaults.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    part = args.batch // args.workers
    if args.batch % args.workers or (args.method == "mocov2plus" and args.queue_size % part):
        ap.error(f"--batch {args.batch} must split into --workers {args.workers} equal parts, and MoCo's --queue-size "
                 f"{args.queue_size} must be a multiple of a part ({part})")
    args.domains = [d for d in args.domains.split(",") if d]
    unknown = [d for d in args.domains if d not in DOMAINS]
    if unknown:
        ap.error(f"--domains: unknown {unknown}, expected some of {', '.join(DOMAINS)}")
    if args.domains:
        args.tasks = len(args.domains)
    if args.transform_views:
        wrong = [d for d in args.domains if d != "identity" and not d.startswith("perm")]
        if not args.domains or wrong:
            ap.error(f"--transform-views: --domains must list identity and perm1..perm4 only, not {wrong or 'none'}")
    hidden, out = HEADS[args.method]
    args.proj_hidden_dim = args.proj_hidden_dim or hidden
    args.proj_output_dim = args.proj_output_dim or out
    return args


def main():
    args = arguments()
    if args.check_losses and not check_losses(args.check_losses):
        raise SystemExit("the losses do not match the golden vectors")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    data = load(args.data, args.max_per_class)
    ssl_images = data[0]
    classes = 10
    if args.domains:
        # --transform-views: the SSL views come from the images as they are (ssl_images), shuffled after augmenting;
        # the probes fit and test on the shuffled images
        data, train_domain, test_domain = domain_split(data, args.domains, args.seed)
        train_masks = [train_domain == d for d in range(len(args.domains))]
        test_masks = [torch.from_numpy(test_domain == d) for d in range(len(args.domains))]
    else:
        per_task = classes // args.tasks
        tasks = [list(range(t * per_task, (t + 1) * per_task)) for t in range(args.tasks)]
        train_masks = [np.isin(data[1], t) for t in tasks]
        test_masks = [torch.from_numpy(np.isin(data[3], t)) for t in tasks]

    model = Model(args)
    results = {"args": vars(args), "torch": torch.__version__, "tasks": []}
    t0 = time.time()
    results["random_init"], previous = evaluate(model.encoder, data, test_masks, classes)
    print(f"random init: linear {100 * results['random_init']['accuracy_all']:.1f} %  "
          f"k-NN {100 * results['random_init']['knn_accuracy_all']:.1f} %", flush=True)
    lr = args.lr * args.batch / 256
    trained_tasks = train_masks[:args.train_tasks] if args.train_tasks else train_masks
    for t, task_mask in enumerate(trained_tasks):
        idx = np.where(task_mask)[0]
        images = ssl_images if args.transform_views else data[0]
        loader = torch.utils.data.DataLoader(TwoViews(images[idx], args.crop_min_scale, args.solarize),
                                             batch_size=args.batch, shuffle=True, drop_last=True, num_workers=1,
                                             generator=torch.Generator().manual_seed(args.seed + t))
        shuffle = view_transform_of(args.domains[t]) if args.transform_views else None
        model.start_task(t)
        modules = model.trained()
        # BYOL's predictive distillers put g in a group at lr / distill_lamb when distill_lamb < 1 (§5.3)
        g_scale = 1 / args.distill_lamb if args.method == "byol" and args.distill_lamb < 1 else 1.0
        scales = [g_scale if m is model.g else 1.0 for m in modules]
        opt = Lars(param_groups(modules, args.weight_decay, args.optimizer == "lars", args.exclude_bias_n_norm,
                                scales), lr=lr, momentum=args.momentum)
        start = time.time()
        seen, step, steps = 0, 0, args.epochs * len(loader)
        for epoch in range(args.epochs):
            for g in opt.param_groups:
                g["lr"] = g["lr_scale"] * learning_rate(lr, epoch, args.epochs, args.warmup_epochs)
            for m in modules:
                m.train()
            total, n = 0.0, 0
            for x1, x2 in loader:
                if shuffle:
                    x1, x2 = shuffle(x1), shuffle(x2)
                parts = zip(x1.chunk(args.workers), x2.chunk(args.workers))
                loss = sum(model.loss(a, b) for a, b in parts) / args.workers
                model.enqueue_pending()
                if not torch.isfinite(loss):
                    raise SystemExit(f"task {t} epoch {epoch + 1}: the loss is {float(loss)}")
                opt.zero_grad()
                loss.backward()
                opt.step()
                model.momentum_update(step, steps)
                step += 1
                total += float(loss)
                n += 1
            seen += 2 * n * args.batch
            print(f"task {t} epoch {epoch + 1}/{args.epochs}: loss {total / n:.4f}, "
                  f"{seen / (time.time() - start):.0f} views/s", flush=True)
        train_seconds = time.time() - start
        row = {"task": t, "train_seconds": train_seconds, "final_loss": total / n}
        if args.eval_every_task or t == len(trained_tasks) - 1:
            scores, fte = evaluate(model.encoder, data, test_masks, classes)
            row.update(scores)
            if t > 0 and args.eval_every_task:
                row["feature_drift"] = feature_drift(previous, fte, test_masks)
            previous = fte
            drift = row.get("feature_drift")
            print(f"after task {t}: linear {100 * row['accuracy_all']:.1f} % "
                  f"[{' '.join(f'{100 * a:.1f}' for a in row['accuracy'])}]  k-NN {100 * row['knn_accuracy_all']:.1f} %"
                  + (f"  drift of task {t - 1}'s test images: cosine {drift['cosine'][t - 1]:.4f}, "
                     f"CKA {drift['cka'][t - 1]:.4f}" if drift else ""), flush=True)
        results["tasks"].append(row)
    results["total_seconds"] = time.time() - t0
    evaluated = [r for r in results["tasks"] if "accuracy_all" in r]
    print("linear probe on all classes after each task: "
          + " ".join(f"{100 * r['accuracy_all']:.1f}" for r in evaluated))
    print("k-NN on all classes after each task:          "
          + " ".join(f"{100 * r['knn_accuracy_all']:.1f}" for r in evaluated))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
