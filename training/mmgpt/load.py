"""Loads a runner model directory (config.json, weights/model.safetensors, lora/adapter.safetensors
with peft names) into MultiModalGPT, adapter unmerged."""
import json
import os

from . import names, safetensors_io
from .model import MultiModalGPT


def load_model_dir(model_dir, lora_dir=None):
    config_path = os.path.join(model_dir, "config.json")
    with open(config_path) as f:
        cfg = json.load(f)
    table = names.tensor_table(config_path)
    model = MultiModalGPT(cfg)
    base, _ = safetensors_io.load(os.path.join(model_dir, "weights", "model.safetensors"))
    names.check_base(table, base)
    adapter = os.path.join(lora_dir or os.path.join(model_dir, "lora"), "adapter.safetensors")
    state = dict(base)
    if cfg.get("lora") and os.path.exists(adapter):
        model.add_lora()
        peft, _ = safetensors_io.load(adapter)
        state.update(names.lora_from_peft(table, peft))
    model.load_state_dict(state, strict=True)
    model.eval()
    return model, cfg, table
