"""An independent BYOL check in PyTorch: does BYOL improve the small CNN's features at the budget of a short pnr-spark run (one task of 10 classes,
300 images per class, 5 epochs, batch 128, SGD lr 0.025 after batch scaling, wd 5e-4, no warm-up)?"""
import os, sys, math, copy, torch, torch.nn as nn, torch.nn.functional as F, numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_fmnist_cssl as t
torch.manual_seed(5); np.random.seed(5); torch.set_num_threads(2)
data = t.load(os.environ.get("FMNIST", "/usr/share/datasets/fashion-mnist"), 300)
xs, ys, xt, yt = data
keep = []; seen = {}
for i, y in enumerate(yt):
    if seen.get(int(y), 0) < 100: keep.append(i); seen[int(y)] = seen.get(int(y), 0) + 1
data = (xs, ys, xt[keep], yt[keep])
tasks = [list(range(10))]
enc = t.small_cnn()
proj = nn.Sequential(nn.Linear(256, 512), nn.BatchNorm1d(512), nn.ReLU(inplace=True), nn.Linear(512, 128))
pred = nn.Sequential(nn.Linear(128, 512), nn.BatchNorm1d(512), nn.ReLU(inplace=True), nn.Linear(512, 128))
menc, mproj = copy.deepcopy(enc), copy.deepcopy(proj)
for p in list(menc.parameters()) + list(mproj.parameters()): p.requires_grad = False
print("random", t.evaluate(enc, data, tasks, 10))
lr = float(sys.argv[1]) if len(sys.argv) > 1 else 0.025
opt = torch.optim.SGD(t.param_groups([enc, proj, pred], 5e-4), lr=lr, momentum=0.9)
loader = torch.utils.data.DataLoader(t.TwoViews(data[0], 0.2), batch_size=128, shuffle=True, drop_last=True)
epochs = 5; total = epochs * len(loader); step = 0
def d(p, z): return 2 - 2 * F.cosine_similarity(p, z.detach(), dim=-1).mean()
for e in range(epochs):
    for g in opt.param_groups: g["lr"] = t.learning_rate(lr, e, epochs, 0)
    enc.train(); proj.train(); pred.train(); menc.train(); mproj.train(); tot = 0
    for x1, x2 in loader:
        z1, z2 = proj(enc(x1)), proj(enc(x2))
        p1, p2 = pred(z1), pred(z2)
        with torch.no_grad(): m1, m2 = mproj(menc(x1)), mproj(menc(x2))
        loss = d(p1, m2) + d(p2, m1)
        opt.zero_grad(); loss.backward(); opt.step(); tot += loss.item()
        tau = 1.0 - (1.0 - 0.99) * (math.cos(math.pi * step / total) + 1) / 2; step += 1
        with torch.no_grad():
            for a, b in zip(list(menc.parameters()) + list(mproj.parameters()), list(enc.parameters()) + list(proj.parameters())):
                a.mul_(tau).add_(b, alpha=1 - tau)
    print("epoch", e, tot / len(loader), flush=True)
print("byol", t.evaluate(enc, data, tasks, 10))
