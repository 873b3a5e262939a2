#!/usr/bin/env python3
"""Stage 0 of the miniature recipe: the vision side learns to see before the language model
learns to read it — the role CLIP's pretraining plays for OpenFlamingo, whose ViT-L/14 arrives
pretrained and stays frozen.

The ViT and the Perceiver resampler (the runner's architecture, the runner's names) train on the
shapes world's scene records: a small readout of 9 learned queries, one per 3x3 grid cell, attends
over the 16 media latents and predicts what lies in its cell: a color (or none) and a kind (or
none), two softmaxes, each target split evenly when two objects share a cell. (A first version
asked 216 yes/no questions per image with a sigmoid each; with 1.6 % of them "yes" it sat at the
base rate for 100 steps. The factored softmaxes give every cell a gradient from the first step:
color is readable from pixels almost at once, kind takes longer.) Whatever the latents must hold for that — every object's color, kind and place —
is what the gated cross-attention later reads. The readout is thrown away; the stage writes the
ViT and perceiver weights (`vision.safetensors`), which `train.py --stage base --init-vision`
starts from.

Why a labelled objective and not CLIP's contrastive one: at this size and on two CPU cores,
caption-contrastive learning with small batches needs far more steps to separate scenes that
differ in one object's position, and the first base runs (exp1, exp2 in README.md) showed the
language model never forcing the vision side to keep object information. The labels are the
same facts the captions state, read from the generator's scene records.

  /usr/bin/python3 training/pretrain_vision.py --config C.json --data PREP --scenes GEN [--data PREP2 --scenes GEN2] --out RUN --steps N

Resumable (rerun the same command), seeded, progress on stdout, loss curve in RUN/loss.png.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mmgpt import safetensors_io  # noqa: E402
from mmgpt.data import Dataset  # noqa: E402
from mmgpt.model import MultiModalGPT  # noqa: E402
from shapes_world.palette import COLOR_NAMES, KINDS, POSITIONS  # noqa: E402
from train import Dist, autocast, init_weights, log, plot  # noqa: E402

COLORS = ("none", *COLOR_NAMES)
KIND_NAMES = ("none", *KINDS)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True, help="model config.json (the runner's ModelConfig)")
    p.add_argument("--data", required=True, action="append", help="prepared dataset dir (tools/prepare.ts); repeatable")
    p.add_argument("--scenes", required=True, action="append", help="the generator's output dir for the same --data (meta.jsonl, scenes.jsonl)")
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--init", help="start the ViT and perceiver from this vision.safetensors (e.g. another run's)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=0, help="torch threads per process (0 = the cores shared among the processes)")
    p.add_argument("--holdout", type=float, default=0.05, help="share of images kept out of training to measure accuracy")
    p.add_argument("--log-every", type=int, default=25)
    p.add_argument("--ckpt-every", type=int, default=200)
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"], help="as train.py's: bf16 autocast for matrix products")
    p.add_argument("--eval-every", type=int, default=0, help="also measure the held-out images every N steps (0 = at the end only)")
    return p.parse_args(argv)


def cell_labels(objects):
    """[9, 9 + 4] per grid cell: the color distribution (none + 8) then the kind distribution
    (none + 3); a cell with two objects splits each evenly."""
    y = np.zeros((len(POSITIONS), len(COLORS) + len(KIND_NAMES)), dtype=np.float32)
    for cell in range(len(POSITIONS)):
        here = [o for o in objects if POSITIONS.index(o["position"]) == cell]
        if not here:
            y[cell, 0] = y[cell, len(COLORS)] = 1.0
        for o in here:
            y[cell, COLORS.index(o["color"])] += 1 / len(here)
            y[cell, len(COLORS) + KIND_NAMES.index(o["kind"])] += 1 / len(here)
    return y


def patch_labels(scene, grid):
    """[grid², 2] per ViT patch (row-major over the 224-px center crop CLIP preprocessing keeps):
    the color and the kind (indices into COLORS / KIND_NAMES, 0 = background) of the object
    whose box holds the patch's center (for a circle, whose disc)."""
    w, h = scene["width"], scene["height"]
    side = min(w, h)
    x0, y0 = (w - side) / 2, (h - side) / 2
    out = np.zeros((grid * grid, 2), dtype=np.int64)
    for i in range(grid):
        for j in range(grid):
            px, py = x0 + (j + 0.5) * side / grid, y0 + (i + 0.5) * side / grid
            for o in scene["objects"]:
                dx, dy, half = px - o["cx"], py - o["cy"], o["size"] / 2
                inside = dx * dx + dy * dy <= half * half if o["kind"] == "circle" else abs(dx) <= half and abs(dy) <= half
                if inside:
                    out[i * grid + j] = (COLORS.index(o["color"]), KIND_NAMES.index(o["kind"]))
    return out


