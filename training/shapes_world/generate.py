"""Shapes world generator: writes a data set of OpenAI chat fine-tuning JSONL with images.

    /usr/bin/python3 training/shapes_world/generate.py --out DIR --seed N --samples N --mix MIX
        [--images N] [--inline-images] [--workers N] [--overwrite]

DIR receives data.jsonl, meta.jsonl (the truth of every assistant message, line by line),
scenes.jsonl (what every image shows), images/ and summary.json. Equal arguments give equal
bytes, whatever --workers is. See README.md beside this file."""
import argparse
import base64
import json
import multiprocessing
import os
import random
import shutil
import sys
import time

from language_tasks import LANGUAGE_TASKS
from mixes import MIXES, POOL_PER_SAMPLE, recipe_order
from recipes import RECIPES, NoSceneFits, SceneSource
from render import encode_scene
from vision_tasks import SINGLE_IMAGE_TASKS

OUTPUTS = ("data.jsonl", "meta.jsonl", "scenes.jsonl", "summary.json", "images")
MIME = {"png": "image/png", "jpeg": "image/jpeg"}
# A pool of a handful of scenes may hold no pair that some comparison needs; 16 always did in
# tests, 8 is the least accepted.
MIN_POOL, DEFAULT_MIN_POOL = 8, 16
TASK_GROUPS = {"vision": [*SINGLE_IMAGE_TASKS, "compare"], "language": list(LANGUAGE_TASKS)}


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Generate a shapes-world data set (OpenAI chat JSONL with images).")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--seed", type=int, required=True, help="the seed; it alone determines the output")
    parser.add_argument("--samples", type=int, required=True, help="number of JSONL lines")
    parser.add_argument("--mix", required=True, choices=tuple(MIXES), help="which data set")
    parser.add_argument("--images", type=int, help=f"image pool of the training mixes (default {POOL_PER_SAMPLE} x samples)")
    parser.add_argument("--inline-images", action="store_true", help="data: URLs in the JSONL instead of files")
    parser.add_argument("--workers", type=int, default=1, help="processes that draw images")
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier data set in --out")
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error("--seed must be 0 or more")
    if args.samples < 1:
        parser.error("--samples must be 1 or more")
    if args.workers < 1:
        parser.error("--workers must be 1 or more")
    if args.images is not None and (args.images < MIN_POOL or not MIXES[args.mix][3]):
        parser.error(f"--images must be {MIN_POOL} or more, and only the training mixes (full, short, vision) use a pool")
    existing = [name for name in OUTPUTS if os.path.exists(os.path.join(args.out, name))]
    if existing and not args.overwrite:
        parser.error(f"{args.out} already holds {', '.join(existing)}; pass --overwrite to replace them")
    return args


def build_samples(mix, seed, samples, pool):
    """[(recipe, turns)] for every line, and the scene source they drew from."""
    weights, split, _, pooled = MIXES[mix]
    source = SceneSource(seed, (pool or max(DEFAULT_MIN_POOL, round(samples * POOL_PER_SAMPLE))) if pooled else None)
    seen = {}
    out = []
    for index, name in enumerate(recipe_order(mix, seed, samples)):
        variant = seen.get(name, 0)
        seen[name] = variant + 1
        rng = random.Random(f"{seed}/{mix}/sample/{index}")
        out.append((name, RECIPES[name](rng, source, split, variant)))
    return out, source


def _render(job):
    seed, scene_id, scene = job
    return scene_id, encode_scene(scene, [seed, scene_id])


def render_all(seed, scenes, workers):
    """Yields (id, bytes) in id order; `workers` processes share the drawing."""
    jobs = [(seed, scene_id, scene) for scene_id, scene in scenes]
    if workers == 1:
        yield from map(_render, jobs)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_render, jobs, chunksize=16)


def image_name(scene_id, scene):
    return f"images/{scene_id:06d}.{'jpg' if scene['format'] == 'jpeg' else 'png'}"


