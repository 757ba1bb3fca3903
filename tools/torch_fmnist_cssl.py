#!/usr/bin/env python3
"""An independent single-process PyTorch run of pnr-spark's Fashion-MNIST protocol (conf/fmnist-5t.conf).

Written from the reference's specification, not from pnr-spark's code: the small CNN (four 3x3 conv-BN-ReLU blocks,
32/64/128/256 channels, strides 1/2/2/2, global average pool), SimCLR's projector (256 -> 512, ReLU -> 128), the
distill predictor g (128 -> 512, BN, ReLU -> 128), the reference's losses (NT-Xent; CaSSLe's contrastive
distillation; PNR's SimCLR loss), momentum SGD with coupled weight decay (none on biases and batch-norm parameters),
the learning rate scaled by batch / 256 on a per-epoch warm-up + cosine schedule restarted every task, the frozen
copy of the previous task's encoder and projector in eval mode, and the two views through the encoder one after the
other, as the reference does (pnr-spark passes them together: --joint-views does the same here).

After every task (and for the random initialisation) it extracts features of every training and test image without
augmentation and evaluates a linear probe (multinomial logistic regression on standardised features, L-BFGS, L2
1e-4, 100 iterations: the model of pnr-spark's `fast` probe) and a weighted k-NN (k 20, temperature 0.07), each over
all classes, and prints the accuracy matrix.

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
    def __init__(self, images, crop_min_scale):
        self.images = images
        self.t1 = view_transform(0.0, crop_min_scale)
        self.t2 = view_transform(0.2, crop_min_scale)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        img = Image.fromarray(self.images[i], mode="L")
        return self.t1(img), self.t2(img)


def plain(images):
    x = torch.from_numpy(np.array(images)).float().div(255.0).unsqueeze(1)
    return (x - MEAN) / STD


# ---------------------------------------------------------------------------------------------------------------
# Networks

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


def projector(hidden=512, out=128):
    return nn.Sequential(nn.Linear(256, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, out))


def distill_predictor(dim=128, hidden=512):
    return nn.Sequential(nn.Linear(dim, hidden), nn.BatchNorm1d(hidden), nn.ReLU(inplace=True), nn.Linear(hidden, dim))


# ---------------------------------------------------------------------------------------------------------------
# Losses (docs/reference.md §3.1, §4, §5.1)

def nt_xent(z1, z2, tau):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    s = z @ z.t() / tau
    s.fill_diagonal_(float("-inf"))
    pos = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(s, pos)


def cassle_contrastive(p1, p2, f1, f2, tau):
    def lc(a, b):
        a = F.normalize(a, dim=1)
        b = F.normalize(b, dim=1)
        logits = a @ b.t() / tau
        return F.cross_entropy(logits, torch.arange(a.shape[0]))
    p, f = torch.cat([p1, p2]), torch.cat([f1, f2])
    return 0.5 * (lc(p, f) + lc(f, p))


def simclr_pnr(z1, z2, p1, p2, f1, f2, tau):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    f = F.normalize(torch.cat([f1, f2]), dim=1)
    p = F.normalize(torch.cat([p1, p2]), dim=1)
    n2 = z.shape[0]
    n = n2 // 2
    eye = torch.eye(n2, dtype=torch.bool)
    pos = torch.cat([torch.arange(n, n2), torch.arange(0, n)])
    zz = (z @ z.t() / tau).masked_fill(eye, float("-inf"))
    zf = (z @ f.t() / tau).masked_fill(eye, float("-inf"))
    l1 = torch.logsumexp(torch.cat([zz, zf], dim=1), dim=1) - zz[torch.arange(n2), pos]
    pf = p @ f.t() / tau
    pz = (p @ z.t() / tau).masked_fill(eye, float("-inf"))
    positive = pf.diagonal()
    l2 = torch.logsumexp(torch.cat([pf.masked_fill(eye, float("-inf")), pz], dim=1), dim=1) - positive
    return l1.mean() + l2.mean()


def check_losses(path):
    """Compares the three losses above with the reference's golden values and gradients (float64)."""
    with open(path) as f:
        cases = json.load(f)["cases"]
    losses = {"nt_xent": lambda i, tau: nt_xent(i["z1"], i["z2"], tau),
              "cassle_contrastive": lambda i, tau: cassle_contrastive(i["p1"], i["p2"], i["f1"], i["f2"], tau),
              "simclr_pnr": lambda i, tau: simclr_pnr(i["z1"], i["z2"], i["p1"], i["p2"], i["f1"], i["f2"], tau)}
    worst = 0.0
    for c in cases:
        if c["loss"] not in losses:
            continue
        inputs = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in c["inputs"].items()}
        value = losses[c["loss"]](inputs, c["params"]["temperature"])
        value.backward()
        err = abs(float(value) - c["value"])
        for k, g in c["grads"].items():
            err = max(err, float((inputs[k].grad - torch.tensor(g, dtype=torch.float64)).abs().max()))
        worst = max(worst, err)
        print(f"{c['name']:24s} largest error {err:.2e}")
    print(f"losses against the golden vectors: largest error {worst:.2e}")
    return worst <= 1e-6


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


def accuracies(pred, yte, tasks):
    row = [float((pred[torch.isin(yte, torch.tensor(t))] == yte[torch.isin(yte, torch.tensor(t))]).float().mean())
           for t in tasks]
    return row, float((pred == yte).float().mean())


