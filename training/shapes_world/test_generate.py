"""Tests of the shapes world generator: determinism, the scene rules of issue 14, truth that
agrees with the drawn pixels and with an independent re-derivation from the scene list,
phrasing variety and the held-out split, and the OpenAI chat format of every mix.

    /usr/bin/python3 -m unittest discover -s training/shapes_world -p 'test_*.py'
"""
import base64
import filecmp
import io
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import unittest

import numpy as np
from PIL import Image

import phrasings
from describe import count_of
from language_tasks import LANGUAGE_TASKS
from palette import COLOR_NAMES, COLORS, JITTER, KINDS, MIN_BACKGROUND_DISTANCE, POSITIONS
from render import background_pixels, draw_scene
from scene import CELL_MARGIN, SIZE_RANGE, sample_scene
from vision_tasks import SINGLE_IMAGE_TASKS

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATE = os.path.join(HERE, "generate.py")
VISION_TASKS = {*SINGLE_IMAGE_TASKS, "compare"}
ALL_TASKS = VISION_TASKS | set(LANGUAGE_TASKS)
SIZES = {"full": 400, "short": 200, "vision": 200, "eval": 180, "base": 30}
# Small image pools keep the test fast (images are the costly part); eval draws fresh scenes.
POOLS = {"full": 100, "short": 50, "vision": 50}
_tmp = tempfile.TemporaryDirectory(prefix="shapes-world-test-")


def run(out, mix, seed, samples, *extra):
    return subprocess.run(
        [sys.executable, GENERATE, "--out", out, "--seed", str(seed), "--samples", str(samples), "--mix", mix, *extra],
        capture_output=True, text=True,
    )


def dataset(mix):
    """Generated once per mix for the whole module: (dir, data lines, meta lines, scenes by id)."""
    out = os.path.join(_tmp.name, mix)
    if not os.path.exists(out):
        pool = ["--images", str(POOLS[mix])] if mix in POOLS else []
        result = run(out, mix, 7 if mix != "eval" else 8, SIZES[mix], *pool)
        assert result.returncode == 0, result.stderr
    with open(os.path.join(out, "data.jsonl")) as f:
        data = [json.loads(line) for line in f]
    with open(os.path.join(out, "meta.jsonl")) as f:
        meta = [json.loads(line) for line in f]
    with open(os.path.join(out, "scenes.jsonl")) as f:
        scenes = {s["id"]: s for s in map(json.loads, f)}
    return out, data, meta, scenes


def user_texts(data):
    for line in data:
        for message in line["messages"]:
            if message["role"] == "user":
                content = message["content"]
                yield content if isinstance(content, str) else " ".join(p["text"] for p in content if p["type"] == "text")


def assistant_texts(data):
    return [m["content"] for line in data for m in line["messages"] if m["role"] == "assistant"]


def entries(meta):
    return [e for line in meta for e in line["answers"]]


class DeterminismTest(unittest.TestCase):
    def test_same_arguments_give_the_same_bytes_whatever_the_workers(self):
        a, b, c = (os.path.join(_tmp.name, f"det-{i}") for i in range(3))
        self.assertEqual(run(a, "full", 3, 80).returncode, 0)
        self.assertEqual(run(b, "full", 3, 80, "--workers", "2").returncode, 0)
        self.assertEqual(run(c, "full", 4, 80).returncode, 0)
        names = ["data.jsonl", "meta.jsonl", "scenes.jsonl", "summary.json"]
        images = sorted(os.listdir(os.path.join(a, "images")))
        self.assertGreater(len(images), 10)
        self.assertEqual(images, sorted(os.listdir(os.path.join(b, "images"))))
        match, mismatch, errors = filecmp.cmpfiles(a, b, names + [f"images/{n}" for n in images], shallow=False)
        self.assertEqual((mismatch, errors), ([], []))
        self.assertFalse(filecmp.cmp(os.path.join(a, "data.jsonl"), os.path.join(c, "data.jsonl"), shallow=False))

    def test_bad_arguments_are_refused_with_a_message(self):
        out = os.path.join(_tmp.name, "bad")
        for extra, message in (
            (["--seed", "-1"], "--seed must be 0 or more"),
            (["--samples", "0"], "--samples must be 1 or more"),
            (["--mix", "nope"], "invalid choice"),
        ):
            args = {"--seed": "1", "--samples": "5", "--mix": "full", **dict(zip(extra[::2], extra[1::2]))}
            result = subprocess.run([sys.executable, GENERATE, "--out", out, *[x for kv in args.items() for x in kv]], capture_output=True, text=True)
            self.assertEqual(result.returncode, 2)
            self.assertIn(message, result.stderr)
        self.assertEqual(run(out, "full", 1, 5).returncode, 0)
        again = run(out, "full", 1, 5)
        self.assertEqual(again.returncode, 2)
        self.assertIn("--overwrite", again.stderr)
        self.assertEqual(run(out, "full", 1, 5, "--overwrite").returncode, 0)