def message_lines(turns, style, urls):
    messages = []
    for turn in turns:
        if turn.images:
            parts = [{"type": "image_url", "image_url": {"url": urls[i]}} for i in turn.images]
            if turn.text:
                parts.append({"type": "text", "text": turn.text})
            messages.append({"role": "user", "content": parts})
        else:
            messages.append({"role": "user", "content": turn.text})
        messages.append({"role": "assistant", "content": turn.answer if style == "full" else turn.short})
    return messages


def write_dataset(args):
    started = time.time()
    _, _, style, _ = MIXES[args.mix]
    samples, source = build_samples(args.mix, args.seed, args.samples, args.images)
    used = sorted({i for _, turns in samples for turn in turns for i in turn.images})
    scenes = [(i, source.scene(i)) for i in used]
    out = args.out
    for name in OUTPUTS:
        path = os.path.join(out, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)
    os.makedirs(os.path.join(out, "images") if not args.inline_images else out, exist_ok=True)

    urls, sizes = {}, {"png": 0, "jpeg": 0}
    with open(os.path.join(out, "scenes.jsonl"), "w") as scene_file:
        for (scene_id, data), (_, scene) in zip(render_all(args.seed, scenes, args.workers), scenes):
            fmt = scene["format"]
            sizes[fmt] += len(data)
            if args.inline_images:
                urls[scene_id] = f"data:{MIME[fmt]};base64,{base64.b64encode(data).decode()}"
            else:
                urls[scene_id] = image_name(scene_id, scene)
                with open(os.path.join(out, urls[scene_id]), "wb") as f:
                    f.write(data)
            record = {"id": scene_id, "file": None if args.inline_images else urls[scene_id], **scene}
            scene_file.write(json.dumps(record, separators=(",", ":")) + "\n")

    with open(os.path.join(out, "data.jsonl"), "w") as data_file, open(os.path.join(out, "meta.jsonl"), "w") as meta_file:
        for index, (recipe, turns) in enumerate(samples):
            data_file.write(json.dumps({"messages": message_lines(turns, style, urls)}, ensure_ascii=False) + "\n")
            meta = {
                "id": f"{args.mix}-{args.seed}-{index:06d}", "recipe": recipe,
                "images": [i for turn in turns for i in turn.images],
                "answers": [turn.entry(t) for t, turn in enumerate(turns)],
            }
            meta_file.write(json.dumps(meta, separators=(",", ":")) + "\n")

    summary = summarize(args, samples, scenes, sizes, source)
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    elapsed = time.time() - started
    print(f"{args.mix}: {len(samples)} samples, {len(scenes)} images "
          f"({(sizes['png'] + sizes['jpeg']) / 2**20:.1f} MiB) in {out} in {elapsed:.1f} s", file=sys.stderr)


def count_by(items):
    counts = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return dict(sorted(counts.items()))


def summarize(args, samples, scenes, sizes, source):
    entries = [turn.entry(t) for _, turns in samples for t, turn in enumerate(turns)]
    return {
        "mix": args.mix,
        "arguments": {"seed": args.seed, "samples": args.samples, "images": args.images, "inline_images": args.inline_images},
        "recipes": count_by(name for name, _ in samples),
        "tasks": count_by(e["task"] for e in entries),
        "answers": len(entries),
        "followups": sum(e["followup"] for e in entries),
        "heldout_phrasings": sum(e["heldout_phrasing"] for e in entries),
        "language_only_samples": sum(all(not t.images for t in turns) for _, turns in samples),
        "images": {
            "files": len(scenes),
            "pool": source.pool,
            "formats": count_by(scene["format"] for _, scene in scenes),
            "bytes": sizes,
            "objects": count_by(len(scene["objects"]) for _, scene in scenes),
        },
        "task_groups": TASK_GROUPS,
    }


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        write_dataset(args)
    except NoSceneFits as error:
        sys.exit(f"generate.py: error: {error}; a larger --images pool gives it more scenes to choose from")


if __name__ == "__main__":
    main()
