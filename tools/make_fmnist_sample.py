#!/usr/bin/env python3
"""Writes the bundled Fashion-MNIST sample: the first N training and M test images of each class of the official
files, in file order, in the same IDX format (gzip level 9, mtime 0, so the output is byte-for-byte reproducible),
and prints the SHA-256 of every source and output file for the sample's README.

    /usr/bin/python3 tools/make_fmnist_sample.py --train-per-class 1000 --test-per-class 200 \
        --source /usr/share/datasets/fashion-mnist --out src/main/resources/datasets/fashion-mnist-sample
"""
import argparse
import gzip
import hashlib
import io
import os


def read(path):
    with gzip.open(path, "rb") as f:
        return f.read()


def first_per_class(images, labels, per_class):
    """Indices of the first per_class images of each label, in file order."""
    n = int.from_bytes(labels[4:8], "big")
    counts, keep = {}, []
    for i in range(n):
        y = labels[8 + i]
        if counts.get(y, 0) < per_class:
            counts[y] = counts.get(y, 0) + 1
            keep.append(i)
    return keep


def write_gz(path, payload):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buf, mtime=0) as f:
        f.write(payload)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


def subset(source, out, prefix, per_class):
    images = read(os.path.join(source, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read(os.path.join(source, f"{prefix}-labels-idx1-ubyte.gz"))
    keep = first_per_class(images, labels, per_class)
    rows, cols = int.from_bytes(images[8:12], "big"), int.from_bytes(images[12:16], "big")
    size = rows * cols
    img = bytearray(images[:4]) + len(keep).to_bytes(4, "big") + images[8:16]
    lab = bytearray(labels[:4]) + len(keep).to_bytes(4, "big")
    for i in keep:
        img += images[16 + i * size:16 + (i + 1) * size]
        lab.append(labels[8 + i])
    write_gz(os.path.join(out, f"{prefix}-images-idx3-ubyte.gz"), bytes(img))
    write_gz(os.path.join(out, f"{prefix}-labels-idx1-ubyte.gz"), bytes(lab))
    return len(keep), keep[-1], bytes(img), bytes(lab)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out", default="src/main/resources/datasets/fashion-mnist-sample")
    ap.add_argument("--train-per-class", type=int, default=1000)
    ap.add_argument("--test-per-class", type=int, default=200)
    args = ap.parse_args()
    for prefix, per_class in (("train", args.train_per_class), ("t10k", args.test_per_class)):
        count, last, img, lab = subset(args.source, args.out, prefix, per_class)
        print(f"{prefix}: {count} images, the last at index {last} of the official file")
        for kind, raw in (("images-idx3", img), ("labels-idx1", lab)):
            name = f"{prefix}-{kind}-ubyte.gz"
            with open(os.path.join(args.source, name), "rb") as f:
                source_sha = sha(f.read())
            with open(os.path.join(args.out, name), "rb") as f:
                out_sha = sha(f.read())
            print(f"  {name}: source {source_sha}; sample .gz {out_sha}; sample IDX {sha(raw)}")


if __name__ == "__main__":
    main()
