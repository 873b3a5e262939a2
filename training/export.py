#!/usr/bin/env python3
"""Writes a trained run as the model directory the runner loads (and `mmgpt convert` writes):

  OUT/config.json                  the model config (its name set by --name)
  OUT/weights/model.safetensors    base weights, fp16 (or --dtype F32), the runner's names
  OUT/lora/adapter.safetensors     the instruction adapter, f32, peft names, metadata r/alpha
  OUT/lora/manifest.json, OUT/manifest.json
  --lora-only DIR: the adapter alone (adapter.safetensors + manifest.json), for MMGPT_ADAPTERS

  /usr/bin/python3 training/export.py --config C.json --base RUN/base/model.safetensors \
      [--lora RUN/instruct/lora.safetensors] --out models/mmgpt-shapes [--lora-only DIR]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mmgpt import names, safetensors_io  # noqa: E402


def write_adapter(directory, table, lora_path, cfg):
    os.makedirs(directory, exist_ok=True)
    ours, _ = safetensors_io.load(lora_path)
    peft = names.lora_to_peft(table, ours)
    meta = {"r": cfg["lora"]["r"], "alpha": cfg["lora"]["alpha"], "format": "peft", "generator": "mmgpt training/export.py"}
    safetensors_io.save(os.path.join(directory, "adapter.safetensors"), peft, "F32", meta)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True)
    p.add_argument("--base", required=True, help="base weights (train.py --stage base writes RUN/model.safetensors)")
    p.add_argument("--lora", help="adapter (train.py --stage instruct writes RUN/lora.safetensors)")
    p.add_argument("--out", help="model directory to write (replaced)")
    p.add_argument("--lora-only", help="also/only write the adapter as its own directory")
    p.add_argument("--name", help="model name in config.json")
    p.add_argument("--dtype", default="F16", choices=["F16", "F32"])
    a = p.parse_args()
    if not a.out and not a.lora_only:
        p.error("give --out and/or --lora-only")
    with open(a.config) as f:
        cfg = json.load(f)
    if a.name:
        cfg["name"] = a.name
    table = names.tensor_table(a.config)
    root = names.ROOT
    dirs = []
    if a.out:
        tmp = f"{a.out.rstrip('/')}.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(os.path.join(tmp, "weights"))
        base, _ = safetensors_io.load(a.base)
        names.check_base(table, base)
        safetensors_io.save(os.path.join(tmp, "weights", "model.safetensors"), base, a.dtype, {"format": "pt", "generator": "mmgpt training/export.py"})
        if a.lora:
            write_adapter(os.path.join(tmp, "lora"), table, a.lora, cfg)
        else:
            cfg["lora"] = None
        with open(os.path.join(tmp, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
            f.write("\n")
        if a.lora:
            dirs.append(os.path.join(tmp, "lora"))
        dirs.append(tmp)
    if a.lora_only:
        if not a.lora:
            p.error("--lora-only needs --lora")
        shutil.rmtree(a.lora_only, ignore_errors=True)
        write_adapter(a.lora_only, table, a.lora, cfg)
        dirs.insert(0, a.lora_only)
    # Nested manifests first: a directory with its own manifest is covered by it.
    subprocess.check_call([names.TSX, os.path.join(root, "training", "tools", "manifest.ts"), *[os.path.abspath(x) for x in dirs]], cwd=root)
    if a.out:
        shutil.rmtree(a.out, ignore_errors=True)
        os.replace(tmp, a.out)
        print(f"wrote {a.out}")
    if a.lora_only:
        print(f"wrote {a.lora_only}")


if __name__ == "__main__":
    main()
