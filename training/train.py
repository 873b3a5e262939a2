#!/usr/bin/env python3
"""One training stage of the miniature MultiModal-GPT recipe (nanoGPT-style: one script, plain
config values, seeded, resumable, the same code on one CPU or many GPUs through torchrun).

  base      LLaMA and the gated cross-attention train from scratch on the base data (captioned
            images, and plain text); the ViT and perceiver too, or start from stage 0's
            (`--init-vision`, pretrain_vision.py) with the ViT frozen (`--freeze-vision`).
  instruct  the base is frozen; only the LoRA adapters (r, alpha, targets from the config:
            q/k/v/o_proj, to_q/to_kv/to_out, ff.1/ff.3) train, on the instruction mix.

  /usr/bin/python3 training/train.py --stage base --config C.json --data DIR --out RUN --steps N
  torchrun --nproc_per_node 2 training/train.py …          (gloo on CPU, NCCL on GPUs)

Every global batch is cut the same way whatever the number of processes (rank r takes every
world-th sample), and the loss is the sum over the global batch's target tokens divided by
their count, so 1 and N processes compute the same gradients. Checkpoints (weights, optimizer,
position in the data) let an interrupted run resume exactly: rerun the same command.
"""
import argparse
import json
import math
import os
import sys
import time
from datetime import timedelta

import numpy as np
import torch
import torch.distributed as dist

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mmgpt import safetensors_io  # noqa: E402
from mmgpt.data import ConcatDataset, Dataset, batches  # noqa: E402
from mmgpt.model import MultiModalGPT  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--stage", choices=["base", "instruct"], required=True)
    p.add_argument("--config", help="model config.json (the runner's ModelConfig); default: --init DIR's")
    p.add_argument("--data", required=True, nargs="+", help="prepared dataset dir(s) (tools/prepare.ts)")
    p.add_argument("--out", required=True, help="run directory: checkpoints, metrics, loss curve, weights")
    p.add_argument(
        "--init",
        help="instruct: the base to adapt: a model.safetensors (train.py --stage base wrote it) or a runner "
        "model directory (a converted MultiModal-GPT/OpenFlamingo checkpoint: config.json + weights/*.safetensors)",
    )
    p.add_argument(
        "--vocab-data",
        nargs="*",
        default=[],
        help="base: more prepared datasets whose tokens the model must know (the instruction data: "
        "LoRA cannot train embeddings or lm_head rows, so the base has to)",
    )
    p.add_argument(
        "--init-vision",
        help="base: the ViT and perceiver weights to start from (pretrain_vision.py's vision.safetensors, stage 0)",
    )
    p.add_argument(
        "--freeze-vision",
        action="store_true",
        help="base: keep the ViT frozen (OpenFlamingo's rule for its pretrained CLIP encoder); the perceiver still trains",
    )
    p.add_argument("--steps", type=int, required=True, help="optimizer steps (global batches)")
    p.add_argument("--batch-tokens", type=int, default=4096, help="padded tokens per global batch")
    p.add_argument("--max-batch", type=int, default=64, help="samples per global batch at most")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--min-lr-ratio", type=float, default=0.1)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--gate-init", type=float, default=0.5, help="base: initial attn/ff gates (tanh of it scales the blocks)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=0, help="torch intra-op threads per process (0 = cores / processes)")
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--ckpt-every", type=int, default=100)
    p.add_argument("--device", default="cpu", help="cpu | cuda")
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"],
                   help="bf16: matrix products in bfloat16 under autocast, weights and optimizer in fp32")
    return p.parse_args(argv)


class Dist:
    def __init__(self, device):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.on = self.world > 1
        if self.on:
            # A bounded wait: a lost peer fails the run instead of hanging it.
            dist.init_process_group("nccl" if device == "cuda" else "gloo", timeout=timedelta(minutes=10))
        if device == "cuda":
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))

    def sum(self, x):
        if self.on:
            dist.all_reduce(x, op=dist.ReduceOp.SUM)
        return x

    def barrier(self):
        if self.on:
            dist.barrier()

    def finish(self):
        """Waits for every process, then leaves without the interpreter's teardown: with Debian's
        torch 1.13, a gloo transport thread sometimes spun forever at exit once the peer had gone
        (rank 1 at 100 % CPU after rank 0 finished; torchrun then never returns). Call it when
        everything is written."""
        self.barrier()
        if self.on:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)


