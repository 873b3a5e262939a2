"""train.py end to end on a tiny model: 2 data-parallel processes (torchrun, gloo) compute the
same losses as 1 process with the same global batches; an interrupted run resumes exactly; the
base → instruct → export chain writes a model directory the runner's names accept.

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
from mmgpt import names  # noqa: E402


def sh(cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True, **kw)


def losses(run):
    with open(os.path.join(run, "metrics.jsonl")) as f:
        return [json.loads(line)["loss"] for line in f if line.strip()]


class TrainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mmgpt-train-test-")
        t = cls.tmp
        cls.config = os.path.join(t, "config.json")
        with open(cls.config, "w") as f:
            f.write(sh([names.TSX, "training/tools/names.ts", "--preset", "mmgpt-tiny", "--config-only"]).stdout)
        sh([PY, "training/shapes_world/generate.py", "--out", f"{t}/base", "--seed", "5", "--samples", "24", "--mix", "base"])
        sh([PY, "training/shapes_world/generate.py", "--out", f"{t}/full", "--seed", "6", "--samples", "24", "--mix", "full"])
        prep = ["node", "--import", "tsx", "--import", "./training/tools/wasm-hooks.mjs", "training/tools/prepare.ts"]
        sh(prep + ["--data", f"{t}/base/data.jsonl", "--mode", "base", "--out", f"{t}/p-base"])
        sh(prep + ["--data", f"{t}/full/data.jsonl", "--mode", "instruct", "--out", f"{t}/p-full"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def base_args(self, out, steps=4):
        return ["training/train.py", "--stage", "base", "--config", self.config, "--data", f"{self.tmp}/p-base",
                "--vocab-data", f"{self.tmp}/p-full", "--out", out, "--steps", str(steps), "--batch-tokens", "600",
                "--threads", "1", "--log-every", "1", "--ckpt-every", "2", "--warmup", "2"]

    def test_two_processes_match_one(self):
        one, two = f"{self.tmp}/one", f"{self.tmp}/two"
        sh([PY, *self.base_args(one)])
        from recipe import torchrun

        sh([*torchrun(2, f"{self.tmp}/logs"), *self.base_args(two)])
        a, b = losses(one), losses(two)
        self.assertEqual(len(a), 4)
        for x, y in zip(a, b):
            self.assertAlmostEqual(x, y, delta=1e-4 * max(1.0, abs(x)))
        self.assertLess(a[-1], a[0])  # it learns

    def test_resume_is_exact(self):
        full, cut = f"{self.tmp}/full-run", f"{self.tmp}/cut-run"
        sh([PY, *self.base_args(full)])
        sh([PY, *self.base_args(cut, steps=2)])  # "interrupted" after the step-2 checkpoint
        sh([PY, *self.base_args(cut)])
        self.assertEqual(losses(full), losses(cut))

    def test_instruct_and_export(self):
        base, inst, model, adapter = (f"{self.tmp}/{n}" for n in ("b", "i", "model", "adapter"))
        sh([PY, *self.base_args(base, steps=2)])
        sh([PY, "training/train.py", "--stage", "instruct", "--config", self.config, "--data", f"{self.tmp}/p-full",
            "--init", f"{base}/model.safetensors", "--out", inst, "--steps", "2", "--batch-tokens", "600", "--threads", "1"])
        sh([PY, "training/export.py", "--config", self.config, "--base", f"{base}/model.safetensors",
            "--lora", f"{inst}/lora.safetensors", "--out", model, "--lora-only", adapter])
        for f in ("config.json", "manifest.json", "weights/model.safetensors", "lora/adapter.safetensors", "lora/manifest.json"):
            self.assertTrue(os.path.exists(os.path.join(model, f)), f)
        self.assertTrue(os.path.exists(os.path.join(adapter, "adapter.safetensors")))
        sh(["node", "apps/gpu-runner/bin/mmgpt.mjs", "verify", model])
        # Only LoRA trained in the instruct stage: the exported base equals the base stage's.
        from mmgpt import safetensors_io

        a, _ = safetensors_io.load(f"{base}/model.safetensors")
        b, _ = safetensors_io.load(os.path.join(model, "weights", "model.safetensors"))
        self.assertEqual(set(a), set(b))
        worst = max(float((a[k] - b[k]).abs().max() / (a[k].abs().max() + 1e-12)) for k in a)
        self.assertLess(worst, 1e-3)  # fp16 rounding only


if __name__ == "__main__":
    unittest.main()
