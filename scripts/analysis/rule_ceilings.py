#!/usr/bin/env python3
"""How far can a rule go on one eval run's final embeddings? (README: "How far can any rule get on these embeddings?")

Reads the CSV that `./semistream eval ... --per-image-csv FILE` writes (one row per image: true class, whether it was
labelled, the final prediction, the final encoder's embedding) and scores, on the unlabelled images of the known
classes:
  - the service's final predictions;
  - nearest class mean (cosine) of the run's labels, and of every known-class image's true label (the mean rule's
    ceiling: no choice of labels can do better with means);
  - label spreading (Zhou et al. 2004) from the run's labels over a k-nearest-neighbour graph of all images;
  - a 10-nearest-neighbour vote where every other image's true label votes (what labels everywhere would give).

Usage: python3 scripts/analysis/rule_ceilings.py FILE.csv HELD_OUT_CLASS_INDEX [--k 20]
Needs numpy only; about a minute and 2 GB for 70,000 images.
"""
import argparse
import csv

import numpy as np


def load(path):
    classes, labelled, predicted, rows = [], [], [], []
    with open(path) as f:
        reader = csv.reader(f)
        header = next(reader)
        col = {name: i for i, name in enumerate(header)}
        for row in reader:
            classes.append(int(row[col["class"]]))
            labelled.append(row[col["labelled"]] == "1")
            p = row[col["predicted"]]
            predicted.append(int(p) if p.lstrip("-").isdigit() else -1)
            rows.append(np.array(row[col["embedding"]].split(), dtype=np.float32))
    return np.array(classes), np.array(labelled), np.array(predicted), np.stack(rows)


def nearest_neighbours(x, k, block=2000):
    n = len(x)
    idx = np.zeros((n, k), dtype=np.int64)
    sim = np.zeros((n, k), dtype=np.float32)
    for s in range(0, n, block):
        g = x[s:s + block] @ x.T
        g[np.arange(g.shape[0]), s + np.arange(g.shape[0])] = -9  # never one's own neighbour
        p = np.argpartition(-g, k, axis=1)[:, :k]
        v = np.take_along_axis(g, p, 1)
        o = np.argsort(-v, axis=1)  # nearest first: callers take the first few
        idx[s:s + block] = np.take_along_axis(p, o, 1)
        sim[s:s + block] = np.take_along_axis(v, o, 1)
    return idx, sim


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("held_out", type=int, help="index of the class no one labelled (not scored)")
    parser.add_argument("--k", type=int, default=20, help="neighbours per image in the label-spreading graph")
    parser.add_argument("--alpha", type=float, default=0.9)
    parser.add_argument("--rounds", type=int, default=30)
    a = parser.parse_args()

    cls, lab, pred, emb = load(a.csv)
    x = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    known = cls != a.held_out
    scored = known & ~lab
    classes = sorted(set(cls[known].tolist()))
    n_classes = int(cls.max()) + 1

    def accuracy(p):
        return float((p[scored] == cls[scored]).mean())

    def class_means(mask):
        m = np.stack([x[mask & (cls == c)].mean(0) for c in classes])
        m /= np.linalg.norm(m, axis=1, keepdims=True)
        return np.array(classes)[(x @ m.T).argmax(1)]

    print(f"{a.csv}: {len(cls)} images, {int(lab.sum())} labelled, {int(scored.sum())} scored")
    print(f"  service's final predictions:                     {accuracy(pred):.4f}")
    print(f"  class means of the run's labels:                 {accuracy(class_means(lab)):.4f}")
    print(f"  class means of every known image's true label:   {accuracy(class_means(known)):.4f}")

    idx, sim = nearest_neighbours(x, max(a.k, 10))
    votes = np.zeros((len(cls), n_classes))
    for j in range(10):
        np.add.at(votes, (np.arange(len(cls)), cls[idx[:, j]]), known[idx[:, j]])
    print(f"  10-NN, every other image's true label voting:    {accuracy(votes.argmax(1)):.4f}")

    idx, sim = idx[:, :a.k], sim[:, :a.k]
    w = np.maximum(sim, 0) ** 3
    d = np.sqrt(w.sum(1) + 1e-9)
    y0 = np.zeros((len(cls), n_classes), dtype=np.float32)
    y0[np.where(lab)[0], cls[lab]] = 1
    f = y0.copy()
    for _ in range(a.rounds):
        f = a.alpha * ((w[:, :, None] * (f / d[:, None])[idx]).sum(1) / d[:, None]) + (1 - a.alpha) * y0
    spread = np.array(classes)[f[:, classes].argmax(1)]
    print(f"  label spreading from the run's labels (k={a.k}):   {accuracy(spread):.4f}")


if __name__ == "__main__":
    main()