class SceneRulesTest(unittest.TestCase):
    scenes = [sample_scene(random.Random(f"rules/{i}")) for i in range(1500)]

    def test_canvas_sizes_and_aspects(self):
        square = 0
        for s in self.scenes:
            w, h = s["width"], s["height"]
            self.assertTrue(224 <= min(w, h) and max(w, h) <= 640, (w, h))
            self.assertLessEqual(max(w, h) / min(w, h), 4 / 3 + 0.01)
            square += w == h
        self.assertTrue(0.3 < square / len(self.scenes) < 0.5)
        self.assertTrue(any(s["width"] > s["height"] for s in self.scenes) and any(s["width"] < s["height"] for s in self.scenes))

    def test_objects_are_inside_the_crop_apart_and_sized(self):
        counts = set()
        for s in self.scenes:
            w, h = s["width"], s["height"]
            side = min(w, h)
            left, top = (w - side) / 2, (h - side) / 2
            objects = s["objects"]
            counts.add(len(objects))
            for o in objects:
                self.assertIn(o["kind"], KINDS)
                self.assertIn(o["color"], COLOR_NAMES)
                self.assertTrue(SIZE_RANGE[0] * side - 0.01 <= o["size"] <= SIZE_RANGE[1] * side + 0.01)
                half = o["size"] / 2
                self.assertTrue(left <= o["cx"] - half and o["cx"] + half <= left + side, o)
                self.assertTrue(top <= o["cy"] - half and o["cy"] + half <= top + side, o)
                self.assertTrue(all(abs(c - b) <= JITTER for c, b in zip(o["rgb"], COLORS[o["color"]])))
            for i, a in enumerate(objects):
                for b in objects[i + 1:]:
                    apart = max(abs(a["cx"] - b["cx"]), abs(a["cy"] - b["cy"])) - (a["size"] + b["size"]) / 2
                    self.assertGreater(apart, 0.015 * side)
        self.assertEqual(counts, {1, 2, 3, 4, 5, 6})

    def test_positions_follow_the_center_with_a_margin_from_cell_borders(self):
        seen = set()
        for s in self.scenes:
            side = min(s["width"], s["height"])
            left, top = (s["width"] - side) / 2, (s["height"] - side) / 2
            for o in s["objects"]:
                fx, fy = (o["cx"] - left) / side * 3, (o["cy"] - top) / side * 3
                # Independent of scene.py: thirds of the crop, read row by row.
                self.assertEqual(o["position"], POSITIONS[int(fy) * 3 + int(fx)])
                for f in (fx, fy):
                    self.assertGreaterEqual(min(f - math.floor(f), math.ceil(f) - f) / 3, CELL_MARGIN - 0.001)
                seen.add(o["position"])
            order = [(POSITIONS.index(o["position"]), o["cy"]) for o in s["objects"]]
            self.assertEqual(order, sorted(order))  # reading order
        self.assertEqual(seen, set(POSITIONS))

    def test_background_pixels_keep_away_from_every_object_color(self):
        palette = np.asarray(list(COLORS.values()), dtype=np.float32)
        tones = set()
        for s in self.scenes[:100]:
            # Every 3rd pixel of every 3rd row: a gradient changes by < 1 per channel over 3 px.
            pixels = background_pixels(s["background"], s["width"], s["height"])[::3, ::3].reshape(-1, 1, 3)
            nearest = np.sqrt(((pixels - palette[None]) ** 2).sum(-1)).min()
            self.assertGreaterEqual(nearest, MIN_BACKGROUND_DISTANCE - 1)
            tones.add((s["background"]["tone"], s["background"]["style"]))
        self.assertEqual(len(tones), 4)

    def test_formats_noise_and_quality(self):
        jpeg = [s for s in self.scenes if s["format"] == "jpeg"]
        self.assertTrue(0.2 < len(jpeg) / len(self.scenes) < 0.5)
        self.assertTrue(all(70 <= s["quality"] <= 95 for s in jpeg))
        self.assertTrue(all(s["format"] == "jpeg" for s in self.scenes if s["noise"]))