def autocast(device, precision):
    """bf16 autocast: matrix products (linear, matmul, conv) in bfloat16, the rest and every weight
    in fp32. On a CPU with AVX512-BF16/AMX (this machine's Sapphire Rapids) oneDNN runs a
    1536x192x512 product 5x faster than fp32; whole steps gain less (measured here with two
    processes: base stage ~5,300 vs ~3,900 tokens/s, stage 0 170 vs 116 images/s). On CPUs without
    it bf16 is emulated and slower: keep fp32 there."""
    return torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=precision == "bf16")


def log(d, msg):
    if d.rank == 0:
        print(msg, flush=True)


def lr_at(step, a):
    if step < a.warmup:
        return a.lr * (step + 1) / a.warmup
    p = (step - a.warmup) / max(1, a.steps - a.warmup)
    return a.lr * (a.min_lr_ratio + (1 - a.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * min(1.0, p))))


def init_weights(model, cfg):
    """Init for a from-scratch base. The language model is GPT-style: N(0, 0.02), residual output
    projections scaled down by depth. Every attention that reads the image (the ViT's, the
    perceiver's, the gated cross-attention's) gets query/key weights of std 1/sqrt(fan_in), so
    its logits start with std ~1: with 0.02 they start near-uniform, each perceiver latent is then
    the mean of all patches (the background dominates it), and in a first run (exp1) 900 steps
    taught the background and no object. The ViT's positional embedding starts as 2-D sin/cos, so
    patches know where they are from the first step."""
    n_layers = cfg["language"]["layers"]
    for name, p in model.named_parameters():
        if p.dim() < 2 or "lora_" in name or name.endswith(("latents", "class_embedding", "positional_embedding")):
            continue
        std = 0.02
        if name.endswith(("o_proj.weight", "down_proj.weight", "to_out.weight", "ff.3.weight", "c_proj.weight", "out_proj.weight")):
            std = 0.02 / math.sqrt(2 * n_layers)
        reads_image = name.startswith(("vision_encoder.", "perceiver.")) or ".attn.to_q" in name or ".attn.to_kv" in name
        if reads_image and name.endswith(("in_proj_weight", "to_q.weight", "to_kv.weight")):
            std = 1 / math.sqrt(p.shape[1])
        torch.nn.init.normal_(p, 0.0, std)
    v = cfg["vision"]
    grid = v["imageSize"] // v["patchSize"]
    with torch.no_grad():
        pos = model.vision_encoder.visual.positional_embedding
        pos[1:] = sincos_2d(grid, v["width"])
        pos[0] = 0
    localize_perceiver(model, cfg)


PLACE_CHANNELS = 16  # width of one place code (see place_code)
PLACE_GAIN = 1.25  # logit scale of the place matching at initialization: 1 puts 86 % of each latent's attention on its 2x2 patch block, 2 saturates it (100 %), which leaves no gradient to the rest


def place_code(y, x, grid):
    """[..., 16] a place's code: cos/sin of 4 frequencies per axis, so that the dot product of two
    codes is a peaked kernel of their distance on the patch grid (Σ_k cos(kπΔ/grid) per axis)."""
    k = torch.arange(1, 5, dtype=torch.float32) * math.pi / grid
    parts = []
    for c in (y, x):
        a = torch.as_tensor(c, dtype=torch.float32)[..., None] * k
        parts += [a.cos(), a.sin()]
    return torch.cat(parts, dim=-1)


