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

    def collate(self, indices, pad_id):
        """→ ids [B, T], next-token targets [B, T] (-100 = none), media pixels [B, I, 224, 224, 3] uint8."""
        rows = self.samples[indices]
        t = int(rows[:, 1].max())
        n_img = int(rows[:, 3].max())
        ids = np.full((len(rows), t), pad_id, dtype=np.int64)
        tgt = np.full((len(rows), t), -100, dtype=np.int64)
        pix = np.zeros((len(rows), n_img, *IMAGE_SHAPE), dtype=np.uint8) if n_img else None
        for b, (start, length, img_start, img_count) in enumerate(rows):
            seq = self.tokens[start : start + length]
            ids[b, :length] = seq
            # Position p predicts token p+1, where token p+1 is a target.
            keep = self.targets[start + 1 : start + length].astype(bool)
            nxt = seq[1:].astype(np.int64)
            tgt[b, : length - 1] = np.where(keep, nxt, -100)
            for k in range(img_count):
                pix[b, k] = self.pixels[self.image_refs[img_start + k]]
        media = torch.from_numpy(pix) if pix is not None else None
        return torch.from_numpy(ids), torch.from_numpy(tgt), media


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
