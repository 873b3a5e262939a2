"""Draws a scene (scene.py) into PNG or JPEG bytes.

Each shape is drawn as a coverage mask at SUPERSAMPLE x its box and averaged down (antialiased
edges), then blended over the background; only the box is touched, so large canvases stay cheap."""
import io
import math

import numpy as np
from PIL import Image, ImageDraw

SUPERSAMPLE = 4


def background_pixels(background, width, height):
    """float32 [h, w, 3]: a plain color, or a linear gradient between two colors along `angle`."""
    colors = np.asarray(background["colors"], dtype=np.float32)
    if background["style"] == "plain":
        return np.broadcast_to(colors[0], (height, width, 3)).copy()
    theta = math.radians(background["angle"])
    dx, dy = math.cos(theta), math.sin(theta)
    xs = np.arange(width, dtype=np.float32) - (width - 1) / 2
    ys = np.arange(height, dtype=np.float32) - (height - 1) / 2
    proj = xs[None, :] * dx + ys[:, None] * dy
    span = float(proj.max() - proj.min()) or 1.0
    t = ((proj - proj.min()) / span)[..., None]
    return colors[0] * (1 - t) + colors[1] * t


def coverage_mask(kind, size, offset_x, offset_y, box_w, box_h):
    """float32 [box_h, box_w] in 0..1: how much of each pixel the shape covers. offset_*: the
    shape's top-left corner relative to the pixel box, in pixels (fractional)."""
    k = SUPERSAMPLE
    mask = Image.new("L", (box_w * k, box_h * k), 0)
    draw = ImageDraw.Draw(mask)
    x0, y0, x1, y1 = offset_x * k, offset_y * k, (offset_x + size) * k, (offset_y + size) * k
    if kind == "circle":
        draw.ellipse((x0, y0, x1, y1), fill=255)
    elif kind == "square":
        draw.rectangle((x0, y0, x1, y1), fill=255)
    else:  # triangle, apex up: base and height both `size`
        draw.polygon(((x0 + x1) / 2, y0, x1, y1, x0, y1), fill=255)
    small = mask.resize((box_w, box_h), Image.BOX)
    return np.asarray(small, dtype=np.float32) / 255.0


def draw_scene(scene, noise_rng=None):
    """uint8 [h, w, 3] of the scene (noise from `noise_rng`, a numpy Generator, when the scene has noise)."""
    width, height = scene["width"], scene["height"]
    pixels = background_pixels(scene["background"], width, height)
    for obj in scene["objects"]:
        half = obj["size"] / 2
        left, top = obj["cx"] - half, obj["cy"] - half
        bx0, by0 = max(0, math.floor(left)), max(0, math.floor(top))
        bx1, by1 = min(width, math.ceil(left + obj["size"])), min(height, math.ceil(top + obj["size"]))
        alpha = coverage_mask(obj["kind"], obj["size"], left - bx0, top - by0, bx1 - bx0, by1 - by0)[..., None]
        region = pixels[by0:by1, bx0:bx1]
        region *= 1 - alpha
        region += alpha * np.asarray(obj["rgb"], dtype=np.float32)
    if scene["noise"]:
        pixels += noise_rng.normal(0.0, scene["noise"], pixels.shape).astype(np.float32)
    return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)


def encode_scene(scene, seed):
    """The image file's bytes; noise is seeded by `seed` so equal arguments give equal bytes."""
    pixels = draw_scene(scene, np.random.default_rng(seed))
    image = Image.fromarray(pixels, "RGB")
    out = io.BytesIO()
    if scene["format"] == "jpeg":
        image.save(out, format="JPEG", quality=scene["quality"])
    else:
        image.save(out, format="PNG", compress_level=6)
    return out.getvalue()