def localize_perceiver(model, cfg):
    """Start every perceiver latent looking at its own region of the image.

    Measured before (exp1–exp5 in README.md): from a random start the perceiver's latents stay
    near-averages of all patches for hundreds of steps, so where an object lies never reaches the
    language model, and a supervised per-cell readout of the latents named no occupied cell. So the
    start is designed, as the ViT's sin/cos positions are. Two code blocks at the top of the
    residual stream: the last PLACE_CHANNELS channels of every patch hold the code of its place
    (conv1 writes nothing there); the PLACE_CHANNELS before them hold, in latent i, the code of the
    center of region i on a √L×√L grid. In every perceiver layer the query reads the latents'
    block and the key the patches' block, so each latent attends to the patches of its region
    from the first step, not to the latents (whose key has no place code). Its own code stays in
    its residual, so whoever reads the latents can tell where each looked. Everything else keeps
    its random start, and all of it trains: content-based attention can grow where it helps."""
    v, p = cfg["vision"], cfg["perceiver"]
    grid, width, n_lat = v["imageSize"] // v["patchSize"], v["width"], p["numLatents"]
    side = int(round(math.sqrt(n_lat)))
    if side * side != n_lat or width != p["dim"] or p["dimHead"] < PLACE_CHANNELS or width < 4 * PLACE_CHANNELS:
        return  # the design needs a square latent grid and room for the codes
    patch_lo, lat_lo = width - PLACE_CHANNELS, width - 2 * PLACE_CHANNELS
    ys, xs = torch.meshgrid(torch.arange(grid), torch.arange(grid), indexing="ij")
    centers = (torch.arange(side, dtype=torch.float32) + 0.5) * grid / side - 0.5
    cy, cx = torch.meshgrid(centers, centers, indexing="ij")
    gain = PLACE_GAIN * p["dimHead"] ** 0.25  # q·k/sqrt(dimHead): the gain lands once per side
    eye = gain * torch.eye(PLACE_CHANNELS)
    with torch.no_grad():
        vis = model.vision_encoder.visual
        vis.conv1.weight[lat_lo:] = 0
        vis.positional_embedding[1:, lat_lo:patch_lo] = 0
        vis.positional_embedding[1:, patch_lo:] = place_code(ys.flatten(), xs.flatten(), grid)
        model.perceiver.latents[:, lat_lo:patch_lo] = place_code(cy.flatten(), cx.flatten(), grid)
        model.perceiver.latents[:, patch_lo:] = 0
        inner = p["heads"] * p["dimHead"]
        for attn, _ in model.perceiver.layers:
            attn.to_q.weight.zero_()
            attn.to_kv.weight[:inner].zero_()
            for h in range(p["heads"]):
                rows = slice(h * p["dimHead"], h * p["dimHead"] + PLACE_CHANNELS)
                attn.to_q.weight[rows, lat_lo:patch_lo] = eye
                attn.to_kv.weight[rows, patch_lo:] = eye


def sincos_2d(grid, width):
    """[grid², width] fixed 2-D sin/cos position codes (half the channels per axis), row-major."""
    quarter = width // 4
    omega = 1.0 / (10000 ** (torch.arange(quarter, dtype=torch.float32) / quarter))
    ys, xs = torch.meshgrid(torch.arange(grid, dtype=torch.float32), torch.arange(grid, dtype=torch.float32), indexing="ij")
    parts = []
    for coord in (ys.flatten(), xs.flatten()):
        a = coord[:, None] * omega[None, :]
        parts += [a.sin(), a.cos()]
    out = torch.cat(parts, dim=1)
    return torch.nn.functional.pad(out, (0, width - out.shape[1]))


def active_vocab(cfg, datasets):
    ids = set(int(v) for v in cfg["tokens"].values())
    for ds in datasets:
        ids.update(int(i) for i in np.unique(ds.tokens))
    return sorted(ids)


def tied_rows_active(weight):
    """Token ids whose lm_head row differs from the row most tokens share (see use_compact_head)."""
    rows, inverse, counts = torch.unique(weight, dim=0, return_inverse=True, return_counts=True)
    shared = int(counts.argmax())
    if int(counts[shared]) == 1:
        return list(range(weight.shape[0]))
    return (inverse != shared).nonzero().flatten().tolist()