def cell_loss(logits, y):
    c = len(COLORS)
    return -(y[..., :c] * F.log_softmax(logits[..., :c], -1)).sum(-1).mean() - (y[..., c:] * F.log_softmax(logits[..., c:], -1)).sum(-1).mean()


def labelled_images(prep_dir, gen_dir, grid):
    """(pixel array, {pixel index: (cell labels, patch labels)}) for one prepared dataset. Prepared sample i
    is the generator's line i (prepare.ts skipped none: checked), and its k-th image ref is the
    scene meta.images[k]."""
    ds = Dataset(prep_dir)
    if ds.info.get("skipped"):
        raise SystemExit(f"{prep_dir}: prepare skipped lines {ds.info['skipped']}; samples no longer align with {gen_dir}/meta.jsonl")
    with open(os.path.join(gen_dir, "scenes.jsonl")) as f:
        scenes = {s["id"]: s for s in map(json.loads, f)}
    with open(os.path.join(gen_dir, "meta.jsonl")) as f:
        meta = [json.loads(line) for line in f]
    if len(meta) != len(ds):
        raise SystemExit(f"{gen_dir}/meta.jsonl has {len(meta)} lines, {prep_dir} {len(ds)} samples")
    labels = {}
    for i, m in enumerate(meta):
        _, _, img_start, img_count = ds.samples[i]
        if img_count != len(m["images"]):
            raise SystemExit(f"sample {i}: {img_count} prepared images, meta says {len(m['images'])}")
        for k, scene_id in enumerate(m["images"]):
            scene = scenes[scene_id]
            labels[int(ds.image_refs[img_start + k])] = (cell_labels(scene["objects"]), patch_labels(scene, grid))
    return ds.pixels, labels


class CellReadout(nn.Module):
    """All media latents, flattened → an MLP → 9 color and 4 kind logits per cell. (An attention
    readout — 9 cell queries over the latents — averaged the latents at initialization, which the
    perceiver's own attention already does over the patches: no object reached a cell in 200
    steps. A dense layer over every latent gives each one its own gradient from the start.)"""

    def __init__(self, dim, latents):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        out = len(POSITIONS) * (len(COLORS) + len(KIND_NAMES))
        self.head = nn.Sequential(nn.Linear(dim * latents, 4 * dim), nn.GELU(), nn.Linear(4 * dim, out))

    def forward(self, latents):
        return self.head(self.norm(latents).flatten(1)).view(latents.shape[0], len(POSITIONS), -1)