def components(mask):
    """Connected regions (4-neighbour) of a boolean mask by row runs: [(y0, x0, y1, x1, area)]."""
    parent = {}

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    previous, runs = [], []
    for y, row in enumerate(mask):
        edges = np.flatnonzero(np.diff(np.concatenate(([0], row.astype(np.int8), [0]))))
        current = []
        for x0, x1 in zip(edges[::2], edges[1::2]):
            run_id = len(runs)
            runs.append((y, x0, x1))
            parent[run_id] = run_id
            for other in previous:
                _, ox0, ox1 = runs[other]
                if ox0 < x1 and x0 < ox1:
                    parent[find(other)] = find(run_id)
            current.append(run_id)
        previous = current
    groups = {}
    for run_id, (y, x0, x1) in enumerate(runs):
        g = groups.setdefault(find(run_id), [y, x0, y, x1, 0])
        g[0], g[1], g[2], g[3], g[4] = min(g[0], y), min(g[1], x0), max(g[2], y + 1), max(g[3], x1), g[4] + x1 - x0
    return list(groups.values())


class PixelsAgreeWithTruthTest(unittest.TestCase):
    def test_recounting_the_drawn_shapes_gives_the_scene_list(self):
        """Objects found in the pixels (regions that differ from the background), their color
        (nearest palette color), kind (how much of its box a region fills) and grid cell match."""
        fill = {"circle": math.pi / 4, "square": 1.0, "triangle": 0.5}
        palette = {name: np.asarray(rgb, dtype=np.float32) for name, rgb in COLORS.items()}
        for i in range(24):
            s = sample_scene(random.Random(f"pixels/{i}"))
            pixels = draw_scene(s, np.random.default_rng(i)).astype(np.float32)
            background = background_pixels(s["background"], s["width"], s["height"])
            mask = np.sqrt(((pixels - background) ** 2).sum(-1)) > 45
            found = [c for c in components(mask) if c[4] > 30]
            self.assertEqual(len(found), len(s["objects"]), s)
            recovered = []
            for y0, x0, y1, x1, area in found:
                region = pixels[y0:y1, x0:x1][mask[y0:y1, x0:x1]]
                mean = np.median(region, axis=0)
                color = min(palette, key=lambda n: float(((palette[n] - mean) ** 2).sum()))
                ratio = area / ((y1 - y0) * (x1 - x0))
                kind = min(fill, key=lambda k: abs(fill[k] - ratio))
                side = min(s["width"], s["height"])
                col = int(((x0 + x1) / 2 - (s["width"] - side) / 2) * 3 // side)
                row = int(((y0 + y1) / 2 - (s["height"] - side) / 2) * 3 // side)
                recovered.append((color, kind, POSITIONS[row * 3 + col]))
            truth = [(o["color"], o["kind"], o["position"]) for o in s["objects"]]
            self.assertEqual(sorted(recovered), sorted(truth))

    def test_written_images_decode_to_their_scene(self):
        out, _, _, scenes = dataset("full")
        for scene in list(scenes.values())[:20]:
            with Image.open(os.path.join(out, scene["file"])) as image:
                self.assertEqual(image.size, (scene["width"], scene["height"]))
                self.assertEqual(image.format, {"png": "PNG", "jpeg": "JPEG"}[scene["format"]])
                self.assertEqual(image.mode, "RGB")


def rederive(entry, scenes):
    """The truth an entry should carry, recomputed from its scenes without the generator's helpers."""
    task, t = entry["task"], entry["truth"]

    def n(scene):
        return sum(1 for o in scene["objects"] if o["kind"] == t.get("kind", o["kind"]) and o["color"] == t.get("color", o["color"]))

    if task == "count":
        return {**t, "number": n(scenes[-1])}
    if task == "exists":
        return {**t, "answer": "yes" if n(scenes[-1]) else "no"}
    if task == "compare":
        a, b = n(scenes[0]), n(scenes[1])
        return {**t, "counts": [a, b], "answer": "first" if a > b else "second" if b > a else "same"}
    if task in ("color", "kind", "position"):
        picked = [o for o in scenes[-1]["objects"] if all(o[k] == t[k] for k in ("kind", "color") if k in t and k != task)]
        return {**t, task: picked[0][task]} if len(picked) == 1 else {"unique": False}
    if task.startswith("caption"):
        return {"objects": [{k: o[k] for k in ("kind", "color", "position")} for o in scenes[-1]["objects"]]}
    raise AssertionError(task)


def turn_scenes(line, meta, scenes):
    """For each assistant turn, the scenes that its question is about (its own, or the last seen)."""
    out, seen = [], []
    for message in line["messages"]:
        if message["role"] == "user":
            content = message["content"]
            own = [] if isinstance(content, str) else [p for p in content if p["type"] == "image_url"]
            images = meta["images"][len(seen): len(seen) + len(own)]
            seen += images
            out.append([scenes[i] for i in (seen if len(images) == 0 else seen[-2:] if len(images) == 1 else images)])
    return out


class TruthTest(unittest.TestCase):
    def check_mix(self, mix):
        _, data, meta, scenes = dataset(mix)
        checked = 0
        for line, m in zip(data, meta):
            for entry, about in zip(m["answers"], turn_scenes(line, m, scenes)):
                if entry["task"] in VISION_TASKS:
                    self.assertEqual(entry["truth"], rederive(entry, about[-2:] if entry["task"] == "compare" else about[-1:]), (m["id"], entry))
                    checked += 1
        self.assertGreater(checked, 100)

    def test_vision_truths_follow_from_the_scenes(self):
        for mix in ("full", "eval", "short"):
            self.check_mix(mix)

    def test_language_truths_are_right(self):
        _, _, meta, _ = dataset("full")
        mixing = {frozenset(("red", "yellow")): "orange", frozenset(("red", "blue")): "purple", frozenset(("blue", "yellow")): "green"}
        seen = set()
        for e in entries(meta):
            t = e["truth"]
            seen.add(e["task"])
            if e["task"] == "arithmetic":
                self.assertEqual(t["number"], t["a"] + t["b"] if t["op"] == "+" else t["a"] - t["b"])
                self.assertTrue(0 <= t["number"] <= 20 and t["a"] <= 20 and t["b"] <= 20)
            elif e["task"] == "reverse":
                self.assertEqual(t["answer"], "".join(reversed(t["word"])))
            elif e["task"] == "letter_count":
                self.assertEqual(t["number"], t["word"].count(t["letter"]) if "letter" in t else len(t["word"]))
            elif e["task"] == "color_mixing":
                self.assertEqual(t["answer"], mixing[frozenset(t["inputs"])])
            elif e["task"] == "list" and t["category"] != "numbers":
                self.assertEqual(len(set(t["items"])), t["number"])
                self.assertTrue(set(t["items"]) <= set(t["allowed"]))
        self.assertEqual(seen & set(LANGUAGE_TASKS), set(LANGUAGE_TASKS))


class FormatTest(unittest.TestCase):
    def check_format(self, mix):
        out, data, meta, scenes = dataset(mix)
        self.assertEqual(len(data), SIZES[mix])
        self.assertEqual(len(meta), len(data))
        for line, m in zip(data, meta):
            self.assertEqual(list(line), ["messages"])
            roles = [message["role"] for message in line["messages"]]
            self.assertEqual(roles, ["user", "assistant"] * (len(roles) // 2))
            images = []
            for message in line["messages"]:
                self.assertEqual(set(message), {"role", "content"})
                content = message["content"]
                if message["role"] == "assistant":
                    self.assertIsInstance(content, str)
                    self.assertTrue(content.strip())
                elif not isinstance(content, str):
                    for part in content:
                        self.assertIn(part["type"], ("text", "image_url"))
                        if part["type"] == "image_url":
                            self.assertEqual(list(part), ["type", "image_url"])
                            images.append(part["image_url"]["url"])
                        else:
                            self.assertEqual(list(part), ["type", "text"])
            self.assertEqual(len(m["answers"]), len(roles) // 2)
            self.assertEqual([e["turn"] for e in m["answers"]], list(range(len(m["answers"]))))
            self.assertEqual([e["followup"] for e in m["answers"]], [i > 0 for i in range(len(m["answers"]))])
            self.assertEqual(images, [scenes[i]["file"] for i in m["images"]])
            for url in images:
                self.assertTrue(os.path.isfile(os.path.join(out, url)), url)

    def test_every_mix_is_openai_chat_jsonl_aligned_with_meta(self):
        for mix in SIZES:
            self.check_format(mix)

    def test_inline_images_are_data_urls(self):
        out = os.path.join(_tmp.name, "inline")
        self.assertEqual(run(out, "eval", 5, 30, "--inline-images").returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(out, "images")))
        with open(os.path.join(out, "data.jsonl")) as f:
            urls = [p["image_url"]["url"] for line in map(json.loads, f) for m in line["messages"]
                    if isinstance(m["content"], list) for p in m["content"] if p["type"] == "image_url"]
        self.assertGreater(len(urls), 10)
        for url in urls:
            match = re.fullmatch(r"data:image/(png|jpeg);base64,(.+)", url)
            self.assertIsNotNone(match)
            self.assertEqual(Image.open(io.BytesIO(base64.b64decode(match.group(2)))).format.lower(), match.group(1))

    def test_base_mix_is_images_with_captions(self):
        _, data, meta, _ = dataset("base")
        tasks = [e["task"] for e in entries(meta)]
        self.assertTrue(all(len(line["messages"]) == 2 for line in data))
        self.assertTrue(all(p["type"] == "image_url" for line in data for p in line["messages"][0]["content"]))
        self.assertGreater(tasks.count("caption_detailed"), tasks.count("caption_short") > 0)


class MixTest(unittest.TestCase):
    def test_full_and_eval_hold_every_task_and_shape_of_sample(self):
        for mix in ("full", "eval"):
            _, data, meta, _ = dataset(mix)
            self.assertEqual({e["task"] for e in entries(meta)}, ALL_TASKS)
            self.assertTrue(any(e["followup"] for e in entries(meta)))
            self.assertTrue(any(e["followup"] and e["task"] in VISION_TASKS for e in entries(meta)))
            parts = [len([p for p in m["content"] if p["type"] == "image_url"]) for line in data for m in line["messages"] if isinstance(m["content"], list)]
            self.assertIn(2, parts)  # two images in one message
            later = [i for line, m in zip(data, meta) for i, msg in enumerate(line["messages"]) if i > 0 and isinstance(msg["content"], list)]
            self.assertTrue(later)  # a later turn brings an image
            lengths = {len(line["messages"]) // 2 for line, m in zip(data, meta) if m["recipe"] == "dialogue"}
            self.assertEqual(lengths, {2, 3, 4})

    def test_full_is_about_a_quarter_language_only(self):
        _, data, meta, _ = dataset("full")
        language = sum(all(isinstance(m["content"], str) for m in line["messages"]) for line in data)
        self.assertTrue(0.2 <= language / len(data) <= 0.25)

    def test_vision_has_no_language_only_instruction(self):
        _, data, meta, _ = dataset("vision")
        self.assertEqual(len(data), SIZES["vision"])
        for line, m in zip(data, meta):
            self.assertIsInstance(line["messages"][0]["content"], list)
            self.assertTrue(all(e["task"] in VISION_TASKS for e in m["answers"]))

    def test_short_answers_are_short(self):
        _, data, meta, _ = dataset("short")
        answers = assistant_texts(data)
        self.assertTrue(all(len(a.split()) <= 6 for a in answers), [a for a in answers if len(a.split()) > 6])
        detailed = [a for line, m in zip(data, meta) for a, e in zip(assistant_texts([line]), m["answers"]) if e["task"] == "caption_detailed"]
        self.assertTrue(detailed)
        self.assertFalse(any(a.startswith("There are") or "corner" in a for a in detailed))
        self.assertEqual({e["task"] for e in entries(meta)}, ALL_TASKS)

    def test_eval_is_balanced(self):
        _, _, meta, _ = dataset("eval")
        recipes = {}
        for m in meta:
            recipes[m["recipe"]] = recipes.get(m["recipe"], 0) + 1
        self.assertEqual(set(recipes.values()), {SIZES["eval"] // len(recipes)})
        first = [m["answers"][0]["truth"]["answer"] for m in meta if m["recipe"] == "exists"]
        self.assertEqual(first.count("yes"), first.count("no"))
        compare = [m["answers"][0]["truth"]["answer"] for m in meta if m["recipe"] == "compare_one_message"]
        counts = [compare.count(a) for a in ("first", "second", "same")]
        self.assertLessEqual(max(counts) - min(counts), 1)


def template_regex(template):
    """A held-out template as a regex over whole questions (fields match any words)."""
    pattern = re.escape(template)
    return re.compile(re.sub(r"\\\{\w+\\\}", ".+?", pattern))


class PhrasingTest(unittest.TestCase):
    def test_pools_are_varied(self):
        language_pools = {"add", "subtract", "reverse", "letter_total", "letter_occurrences", "shape_sides", "shape_corners",
                          "shape_which_sides", "shape_more_corners", "color_mixing", "list_items", "list_numbers"}
        for name, pool in phrasings.POOLS.items():
            if name in SINGLE_IMAGE_TASKS or name == "compare":
                self.assertGreaterEqual(len(pool.train), 8, name)
            elif name in language_pools:
                self.assertGreaterEqual(len(pool.train), 4, name)
            self.assertGreaterEqual(len(pool.heldout), 1, name)
            self.assertEqual(len(set(pool.train + pool.heldout)), len(pool.train + pool.heldout), name)

    def test_training_data_uses_many_phrasings_per_task(self):
        _, _, meta, _ = dataset("full")
        by_task = {}
        for e in entries(meta):
            if e["phrasing"]:
                by_task.setdefault(e["task"], set()).add(e["phrasing"])
        for task in SINGLE_IMAGE_TASKS:
            self.assertGreaterEqual(len(by_task[task]), 8, task)

    def test_eval_only_phrasings_never_reach_training_mixes(self):
        heldout = [template_regex(t) for pool in phrasings.POOLS.values() for t in pool.heldout]
        for mix in ("full", "short", "vision", "base"):
            _, data, meta, _ = dataset(mix)
            for text in user_texts(data):
                for regex in heldout:
                    self.assertIsNone(regex.search(text), (mix, text, regex.pattern))
            self.assertFalse(any(e["heldout_phrasing"] for e in entries(meta)))
        _, data, meta, _ = dataset("eval")
        hits = sum(any(r.search(text) for r in heldout) for text in user_texts(data))
        flagged = sum(e["heldout_phrasing"] for e in entries(meta))
        self.assertGreater(flagged, 0.15 * len(entries(meta)))
        self.assertGreaterEqual(hits, flagged)


if __name__ == "__main__":
    unittest.main()
