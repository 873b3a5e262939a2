"""The runner's tensor table (printed by tools/names.ts from apps/gpu-runner/src/weights/names.ts)
and the renames between this package's LoRA names and peft's."""
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TSX = os.path.join(ROOT, "node_modules", ".bin", "tsx")


def tensor_table(config_path):
    """{"base": {name: shape}, "lora": [{"base", "a", "b"}]} for a config.json."""
    out = subprocess.check_output([TSX, os.path.join(ROOT, "training", "tools", "names.ts"), os.path.abspath(config_path)], cwd=ROOT)
    return json.loads(out)


def _ours(base_name, which):
    return base_name[: -len(".weight")] + f".lora_{which}.weight"


def lora_to_peft(table, lora_state):
    """{our name: tensor} → {peft name: tensor}; every pair of the table must be present."""
    out = {}
    for t in table["lora"]:
        out[t["a"]] = lora_state[_ours(t["base"], "A")]
        out[t["b"]] = lora_state[_ours(t["base"], "B")]
    if len(out) != len(lora_state):
        extra = set(lora_state) - {_ours(t["base"], w) for t in table["lora"] for w in "AB"}
        raise ValueError(f"LoRA tensors not in the runner's table: {sorted(extra)[:5]}")
    return out


def lora_from_peft(table, peft_state):
    out = {}
    for t in table["lora"]:
        out[_ours(t["base"], "A")] = peft_state[t["a"]]
        out[_ours(t["base"], "B")] = peft_state[t["b"]]
    return out


def check_base(table, state):
    """Raises naming every difference between a base state dict and the runner's table."""
    want = {k: tuple(v) for k, v in table["base"].items()}
    got = {k: tuple(v.shape) for k, v in state.items()}
    if want != got:
        missing = sorted(set(want) - set(got))[:5]
        extra = sorted(set(got) - set(want))[:5]
        shapes = [k for k in want if k in got and want[k] != got[k]][:5]
        raise ValueError(f"state dict differs from the runner's table: missing {missing}, extra {extra}, shapes {shapes}")