class VisionStage(nn.Module):
    """The ViT with a per-patch head (what is under each patch: a dense signal the ViT learns
    from at once) and the perceiver with the per-cell readout (what the latents must carry)."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        width = model.cfg["vision"]["width"]
        self.patch_head = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, len(COLORS) + len(KIND_NAMES)))
        self.readout = CellReadout(model.cfg["perceiver"]["dim"], model.cfg["perceiver"]["numLatents"])

    def forward(self, pixels_u8):
        feats = self.model.patch_features(pixels_u8)
        return self.readout(self.model.perceiver(feats)), self.patch_head(feats)


def patch_loss(logits, y):
    c = len(COLORS)
    return F.cross_entropy(logits[..., :c].flatten(0, 1), y[..., 0].flatten()) + F.cross_entropy(logits[..., c:].flatten(0, 1), y[..., 1].flatten())


def vision_state_dict(model):
    return {k: v for k, v in model.state_dict().items() if k.startswith(("vision_encoder.", "perceiver."))}


def evaluate(stage, items, sources, batch):
    """Share of held-out cells whose most likely color and kind are a right answer (for a cell
    with two objects, either one's), of cells holding an object, and of images with all 9 right."""
    c = len(COLORS)
    stage.eval()
    right = cells = obj_right = obj_cells = whole = n = 0
    with torch.no_grad():
        for s in range(0, len(items), batch):
            pix, y, _ = load(items[s : s + batch], sources)
            logits, _ = stage(pix)
            color = logits[..., :c].argmax(-1, keepdim=True)
            kind = logits[..., c:].argmax(-1, keepdim=True)
            ok = (y[..., :c].gather(-1, color) > 0).squeeze(-1) & (y[..., c:].gather(-1, kind) > 0).squeeze(-1)
            occupied = y[..., 0] < 1
            right += ok.sum().item()
            cells += ok.numel()
            obj_right += (ok & occupied).sum().item()
            obj_cells += occupied.sum().item()
            whole += ok.all(dim=1).sum().item()
            n += len(y)
    stage.train()
    return {"cell_accuracy": right / max(cells, 1), "object_cell_accuracy": obj_right / max(obj_cells, 1), "image_accuracy": whole / max(n, 1)}


def load(batch_items, sources):
    pix = np.stack([sources[s][0][i] for s, i in batch_items])
    cells = np.stack([sources[s][1][i][0] for s, i in batch_items])
    patches = np.stack([sources[s][1][i][1] for s, i in batch_items])
    return torch.from_numpy(pix), torch.from_numpy(cells), torch.from_numpy(patches)


def main(argv=None):
    a = parse_args(argv)
    if len(a.data) != len(a.scenes):
        raise SystemExit("give one --scenes per --data")
    d = Dist("cpu")
    torch.set_num_threads(a.threads or max(1, (os.cpu_count() or 1) // d.world))
    with open(a.config) as f:
        cfg = json.load(f)
    os.makedirs(a.out, exist_ok=True)

    grid = cfg["vision"]["imageSize"] // cfg["vision"]["patchSize"]
    sources = [labelled_images(p, g, grid) for p, g in zip(a.data, a.scenes)]
    items = [(s, i) for s, (_, labels) in enumerate(sources) for i in sorted(labels)]
    rng = np.random.default_rng(a.seed)
    order = rng.permutation(len(items))
    n_hold = int(len(items) * a.holdout)
    held = [items[i] for i in order[:n_hold]]
    train_items = [items[i] for i in order[n_hold:]]

    torch.manual_seed(a.seed)
    model = MultiModalGPT(cfg)
    init_weights(model, cfg)
    if a.init:
        model.load_state_dict(safetensors_io.load(a.init)[0], strict=False)
    stage = VisionStage(model)
    params = []
    for n, p in stage.named_parameters():
        p.requires_grad_(n.startswith(("model.vision_encoder.", "model.perceiver.", "readout.", "patch_head.")))
        if p.requires_grad:
            params.append(p)
    opt = torch.optim.AdamW(params, lr=a.lr, betas=(0.9, 0.95), weight_decay=0.01)

    ckpt = os.path.join(a.out, "checkpoint.pt")
    state = {"step": 0}
    metrics = []
    if os.path.exists(ckpt):
        ck = torch.load(ckpt)
        stage.load_state_dict(ck["stage"], strict=False)
        opt.load_state_dict(ck["opt"])
        state, metrics = ck["state"], ck["metrics"]
        log(d, f"resumed from {ckpt} at step {state['step']}")
    # Data parallel like train.py: every process takes every world-th image of the same global
    # batch; with equal shares DDP's gradient average is the global batch's mean loss gradient.
    # (On 2 cores two 1-thread processes run ~2x one 2-thread process: measured 37 vs 30 img/s
    # for one process with 1 and with 2 threads.)
    net = torch.nn.parallel.DistributedDataParallel(stage) if d.on else stage
    log(d, f"vision stage: {len(train_items)} images to train, {len(held)} held out, "
           f"{sum(p.numel() for p in params):,} trainable params, {d.world} process(es) x {torch.get_num_threads()} threads, {a.precision}")

    per_epoch = len(train_items) // a.batch
    t0 = time.time()
    start = state["step"]
    loss_acc, n_acc = 0.0, 0
    while state["step"] < a.steps:
        step = state["step"]
        epoch, k = divmod(step, per_epoch)
        perm = np.random.default_rng([a.seed, epoch]).permutation(len(train_items))
        global_batch = [train_items[i] for i in perm[k * a.batch : (k + 1) * a.batch]]
        pix, cells, patches = load(global_batch[d.rank :: d.world], sources)
        lr = a.lr * min(1.0, (step + 1) / a.warmup) * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * step / a.steps)))
        for g in opt.param_groups:
            g["lr"] = lr
        with autocast("cpu", a.precision):
            cell_logits, patch_logits = net(pix)
        loss = cell_loss(cell_logits.float(), cells) + patch_loss(patch_logits.float(), patches)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        state["step"] += 1
        step_loss = float(d.sum(torch.tensor([loss.item()]))) / d.world
        loss_acc += step_loss
        n_acc += 1
        metrics.append({"step": state["step"], "loss": step_loss})
        if state["step"] % a.log_every == 0 or state["step"] == a.steps:
            el = time.time() - t0
            eta = el / (state["step"] - start) * (a.steps - state["step"])
            log(d, f"step {state['step']}/{a.steps}  loss {loss_acc / n_acc:.4f}  lr {lr:.2e}  "
                   f"{a.batch * (state['step'] - start) / el:,.0f} img/s  elapsed {el:,.0f}s  eta {eta:,.0f}s")
            loss_acc, n_acc = 0.0, 0
        if d.rank == 0 and a.eval_every and state["step"] % a.eval_every == 0 and state["step"] < a.steps:
            r = evaluate(stage, held, sources, a.batch)
            metrics[-1].update(r)
            print(f"step {state['step']}: held out {r['cell_accuracy']:.2%} of cells, {r['object_cell_accuracy']:.2%} of cells "
                  f"with an object, {r['image_accuracy']:.2%} of images right", flush=True)
        if d.rank == 0 and (state["step"] % a.ckpt_every == 0 or state["step"] == a.steps):
            torch.save({"stage": stage.state_dict(), "opt": opt.state_dict(), "state": state, "metrics": metrics}, ckpt + ".tmp")
            os.replace(ckpt + ".tmp", ckpt)
            plot(a.out, metrics)
    if d.rank == 0:
        report = {"held_out_images": len(held), "steps": a.steps, **evaluate(stage, held, sources, a.batch)}
        with open(os.path.join(a.out, "vision-eval.json"), "w") as f:
            json.dump(report, f, indent=2)
        print(f"held-out images ({len(held)}): {report['cell_accuracy']:.2%} of cells right, {report['object_cell_accuracy']:.2%} of "
              f"cells with an object, {report['image_accuracy']:.2%} of images entirely right", flush=True)
        safetensors_io.save(os.path.join(a.out, "vision.safetensors"), vision_state_dict(model), "F32", {"stage": "vision"})
        print(f"wrote {a.out}/vision.safetensors in {time.time() - t0:,.0f} s", flush=True)
    d.finish()


if __name__ == "__main__":
    main()
