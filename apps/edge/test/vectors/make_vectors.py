#!/usr/bin/env python3
"""Writes the Pillow reference vectors for apps/edge/src/images (run by hand, never by CI).

Reference = open_clip's eval transform applied to `Image.open(path)` (what MultiModal-GPT's demo
does): torchvision Resize(224, BICUBIC) -> CenterCrop(224) -> convert("RGB"), in that order, so
the resize runs in the file's own Pillow mode (RGBA resamples premultiplied, "P" uses NEAREST).
Product choice on top: JPEG EXIF orientation is applied first (ImageOps.exif_transpose).
torchvision is not installed here; its two size rules are mirrored below (int() truncation for
the long side, Python's round-half-to-even for the crop offset).

Usage (Debian: apt-get install python3-pil python3-numpy): /usr/bin/python3 make_vectors.py,
then `npx biome check --write apps/edge/test/vectors` (biome formats manifest.json).
"""

import hashlib
import io
import json
import os
import struct
import zlib

import numpy as np
import PIL
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE = 224


def clip_preprocess(im):
    w, h = im.size
    short, long = (w, h) if w <= h else (h, w)
    new_long = int(SIZE * long / short)  # torchvision: truncation
    new_w, new_h = (SIZE, new_long) if w <= h else (new_long, SIZE)
    if (new_w, new_h) != (w, h):
        im = im.resize((new_w, new_h), Image.BICUBIC)
    top = int(round((new_h - SIZE) / 2.0))  # torchvision center_crop: banker's rounding
    left = int(round((new_w - SIZE) / 2.0))
    im = im.crop((left, top, left + SIZE, top + SIZE))
    return im.convert("RGB")


