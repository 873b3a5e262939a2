#!/usr/bin/env python3
"""Logits of the PyTorch model for cases the TypeScript parity test writes: each case is token
ids and uint8 224×224×3 images (raw files); the logits go to a float32 file per case.

  /usr/bin/python3 training/parity.py --model DIR --cases CASES.json --out DIR
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mmgpt.load import load_model_dir  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--cases", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    torch.set_num_threads(1)
    model, _, _ = load_model_dir(a.model)
    with open(a.cases) as f:
        cases = json.load(f)
    os.makedirs(a.out, exist_ok=True)
    with torch.no_grad():
        for c in cases:
            ids = torch.tensor([c["ids"]], dtype=torch.long)
            imgs = [np.fromfile(path, dtype=np.uint8).reshape(224, 224, 3) for path in c["images"]]
            pix = torch.from_numpy(np.stack(imgs))[None] if imgs else None
            logits = model(ids, pix, [len(imgs)])[0]
            logits.numpy().astype(np.float32).tofile(os.path.join(a.out, f"{c['name']}.f32"))


if __name__ == "__main__":
    main()
