"""Tests of the shapes world generator's data sets: determinism, CLI errors, truth that agrees
with an independent re-derivation from the scene list, the OpenAI chat format of every mix, what
each mix holds, phrasing variety and the held-out split (scene and pixel rules: test_scene.py).

    /usr/bin/python3 -m unittest discover -s training/shapes_world -p 'test_*.py'
"""
import base64
import filecmp
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

from PIL import Image

import phrasings
from language_tasks import LANGUAGE_TASKS
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
            (["--images", "3"], "--images must be 8 or more"),
            (["--mix", "eval", "--images", "50"], "only the training mixes"),
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


class WrittenImagesTest(unittest.TestCase):
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