def synth(w, h, seed):
    """Photo-like test content: smooth gradients, hard edges, fine texture and noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 128 + 100 * np.sin(x / 17.0) * np.cos(y / 23.0)
    g = 255 * x / max(w - 1, 1)
    b = 255 * y / max(h - 1, 1)
    img = np.stack([r, g, b], axis=-1)
    img[(x // 6 + y // 6) % 2 == 0] *= 0.55  # checkerboard: aliasing shows up here
    cx, cy = w * 0.62, h * 0.4
    img[(x - cx) ** 2 + (y - cy) ** 2 < (min(w, h) * 0.2) ** 2] = [250, 240, 20]
    img[int(h * 0.7) : int(h * 0.75), :] = [10, 10, 10]
    patch = (x < w * 0.3) & (y > h * 0.75)  # a noise patch; elsewhere smooth, so vectors stay small
    img[patch] += rng.normal(0, 20, (int(patch.sum()), 3))
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def alpha_ramp(w, h, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    a = 255 * (x / (w - 1)) * (0.5 + 0.5 * np.sin(y / 9.0))
    a[:, : w // 8] = 0  # fully transparent strip with non-zero colour underneath
    a[: h // 10, :] = 255
    a += rng.normal(0, 6, a.shape)
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def jpeg_oriented(w, h, seed, orientation):
    im = Image.fromarray(synth(w, h, seed))
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    return buf.getvalue()


def jpeg_large():
    buf = io.BytesIO()
    Image.fromarray(synth(640, 400, 2)).save(buf, "JPEG", quality=85)  # 4:2:0, strong downscale
    return buf.getvalue()


def jpeg_gray():
    buf = io.BytesIO()
    Image.fromarray(synth(250, 330, 3)[:, :, 0]).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def png(im):
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def png_rgba():
    rgba = np.dstack([synth(300, 260, 4), alpha_ramp(300, 260, 4)])
    return png(Image.fromarray(rgba, "RGBA"))


def png_la():
    la = np.dstack([synth(230, 290, 5)[:, :, 1], alpha_ramp(230, 290, 5)])
    return png(Image.fromarray(la, "LA"))


def png_palette():
    im = Image.fromarray(synth(260, 300, 6)).quantize(colors=200)
    buf = io.BytesIO()
    im.save(buf, "PNG", transparency=7)  # tRNS: Pillow keeps mode "P" and ignores it on convert
    return buf.getvalue()


def png_wide():
    return png(Image.fromarray(synth(641, 200, 7)))  # crop offset 246.5 rounds to even


def png_small():
    return png(Image.fromarray(synth(100, 150, 8)))  # upscale


def raw_png(samples, color_type, depth, interlace=False, palette=None):
    """A PNG written by hand, for what Pillow's writer cannot make (Adam7, 16-bit RGB/RGBA, low
    bit depths). Row filters cycle through all five types so every unfilter path is exercised.
    `samples` is an (h, w, channels) integer array already in range for `depth`."""
    h, w, channels = samples.shape
    bpp = max(1, channels * depth // 8)

    def pack_row(row):
        if depth == 16:
            return row.astype(">u2").tobytes()
        if depth == 8:
            return row.astype(np.uint8).tobytes()
        bits = np.unpackbits(row.reshape(-1).astype(np.uint8)[:, None], axis=1)[:, 8 - depth :]
        return np.packbits(bits.reshape(-1)).tobytes()

    def filter_row(kind, row, prev):
        out = bytearray(len(row))
        for i in range(len(row)):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i] if prev else 0
            c = prev[i - bpp] if prev and i >= bpp else 0
            if kind == 0:
                pred = 0
            elif kind == 1:
                pred = a
            elif kind == 2:
                pred = b
            elif kind == 3:
                pred = (a + b) // 2
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            out[i] = (row[i] - pred) & 0xFF
        return bytes([kind]) + bytes(out)

    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = bytearray()
    n = 0
    for x0, y0, dx, dy in passes if interlace else [(0, 0, 1, 1)]:
        sub = samples[y0::dy, x0::dx]
        prev = None
        for row in sub:
            packed = pack_row(row)
            raw += filter_row(n % 5, packed, prev)
            prev = packed
            n += 1

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 1 if interlace else 0)
    plte = chunk(b"PLTE", bytes(palette)) if palette is not None else b""
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + plte + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")


def with_low_byte(rgb8, seed):
    """16-bit samples whose high byte is the 8-bit image: Pillow keeps the high byte only. The
    low byte is a full-range pattern (rounding instead of truncating would show), kept regular
    so the file compresses."""
    h, w, c = rgb8.shape
    y, x, ch = np.mgrid[0:h, 0:w, 0:c]
    low = ((x * 37 + y * 11 + ch * 85 + seed) % 256).astype(np.uint16)
    return rgb8.astype(np.uint16) * 256 + low


def png_rgba_crop_only():
    rgba = np.dstack([synth(260, 224, 13), alpha_ramp(260, 224, 13)])
    return png(Image.fromarray(rgba, "RGBA"))  # short side already 224: no resize, no premultiply


def png_crop_only():
    return png(Image.fromarray(synth(224, 301, 9)))  # short side already 224: Pillow copies; crop 38.5 → 38


def webp_lossy():
    buf = io.BytesIO()
    Image.fromarray(synth(400, 300, 10)).save(buf, "WEBP", quality=80)
    return buf.getvalue()


def webp_lossless_alpha():
    rgba = np.dstack([synth(256, 320, 11), alpha_ramp(256, 320, 11)])
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, "WEBP", lossless=True)
    return buf.getvalue()


def webp_lossy_alpha():
    rgba = np.dstack([synth(300, 280, 23), alpha_ramp(300, 280, 23)])
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, "WEBP", quality=80)  # VP8X + ALPH + VP8
    return buf.getvalue()


def gif_offset_frame():
    """Palette GIF whose first frame sits at (30, 25) inside a larger logical screen."""
    im = Image.fromarray(synth(200, 250, 12)).quantize(colors=64)
    buf = io.BytesIO()
    im.save(buf, "GIF", transparency=5)
    data = bytearray(buf.getvalue())
    struct.pack_into("<HH", data, 6, 260, 300)  # logical screen
    desc = data.index(b"\x2c", 13 + 3 * (2 << (data[10] & 7)))
    struct.pack_into("<HHHH", data, desc + 1, 30, 25, 200, 250)
    return bytes(data)


def gif_gray():
    """A GIF whose colour table is the identity gray ramp: Pillow opens it as "L" (bicubic)."""
    buf = io.BytesIO()
    Image.fromarray(synth(250, 270, 22)[:, :, 1], "L").save(buf, "GIF")
    data = bytearray(buf.getvalue())
    assert data[10] & 0x80, "expected a global colour table"
    entries = 2 << (data[10] & 7)
    data[13 : 13 + 3 * entries] = bytes(i for i in range(entries) for _ in range(3))  # identity ramp
    return bytes(data)


VECTORS = [
    ("jpeg-exif6", "jpg", lambda: jpeg_oriented(320, 240, 1, 6)),
    ("jpeg-exif3", "jpg", lambda: jpeg_oriented(300, 250, 14, 3)),
    ("jpeg-exif8", "jpg", lambda: jpeg_oriented(330, 260, 15, 8)),
    ("jpeg-large", "jpg", jpeg_large),
    ("jpeg-gray", "jpg", jpeg_gray),
    ("png-rgba", "png", png_rgba),
    ("png-la", "png", png_la),
    ("png-palette", "png", png_palette),
    ("png-wide", "png", png_wide),
    ("png-small", "png", png_small),
    ("png-rgba-small", "png", lambda: png(Image.fromarray(np.dstack([synth(120, 90, 24), alpha_ramp(120, 90, 24)]), "RGBA"))),
    ("png-palette-small", "png", lambda: png(Image.fromarray(synth(90, 140, 25)).quantize(colors=40))),
    ("png-crop-only", "png", png_crop_only),
    ("png-rgba-crop-only", "png", png_rgba_crop_only),
    ("png-adam7-rgb", "png", lambda: raw_png(synth(250, 230, 16), 2, 8, interlace=True)),
    ("png-rgb16", "png", lambda: raw_png(with_low_byte(synth(240, 250, 17), 17), 2, 16)),
    (
        "png-adam7-rgba16",
        "png",
        lambda: raw_png(
            with_low_byte(np.dstack([synth(230, 260, 18), alpha_ramp(230, 260, 18)]), 18), 6, 16, interlace=True
        ),
    ),
    ("png-gray4", "png", lambda: raw_png(synth(250, 240, 19)[:, :, :1] // 17, 0, 4)),
    ("png-gray1", "png", lambda: raw_png((synth(245, 260, 20)[:, :, :1] > 128).astype(np.uint8), 0, 1)),
    (
        "png-adam7-palette2",
        "png",
        lambda: raw_png(synth(235, 250, 21)[:, :, :1] // 64, 3, 2, True, [0, 0, 0, 250, 20, 20, 20, 250, 20, 240, 240, 240]),
    ),
    ("webp-lossy", "webp", webp_lossy),
    ("webp-lossless-alpha", "webp", webp_lossless_alpha),
    ("webp-lossy-alpha", "webp", webp_lossy_alpha),
    ("gif-offset-frame", "gif", gif_offset_frame),
    ("gif-gray", "gif", gif_gray),
]

# Vectors whose Pillow-decoded pixels are kept too, to separate decoder from resampler differences.
DECODED = {"jpeg-exif6", "jpeg-gray", "webp-lossy"}


def write_rgb_png(path, rgb):
    """Expected pixels as lossless PNG (small); the manifest's sha256 of the raw bytes lets the
    tests prove they decoded it exactly."""
    Image.fromarray(rgb, "RGB").save(path, "PNG", optimize=True)


def orientation_table():
    """For EXIF orientations 1..8: ImageOps.exif_transpose of a 3x2 image whose pixel i has
    value i, as (width, height, source index per output pixel)."""
    table = {}
    for orientation in range(1, 9):
        im = Image.fromarray(np.arange(6, dtype=np.uint8).reshape(2, 3), "L")
        im.getexif()[0x0112] = orientation
        out = ImageOps.exif_transpose(im)
        table[str(orientation)] = {"width": out.size[0], "height": out.size[1], "source": list(out.getdata())}
    return table


def main():
    os.makedirs(os.path.join(HERE, "images"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "expected"), exist_ok=True)
    manifest = {"pillow": PIL.__version__, "orientations": orientation_table(), "vectors": []}
    for name, ext, make in VECTORS:
        data = make()
        with open(os.path.join(HERE, "images", f"{name}.{ext}"), "wb") as f:
            f.write(data)
        im = Image.open(io.BytesIO(data))
        mode = im.mode
        if ext == "jpg":
            im = ImageOps.exif_transpose(im)
        out = np.asarray(clip_preprocess(im), dtype=np.uint8)
        assert out.shape == (SIZE, SIZE, 3)
        raw = out.tobytes()
        write_rgb_png(os.path.join(HERE, "expected", f"{name}.png"), out)
        entry = {
            "name": name,
            "image": f"images/{name}.{ext}",
            "expected": f"expected/{name}.png",
            "pillowMode": mode,
            "width": im.size[0],
            "height": im.size[1],
            "sha256": hashlib.sha256(raw).hexdigest(),
        }
        if name in DECODED:  # lossy decoders may differ by library version: keep decoded pixels too
            decoded = np.asarray(im.convert("RGB"), dtype=np.uint8)
            write_rgb_png(os.path.join(HERE, "expected", f"{name}.decoded.png"), decoded)
            entry["decoded"] = f"expected/{name}.decoded.png"
            entry["decodedSha256"] = hashlib.sha256(decoded.tobytes()).hexdigest()
        manifest["vectors"].append(entry)
        print(f"{name}: {mode} {im.size} {len(data)} bytes")
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
