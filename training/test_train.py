"""The training recipe end to end at smoke scale (what CI runs: `recipe.py all --scale smoke`),
and train.py's guarantees on a tiny model: 2 data-parallel processes (torchrun, gloo) compute the
same losses as 1 process with the same global batches (stage 0's pretrain_vision.py too); an
interrupted run resumes exactly.

  /usr/bin/python3 -m unittest training/test_train.py
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"
sys.path.insert(0, HERE)
from mmgpt import names, safetensors_io  # noqa: E402
from recipe import torchrun  # noqa: E402


def sh(cmd):
    # Bounded: a hung process fails the test instead of stalling the suite.
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r


def losses(run):
    with open(os.path.join(run, "metrics.jsonl")) as f:
        return [json.loads(line)["loss"] for line in f if line.strip()]


class TrainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mmgpt-train-test-")
        cls.run_dir = os.path.join(cls.tmp, "run")
        cls.model = os.path.join(cls.tmp, "model")
        sh([PY, "training/recipe.py", "all", "--scale", "smoke", "--run", cls.run_dir, "--export-to", cls.model])
        cls.tiny = os.path.join(cls.tmp, "tiny.json")
        with open(cls.tiny, "w") as f:
            f.write(sh([names.TSX, "training/tools/names.ts", "--preset", "mmgpt-tiny", "--config-only"]).stdout)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_recipe_smoke_writes_a_model_the_runner_accepts(self):
        for f in ("config.json", "manifest.json", "weights/model.safetensors", "lora/adapter.safetensors", "lora/manifest.json"):
            self.assertTrue(os.path.exists(os.path.join(self.model, f)), f)
        sh(["node", "apps/gpu-runner/bin/mmgpt.mjs", "verify", self.model])
        with open(os.path.join(self.run_dir, "timings.json")) as f:
            timings = json.load(f)
        self.assertEqual(set(timings), {"data", "vision", "base", "instruct", "export"})
        # Only LoRA trains in the instruction stage: the exported base is the base stage's (fp16).
        a, _ = safetensors_io.load(os.path.join(self.run_dir, "base", "model.safetensors"))
        b, _ = safetensors_io.load(os.path.join(self.model, "weights", "model.safetensors"))
        self.assertEqual(set(a), set(b))
        worst = max(float((a[k] - b[k]).abs().max() / (a[k].abs().max() + 1e-12)) for k in a)
        self.assertLess(worst, 1e-3)
        # Stage 0's ViT is the base's, unchanged (frozen, as OpenFlamingo keeps CLIP); its
        # perceiver is where the base started and went on training.
        v, _ = safetensors_io.load(os.path.join(self.run_dir, "vision", "vision.safetensors"))
        vit = [k for k in v if k.startswith("vision_encoder.")]
        self.assertTrue(vit and all(k.startswith("perceiver.") for k in set(v) - set(vit)))
        self.assertTrue(all(bool((v[k] == a[k]).all()) for k in vit))
        lora, meta = safetensors_io.load(os.path.join(self.model, "lora", "adapter.safetensors"))
        self.assertEqual((meta["r"], meta["alpha"]), ("16", "16"))
        self.assertTrue(all(k.startswith("lang_encoder.base_model.model.model.layers.") for k in lora))
        self.assertGreater(max(float(v.abs().max()) for k, v in lora.items() if "lora_B" in k), 0)  # it trained

    def base_args(self, out, steps=4):
        data = os.path.join(self.run_dir, "data")
        return ["training/train.py", "--stage", "base", "--config", self.tiny, "--data", f"{data}/p-base",
                "--vocab-data", f"{data}/p-full", "--out", out, "--steps", str(steps), "--batch-tokens", "600",
                "--threads", "1", "--log-every", "1", "--ckpt-every", "2", "--warmup", "2"]

    def test_two_processes_match_one(self):
        one, two = f"{self.tmp}/one", f"{self.tmp}/two"
        sh([PY, *self.base_args(one)])
        sh([*torchrun(2, f"{self.tmp}/logs"), *self.base_args(two)])
        a, b = losses(one), losses(two)
        self.assertEqual(len(a), 4)
        for x, y in zip(a, b):
            self.assertAlmostEqual(x, y, delta=1e-4 * max(1.0, abs(x)))
        self.assertLess(a[-1], a[0])  # it learns

    def test_vision_stage_two_processes_match_one(self):
        data = os.path.join(self.run_dir, "data")
        args = ["training/pretrain_vision.py", "--config", self.tiny, "--data", f"{data}/p-base", "--scenes", f"{data}/base",
                "--steps", "3", "--batch", "8", "--threads", "1", "--log-every", "1", "--warmup", "1"]
        one, two = f"{self.tmp}/vision-one", f"{self.tmp}/vision-two"
        sh([PY, *args, "--out", one])
        sh([*torchrun(2, f"{self.tmp}/vision-logs"), *args, "--out", two])
        import torch

        a, b = (torch.load(os.path.join(d, "checkpoint.pt"))["metrics"] for d in (one, two))
        self.assertEqual(len(a), 3)
        for x, y in zip(a, b):
            self.assertAlmostEqual(x["loss"], y["loss"], delta=1e-4 * max(1.0, abs(x["loss"])))
        self.assertTrue(os.path.exists(os.path.join(two, "vision.safetensors")))

    def test_resume_is_exact(self):
        full, cut = f"{self.tmp}/full-run", f"{self.tmp}/cut-run"
        sh([PY, *self.base_args(full)])
        sh([PY, *self.base_args(cut, steps=2)])  # "interrupted" after the step-2 checkpoint
        sh([PY, *self.base_args(cut)])
        self.assertEqual(losses(full), losses(cut))


if __name__ == "__main__":
    unittest.main()