def load_base_weights(init):
    """A base's weights: one safetensors file, or every shard under a model directory's weights/."""
    if not os.path.isdir(init):
        return safetensors_io.load(init)[0]
    shards = sorted(f for f in os.listdir(os.path.join(init, "weights")) if f.endswith(".safetensors"))
    if not shards:
        raise SystemExit(f"{init}/weights holds no .safetensors (convert the checkpoint with `mmgpt convert` first)")
    out = {}
    for s in shards:
        out.update(safetensors_io.load(os.path.join(init, "weights", s))[0])
    return out


def build_model(a, cfg, datasets):
    torch.manual_seed(a.seed)
    model = MultiModalGPT(cfg, gate_init=a.gate_init)
    if a.stage == "base":
        init_weights(model, cfg)
        if a.init_vision:
            vision = safetensors_io.load(a.init_vision)[0]
            if not vision or any(not k.startswith(("vision_encoder.", "perceiver.")) for k in vision):
                raise SystemExit(f"{a.init_vision}: expected only vision_encoder.* and perceiver.* weights")
            model.load_state_dict(vision, strict=False)
        if a.freeze_vision:
            for p in model.vision_encoder.parameters():
                p.requires_grad = False
        model.use_compact_head(active_vocab(cfg, datasets + [Dataset(p) for p in a.vocab_data]))
        return model
    if not a.init:
        raise SystemExit("--stage instruct needs --init BASE/model.safetensors or a model directory")
    weights = load_base_weights(a.init)
    missing, unexpected = model.load_state_dict(weights, strict=False)
    if missing or unexpected:
        raise SystemExit(f"{a.init}: missing {missing[:5]}…, unexpected {unexpected[:5]}…")
    if not cfg.get("lora"):
        raise SystemExit("--stage instruct needs a config with a `lora` section")
    model.use_compact_head(tied_rows_active(model.lm_head.weight.detach()))
    model.add_lora()
    for name, p in model.named_parameters():
        p.requires_grad = "lora_" in name
    return model


def save_checkpoint(path, model, opt, state):
    tmp = path + ".tmp"
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state}, tmp)
    os.replace(tmp, path)


def plot(out, metrics):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    steps = [m["step"] for m in metrics]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(steps, [m["loss"] for m in metrics], lw=1)
    ax.set_xlabel("step")
    ax.set_ylabel("loss (nats / target token)")
    ax.set_yscale("log")
    ax.set_title(os.path.basename(os.path.abspath(out)))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "loss.png"), dpi=100)
    plt.close(fig)


