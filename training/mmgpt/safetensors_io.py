"""Safetensors read/write (F32, F16, BF16) with the standard layout, so the runner reads what
PyTorch writes and the reverse. Debian ships no `safetensors` module; the format is small."""
import json
import os
import struct

import numpy as np
import torch

_NP = {"F32": np.float32, "F16": np.float16}


def load(path):
    """name → float32 tensor (BF16 widened exactly), plus the header's metadata."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        a, b = info["data_offsets"]
        raw = data[a:b]
        if info["dtype"] == "BF16":
            bits = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
            arr = bits.view(np.float32)
        elif info["dtype"] in _NP:
            arr = np.frombuffer(raw, dtype=_NP[info["dtype"]]).astype(np.float32)
        else:
            raise ValueError(f"{path}: {name} has dtype {info['dtype']}, not a float")
        out[name] = torch.from_numpy(arr.copy()).reshape(info["shape"])
    return out, meta


def save(path, tensors, dtype="F32", metadata=None):
    """Writes name → tensor as `dtype` (F32 or F16), sorted by name; atomically (tmp + rename)."""
    np_dtype = _NP[dtype]
    header = {}
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        arr = tensors[name].detach().to(torch.float32).contiguous().numpy().astype(np_dtype)
        b = arr.tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    js = json.dumps(header, separators=(",", ":")).encode()
    js += b" " * ((8 - len(js) % 8) % 8)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)
