"""The prepared dataset (training/tools/prepare.ts wrote it; dataset-format.ts documents it)
as padded batches. Batches group samples of similar length (less padding) and are shuffled
by a seeded generator, so a run is reproducible and resumable from (epoch, step)."""
import json
import os

import numpy as np
import torch

IMAGE_SHAPE = (224, 224, 3)


class Dataset:
    def __init__(self, root):
        self.root = root
        with open(os.path.join(root, "info.json")) as f:
            self.info = json.load(f)
        if self.info.get("format") != "mmgpt-train-data/1":
            raise ValueError(f"{root}: not a prepared dataset (info.json format {self.info.get('format')})")
        self.tokens = np.fromfile(os.path.join(root, "tokens.i32"), dtype=np.int32)
        self.targets = np.fromfile(os.path.join(root, "targets.u8"), dtype=np.uint8)
        self.samples = np.fromfile(os.path.join(root, "samples.i32"), dtype=np.int32).reshape(-1, 4)
        self.image_refs = np.fromfile(os.path.join(root, "image-refs.i32"), dtype=np.int32)
        n = self.info["images"]
        self.pixels = np.memmap(os.path.join(root, "pixels.u8"), dtype=np.uint8, mode="r", shape=(n, *IMAGE_SHAPE)) if n else None

    def __len__(self):
        return len(self.samples)

    def lengths(self):
        return self.samples[:, 1]

    def row(self, i):
        """Sample i: its ids, its next-token targets (-100 = none) and its images' pixels."""
        start, length, img_start, img_count = self.samples[i]
        seq = self.tokens[start : start + length].astype(np.int64)
        # Position p predicts token p+1, where token p+1 is a target.
        keep = self.targets[start + 1 : start + length].astype(bool)
        tgt = np.full(length, -100, dtype=np.int64)
        tgt[: length - 1] = np.where(keep, seq[1:], -100)
        images = [self.pixels[self.image_refs[img_start + k]] for k in range(img_count)]
        return seq, tgt, images

    def collate(self, indices, pad_id):
        return pad_batch([self.row(i) for i in indices], pad_id)


class ConcatDataset:
    """Several prepared datasets trained as one (e.g. captions + plain text in the base stage)."""

    def __init__(self, parts):
        self.parts = parts
        self.starts = np.cumsum([0] + [len(p) for p in parts])

    def __len__(self):
        return int(self.starts[-1])

    def lengths(self):
        return np.concatenate([p.lengths() for p in self.parts])

    def row(self, i):
        k = int(np.searchsorted(self.starts, i, side="right")) - 1
        return self.parts[k].row(i - int(self.starts[k]))

    def collate(self, indices, pad_id):
        return pad_batch([self.row(i) for i in indices], pad_id)


def pad_batch(rows, pad_id):
    """Rows of (ids, targets, images) → ids [B, T], targets [B, T] (-100 = none), pixels
    [B, I, 224, 224, 3] uint8 (None without images) and each row's image count, right-padded."""
    t = max(len(ids) for ids, _, _ in rows)
    n_img = max(len(images) for _, _, images in rows)
    ids = np.full((len(rows), t), pad_id, dtype=np.int64)
    tgt = np.full((len(rows), t), -100, dtype=np.int64)
    pix = np.zeros((len(rows), n_img, *IMAGE_SHAPE), dtype=np.uint8) if n_img else None
    for b, (seq, targets, images) in enumerate(rows):
        ids[b, : len(seq)] = seq
        tgt[b, : len(targets)] = targets
        for k, image in enumerate(images):
            pix[b, k] = image
    media = torch.from_numpy(pix) if pix is not None else None
    return torch.from_numpy(ids), torch.from_numpy(tgt), media, [len(images) for _, _, images in rows]


def batches(lengths, tokens_per_batch, max_batch, seed, epoch):
    """Index lists of roughly `tokens_per_batch` padded tokens: sort within shuffled chunks by
    length, cut into batches, shuffle the batches. Deterministic in (seed, epoch)."""
    rng = np.random.default_rng([seed, epoch])
    order = rng.permutation(len(lengths))
    chunk = max_batch * 50
    out = []
    for c in range(0, len(order), chunk):
        part = order[c : c + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        cur = []
        longest = 0
        for i in part:
            longest2 = max(longest, int(lengths[i]))
            if cur and (longest2 * (len(cur) + 1) > tokens_per_batch or len(cur) >= max_batch):
                out.append(cur)
                cur, longest2 = [], int(lengths[i])
            cur.append(int(i))
            longest = longest2
        if cur:
            out.append(cur)
    perm = rng.permutation(len(out))
    return [out[i] for i in perm]