def main(argv=None):
    a = parse_args(argv)
    d = Dist(a.device)
    threads = a.threads or max(1, (os.cpu_count() or 1) // d.world)
    torch.set_num_threads(threads)
    if not a.config:
        if not (a.init and os.path.isdir(a.init)):
            raise SystemExit("--config is required unless --init is a model directory")
        a.config = os.path.join(a.init, "config.json")
    with open(a.config) as f:
        cfg = json.load(f)
    os.makedirs(a.out, exist_ok=True)
    device = torch.device(a.device)

    datasets = [Dataset(p) for p in a.data]
    ds = datasets[0] if len(datasets) == 1 else ConcatDataset(datasets)
    pad = cfg["tokens"]["pad"]
    model = build_model(a, cfg, datasets).to(device)
    if hasattr(model, "head_active"):
        log(d, f"compact head: {len(model.head_active_ids)} active tokens, {model.head_inactive} tied")
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    decay = [p for n, p in trainable if p.dim() >= 2 and "embed" not in n]
    no_decay = [p for n, p in trainable if not (p.dim() >= 2 and "embed" not in n)]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": a.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=a.lr,
        betas=(0.9, 0.95),
    )
    ckpt_path = os.path.join(a.out, "checkpoint.pt")
    metrics_path = os.path.join(a.out, "metrics.jsonl")
    state = {"step": 0, "epoch": 0, "batch": 0}
    metrics = []
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path, map_location=device)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        state = ck["state"]
        if os.path.exists(metrics_path):
            with open(metrics_path) as f:
                metrics = [json.loads(line) for line in f if line.strip()]
            metrics = [m for m in metrics if m["step"] <= state["step"]]
        log(d, f"resumed from {ckpt_path} at step {state['step']}")
    ddp = torch.nn.parallel.DistributedDataParallel(model, find_unused_parameters=True) if d.on else model

    n_train = sum(p.numel() for _, p in trainable)
    n_all = sum(p.numel() for p in model.parameters())
    log(d, f"{a.stage}: {len(ds)} samples, {n_train:,} trainable of {n_all:,} params, {d.world} process(es) × {threads} threads, {a.precision}")

    lengths = ds.lengths()
    plan = batches(lengths, a.batch_tokens, a.max_batch, a.seed, state["epoch"])
    t_start = time.time()
    t_log = time.time()
    start_step = state["step"]
    tokens_since = 0
    loss_sum = 0.0
    loss_n = 0
    with open(metrics_path, "a") as mf:
        while state["step"] < a.steps:
            if state["batch"] >= len(plan):
                state["epoch"] += 1
                state["batch"] = 0
                plan = batches(lengths, a.batch_tokens, a.max_batch, a.seed, state["epoch"])
            global_batch = plan[state["batch"]]
            mine = global_batch[d.rank :: d.world]
            for g in opt.param_groups:
                g["lr"] = lr_at(state["step"], a)
            if mine:
                ids, tgt, pix, counts = ds.collate(mine, pad)
            else:
                # A batch smaller than the world: this process still joins the gradient
                # all-reduce, with one padding token and no target (a zero loss).
                ids, tgt, pix, counts = torch.full((1, 1), pad), torch.full((1, 1), -100), None, [0]
            total = float(d.sum(torch.tensor([float((tgt >= 0).sum())])))
            opt.zero_grad(set_to_none=True)
            ids, tgt = ids.to(device), tgt.to(device)
            with autocast(a.device, a.precision):
                summed = ddp(ids, pix.to(device) if pix is not None else None, counts, tgt)
            # DDP averages gradients over processes; scaling by world/total makes that the
            # gradient of (sum of token losses in the global batch) / (their count).
            (summed * d.world / max(total, 1.0)).backward()
            local = float(summed)
            torch.nn.utils.clip_grad_norm_([p for _, p in trainable], 1.0)
            opt.step()
            state["step"] += 1
            state["batch"] += 1
            # One all-reduce for both figures the log needs.
            summed_all, tokens_all = d.sum(torch.tensor([local, float(ids.numel()) if mine else 0.0])).tolist()
            step_loss = summed_all / max(total, 1.0)
            loss_sum += step_loss
            loss_n += 1
            tokens_since += int(tokens_all)
            m = {"step": state["step"], "loss": step_loss, "lr": lr_at(state["step"] - 1, a), "targets": int(total)}
            metrics.append(m)
            if d.rank == 0:
                mf.write(json.dumps(m) + "\n")
            if state["step"] % a.log_every == 0 or state["step"] == a.steps:
                now = time.time()
                tps = tokens_since / max(now - t_log, 1e-9)
                elapsed = now - t_start
                done = state["step"]
                eta = elapsed / max(1, done - start_step) * (a.steps - done)
                log(d, f"step {done}/{a.steps}  loss {loss_sum / loss_n:.4f}  lr {m['lr']:.2e}  {tps:,.0f} tok/s  elapsed {elapsed:,.0f}s  eta {eta:,.0f}s")
                mf.flush()
                t_log, tokens_since, loss_sum, loss_n = now, 0, 0.0, 0
            if d.rank == 0 and (state["step"] % a.ckpt_every == 0 or state["step"] == a.steps):
                save_checkpoint(ckpt_path, model, opt, state)
                plot(a.out, metrics)
    if d.rank == 0:
        write_weights(a, model)
        plot(a.out, metrics)
        log(d, f"wrote {a.out} in {time.time() - t_start:,.0f} s")
    d.finish()


def write_weights(a, model):
    if a.stage == "base":
        safetensors_io.save(os.path.join(a.out, "model.safetensors"), model.base_state_dict(), "F32", {"stage": "base"})
    else:
        safetensors_io.save(os.path.join(a.out, "lora.safetensors"), model.lora_state_dict(), "F32", {"stage": "instruct"})


if __name__ == "__main__":
    main()