def evaluate(encoder, data, tasks, classes):
    xs, ys, xt, yt = data
    ftr, fte = features(encoder, xs), features(encoder, xt)
    ytr, yte = torch.from_numpy(ys), torch.from_numpy(yt)
    lin = accuracies(linear_probe(ftr, ytr, fte, classes), yte, tasks)
    kn = accuracies(knn(ftr, ytr, fte, classes), yte, tasks)
    return {"accuracy": lin[0], "accuracy_all": lin[1], "knn_accuracy": kn[0], "knn_accuracy_all": kn[1]}


# ---------------------------------------------------------------------------------------------------------------
# Training

def learning_rate(base, epoch, epochs, warmup, warmup_start=0.003, min_lr=0.0):
    if epoch < warmup:
        return warmup_start + epoch * (base - warmup_start) / max(warmup - 1, 1)
    return min_lr + 0.5 * (base - min_lr) * (1 + math.cos(math.pi * (epoch - warmup) / (epochs - warmup)))


def param_groups(modules, weight_decay):
    decay, no_decay = [], []
    for m in modules:
        for name, p in m.named_parameters():
            (no_decay if p.ndim == 1 else decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--max-per-class", type=int, default=0)
    ap.add_argument("--strategy", choices=["finetune", "cassle", "pnr"], default="pnr")
    ap.add_argument("--tasks", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--weight-decay", type=float, default=5e-4)
    ap.add_argument("--warmup-epochs", type=int, default=0)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--temperature", type=float, default=0.2)
    ap.add_argument("--crop-min-scale", type=float, default=0.2)
    ap.add_argument("--joint-views", action="store_true", help="both views through the encoder in one batch")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--out", default="")
    ap.add_argument("--check-losses", default="", metavar="FILE",
                    help="first check the losses against golden vectors (src/test/resources/golden/losses-reference.json)")
    args = ap.parse_args()
    if args.check_losses and not check_losses(args.check_losses):
        raise SystemExit("the losses do not match the golden vectors")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    data = load(args.data, args.max_per_class)
    classes = 10
    per_task = classes // args.tasks
    tasks = [list(range(t * per_task, (t + 1) * per_task)) for t in range(args.tasks)]

    encoder, proj, pred = small_cnn(), projector(), None
    results = {"args": vars(args), "torch": torch.__version__, "tasks": []}
    t0 = time.time()
    results["random_init"] = evaluate(encoder, data, tasks, classes)
    print(f"random init: linear {100 * results['random_init']['accuracy_all']:.1f} %  "
          f"k-NN {100 * results['random_init']['knn_accuracy_all']:.1f} %", flush=True)
    lr = args.lr * args.batch / 256
    for t, task_classes in enumerate(tasks):
        idx = np.where(np.isin(data[1], task_classes))[0]
        loader = torch.utils.data.DataLoader(TwoViews(data[0][idx], args.crop_min_scale), batch_size=args.batch,
                                             shuffle=True, drop_last=True, num_workers=1,
                                             generator=torch.Generator().manual_seed(args.seed + t))
        frozen = None
        if t > 0 and args.strategy != "finetune":
            frozen = copy.deepcopy(nn.Sequential(encoder, proj)).eval()
            for p in frozen.parameters():
                p.requires_grad_(False)
            if pred is None:
                pred = distill_predictor()
        modules = [encoder, proj] + ([pred] if frozen is not None else [])
        opt = torch.optim.SGD(param_groups(modules, args.weight_decay), lr=lr, momentum=args.momentum)
        start = time.time()
        seen = 0
        for epoch in range(args.epochs):
            for g in opt.param_groups:
                g["lr"] = learning_rate(lr, epoch, args.epochs, args.warmup_epochs)
            for m in modules:
                m.train()
            total, steps = 0.0, 0
            for x1, x2 in loader:
                if args.joint_views:
                    z1, z2 = proj(encoder(torch.cat([x1, x2]))).chunk(2)
                else:
                    z1, z2 = proj(encoder(x1)), proj(encoder(x2))
                if frozen is None:
                    loss = nt_xent(z1, z2, args.temperature)
                else:
                    with torch.no_grad():
                        f1, f2 = frozen(x1), frozen(x2)
                    if args.joint_views:
                        p1, p2 = pred(torch.cat([z1, z2])).chunk(2)
                    else:
                        p1, p2 = pred(z1), pred(z2)
                    if args.strategy == "cassle":
                        loss = nt_xent(z1, z2, args.temperature) + cassle_contrastive(p1, p2, f1, f2, args.temperature)
                    else:
                        loss = simclr_pnr(z1, z2, p1, p2, f1, f2, args.temperature)
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss)
                steps += 1
            seen += 2 * steps * args.batch
            print(f"task {t} epoch {epoch + 1}/{args.epochs}: loss {total / steps:.4f}, "
                  f"{seen / (time.time() - start):.0f} views/s", flush=True)
        train_seconds = time.time() - start
        row = evaluate(encoder, data, tasks, classes)
        row.update({"task": t, "train_seconds": train_seconds, "final_loss": total / steps})
        results["tasks"].append(row)
        print(f"after task {t}: linear {100 * row['accuracy_all']:.1f} % "
              f"[{' '.join(f'{100 * a:.1f}' for a in row['accuracy'])}]  k-NN {100 * row['knn_accuracy_all']:.1f} %",
              flush=True)
    results["total_seconds"] = time.time() - t0
    print("linear probe on all classes after each task: "
          + " ".join(f"{100 * r['accuracy_all']:.1f}" for r in results["tasks"]))
    print("k-NN on all classes after each task:          "
          + " ".join(f"{100 * r['knn_accuracy_all']:.1f}" for r in results["tasks"]))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
