#!/usr/bin/env python3
"""The whole miniature MultiModal-GPT recipe, stage by stage, with one command each:

  /usr/bin/python3 training/recipe.py data      generate the shapes world, plain text; prepare (TS)
  /usr/bin/python3 training/recipe.py vision    stage 0: ViT + perceiver learn to see (the role CLIP plays)
  /usr/bin/python3 training/recipe.py base      base stage: the frozen ViT's features read by the gated
                                                cross-attention, LLaMA from scratch, on captions + text
  /usr/bin/python3 training/recipe.py instruct  LoRA instruction stage on the joint mix (+ --ablations)
  /usr/bin/python3 training/recipe.py export    the runner's model directory (models/mmgpt-shapes)
  /usr/bin/python3 training/recipe.py all       the five above in order

Options: --run DIR (default training/runs/shapes), --scale full|smoke, --procs N (torchrun data
parallel processes; 1 = plain python), --precision bf16|fp32 (default bf16), --ablations (also train the `short` and `vision` adapters
for the paper's two findings). Every stage resumes: rerun the same command after an
interruption. Each stage's wall time goes to RUN/timings.json.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"

# Sample counts and steps. `full` is the shipped model; `smoke` is what CI runs.
SCALES = {
    "full": {
        "base_captions": 16000,
        "instruct": 16000,
        "eval_per_task": 40,
        "language_exchanges": 32000,
        "vision_steps": 2000,
        "base_steps": 2000,
        "instruct_steps": 1200,
        "batch_tokens": 3072,
        "base_lr": 1.5e-3,
        "instruct_lr": 2e-3,
    },
    "smoke": {
        "base_captions": 60,
        "instruct": 60,
        "eval_per_task": 2,
        "language_exchanges": 40,
        "vision_steps": 3,
        "base_steps": 3,
        "instruct_steps": 3,
        "batch_tokens": 1024,
        "base_lr": 1e-3,
        "instruct_lr": 1e-3,
    },
}
SEEDS = {"base": 11, "full": 12, "short": 13, "vision": 14, "eval": 1001}
DEFAULT_CONFIG = os.path.join(HERE, "configs", "shapes.json")
SHIPPED = os.path.join(ROOT, "models", "mmgpt-shapes")
CORES = os.cpu_count() or 1


def run(cmd, **kw):
    print("+ " + " ".join(cmd), flush=True)
    subprocess.check_call(cmd, cwd=ROOT, **kw)


def prepare_all(jobs, parallel):
    """tools/prepare.ts for each (jsonl, mode, out, *extra) not yet done, `parallel` at a time (one
    node process each: it decodes and preprocesses images on one core), longest first."""
    todo = [j for j in jobs if not os.path.exists(os.path.join(j[2], "info.json"))]
    running = []
    while todo or running:
        while todo and len(running) < parallel:
            jsonl, mode, out, *extra = todo.pop(0)
            cmd = ["node", "--import", "tsx", "--import", "./training/tools/wasm-hooks.mjs", "training/tools/prepare.ts", "--data", jsonl, "--mode", mode, "--out", out, *extra]
            print("+ " + " ".join(cmd), flush=True)
            running.append((cmd, subprocess.Popen(cmd, cwd=ROOT)))
        time.sleep(0.5)
        for cmd, proc in list(running):
            code = proc.poll()
            if code is None:
                continue
            running.remove((cmd, proc))
            if code != 0:
                for _, other in running:
                    other.terminate()
                raise subprocess.CalledProcessError(code, cmd)


def stage_data(a, s):
    d = os.path.join(a.run, "data")
    os.makedirs(d, exist_ok=True)
    mixes = [("base", s["base_captions"]), ("full", s["instruct"])]
    if a.ablations:
        mixes += [("short", s["instruct"]), ("vision", s["instruct"])]
    for mix, n in mixes:
        if not os.path.exists(os.path.join(d, mix, "summary.json")):
            run([PY, "training/shapes_world/generate.py", "--out", os.path.join(d, mix), "--seed", str(SEEDS[mix]), "--samples", str(n), "--mix", mix, "--overwrite",
                 "--workers", str(CORES)])
    ev = os.path.join(d, "eval")
    if not os.path.exists(os.path.join(ev, "summary.json")):
        run([PY, "training/shapes_world/generate.py", "--out", ev, "--seed", str(SEEDS["eval"]), "--samples", str(s["eval_per_task"] * 18), "--mix", "eval", "--overwrite",
             "--workers", str(CORES)])
    text = os.path.join(d, "text.jsonl")
    if not os.path.exists(text):
        run([PY, "training/text_corpus.py", "--data", os.path.join(d, "full", "data.jsonl"), "--out", text, "--seed", "7",
             "--language", str(s["language_exchanges"])])
    # Half the captions text-first: their tokens cross-attend to the image directly (see
    # apps/gpu-runner/src/prompt/render-caption.ts), the short path that teaches the model to see.
    prepare_all([(os.path.join(d, "base", "data.jsonl"), "base", os.path.join(d, "p-base"), "--text-first", "0.5"),
                 *[(os.path.join(d, mix, "data.jsonl"), "instruct", os.path.join(d, f"p-{mix}")) for mix, _ in mixes[1:]],
                 (text, "text", os.path.join(d, "p-text"))], CORES)


def torchrun(procs, log_dir):
    """torchrun's command. Debian's torch 1.13 on Python 3.11 cannot parse its own default
    `--redirects 0 --tee 0` (Std.NONE is not iterable in 3.11's IntFlag): redirecting stdout to
    per-rank logs and teeing it to the console works."""
    return ["torchrun", "--standalone", f"--nproc_per_node={procs}", "--redirects", "1", "--tee", "1", "--log_dir", log_dir]


def trainer(a):
    if a.procs > 1:
        return torchrun(a.procs, os.path.join(a.run, "logs")) + ["training/train.py"]
    return [PY, "training/train.py"]


def stage_vision(a, s):
    d = os.path.join(a.run, "data")
    launcher = torchrun(a.procs, os.path.join(a.run, "logs-vision")) if a.procs > 1 else [PY]
    run(launcher + ["training/pretrain_vision.py", "--config", a.config, "--data", os.path.join(d, "p-base"), "--scenes", os.path.join(d, "base"),
         "--data", os.path.join(d, "p-full"), "--scenes", os.path.join(d, "full"), "--out", os.path.join(a.run, "vision"),
         "--steps", str(s["vision_steps"]), "--lr", "1e-3", "--warmup", str(min(50, s["vision_steps"] // 10 + 1)),
                    "--eval-every", str(max(1, s["vision_steps"] // 5)), "--precision", a.precision])


def stage_base(a, s):
    d = os.path.join(a.run, "data")
    vocab = [os.path.join(d, p) for p in os.listdir(d) if p.startswith("p-") and p not in ("p-base", "p-text")]
    run(trainer(a) + ["--stage", "base", "--config", a.config, "--data", os.path.join(d, "p-base"), os.path.join(d, "p-text"),
                      "--vocab-data", *sorted(vocab), "--init-vision", os.path.join(a.run, "vision", "vision.safetensors"), "--freeze-vision",
                      "--out", os.path.join(a.run, "base"), "--steps", str(s["base_steps"]),
                      "--batch-tokens", str(s["batch_tokens"]), "--lr", str(s["base_lr"]), "--warmup", str(min(100, s["base_steps"] // 10 + 1)), "--precision", a.precision])


def stage_instruct(a, s):
    d = os.path.join(a.run, "data")
    mixes = ["full"] + (["short", "vision"] if a.ablations else [])
    for mix in mixes:
        run(trainer(a) + ["--stage", "instruct", "--config", a.config, "--data", os.path.join(d, f"p-{mix}"),
                          "--init", os.path.join(a.run, "base", "model.safetensors"), "--out", os.path.join(a.run, f"instruct-{mix}"),
                          "--steps", str(s["instruct_steps"]), "--batch-tokens", str(s["batch_tokens"]), "--lr", str(s["instruct_lr"]),
                          "--warmup", str(min(50, s["instruct_steps"] // 10 + 1)), "--precision", a.precision])


def stage_export(a, s):
    out = a.export_to or SHIPPED
    run([PY, "training/export.py", "--config", a.config, "--base", os.path.join(a.run, "base", "model.safetensors"),
         "--lora", os.path.join(a.run, "instruct-full", "lora.safetensors"), "--out", out])
    # The ablation adapters: as adapter directories (MMGPT_ADAPTERS) and as whole model
    # directories (what `npm run eval --model-dir` serves).
    for mix in ("short", "vision"):
        lora = os.path.join(a.run, f"instruct-{mix}", "lora.safetensors")
        if os.path.exists(lora):
            run([PY, "training/export.py", "--config", a.config, "--base", os.path.join(a.run, "base", "model.safetensors"),
                 "--lora", lora, "--lora-only", os.path.join(a.run, "adapters", mix), "--out", os.path.join(a.run, "models", mix),
                 "--name", f"mmgpt-shapes-{mix}"])
    for name in ("base", "instruct-full"):
        png = os.path.join(a.run, name, "loss.png")
        if os.path.exists(png) and out == SHIPPED:
            shutil.copy(png, os.path.join(HERE, "docs", f"loss-{name}.png"))


STAGES = {"data": stage_data, "vision": stage_vision, "base": stage_base, "instruct": stage_instruct, "export": stage_export}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("stage", choices=[*STAGES, "all"])
    p.add_argument("--run", default=os.path.join(HERE, "runs", "shapes"))
    p.add_argument("--scale", choices=list(SCALES), default="full")
    p.add_argument("--procs", type=int, default=1)
    p.add_argument("--ablations", action="store_true")
    p.add_argument("--precision", choices=["bf16", "fp32"], default="bf16",
                   help="matrix products under bf16 autocast (fast with AVX512-BF16/AMX or on GPUs; use fp32 on CPUs without)")
    p.add_argument("--export-to", help="model directory to write (default models/mmgpt-shapes)")
    p.add_argument("--config", default=DEFAULT_CONFIG, help="model config (default configs/shapes.json)")
    a = p.parse_args()
    a.run = os.path.abspath(a.run)
    os.makedirs(os.path.join(HERE, "docs"), exist_ok=True)
    s = SCALES[a.scale]
    timings_path = os.path.join(a.run, "timings.json")
    os.makedirs(a.run, exist_ok=True)
    timings = json.load(open(timings_path)) if os.path.exists(timings_path) else {}
    for name in (list(STAGES) if a.stage == "all" else [a.stage]):
        t0 = time.time()
        print(f"== {name} ({a.scale}) ==", flush=True)
        STAGES[name](a, s)
        timings[name] = round(time.time() - t0, 1)
        with open(timings_path, "w") as f:
            json.dump(timings, f, indent=2)
        print(f"== {name}: {timings[name]:.0f} s ==", flush=True)
    print(f"timings (s): {json.dumps(timings)}")


if __name__ == "__main__":
    sys.exit(main())
