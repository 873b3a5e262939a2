"""Tests of the scene rules of issue 14 (canvas, crop, sizes, gaps, position margins, background
distance, formats) and of the drawing: the objects recounted from the pixels are the scene list.

    /usr/bin/python3 -m unittest discover -s training/shapes_world -p 'test_*.py'
"""
import math
import random
import unittest

import numpy as np

from palette import COLOR_NAMES, COLORS, JITTER, KINDS, MIN_BACKGROUND_DISTANCE, POSITIONS
from render import background_pixels, draw_scene
from scene import CELL_MARGIN, SIZE_RANGE, sample_scene


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


if __name__ == "__main__":
    unittest.main()
