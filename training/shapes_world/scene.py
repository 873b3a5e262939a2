"""Scenes: what one image shows, as plain data (JSON-ready), sampled from a seeded RNG.

The picture is a w x h canvas whose centered square crop (side s = min(w, h), what CLIP
preprocessing keeps) holds every object. Positions are the 3x3 grid cells of that crop, read
from each object's center, which stays CELL_MARGIN away from cell borders so that the label is
unambiguous after resizing to 224 px. Objects are squares of side `size` (a circle's diameter,
a square's side, a triangle's base and height), laid out with a gap between their boxes."""
from describe import reading_order
from palette import COLOR_NAMES, KINDS, POSITIONS, jitter_color, sample_background

SIZE_RANGE = (0.12, 0.30)  # object size as a fraction of the shorter side
CELL_MARGIN = 0.06  # center's distance from any cell border, fraction of s (> a triangle's centroid offset, 0.05)
CROP_INSET = 0.01  # objects stay this far inside the crop (CLIP's crop rounds to whole pixels)
GAP = 0.02  # minimum gap between two objects' boxes, fraction of s
MAX_OBJECTS = 6


def crop_of(width, height):
    """(left, top, side) of the centered square crop."""
    side = min(width, height)
    return (width - side) / 2, (height - side) / 2, side


def grid_position(cx, cy, width, height):
    """The 3x3 position name of a point, from its place in the centered square crop."""
    left, top, side = crop_of(width, height)
    col = min(2, max(0, int((cx - left) * 3 // side)))
    row = min(2, max(0, int((cy - top) * 3 // side)))
    return POSITIONS[row * 3 + col]


def sample_canvas(rng):
    """(width, height): square (40 %) or up to 4:3 either way; both sides within 224-640 px."""
    aspect = 1.0 if rng.random() < 0.4 else rng.uniform(1.05, 4 / 3)
    short = rng.randint(224, int(640 / aspect))
    long = int(round(short * aspect))
    return (long, short) if rng.random() < 0.5 else (short, long)


def boxes_apart(a, b, gap):
    """a, b: (cx, cy, size) boxes; True when they are at least `gap` apart along some axis."""
    (ax, ay, asz), (bx, by, bsz) = a, b
    reach = (asz + bsz) / 2 + gap
    return abs(ax - bx) >= reach or abs(ay - by) >= reach


def _place(rng, sizes):
    """Boxes (cx, cy, size) in crop units (side 1) for the given sizes, or None when stuck."""
    placed, used_cells = [], set()
    for size in sizes:
        half = size / 2 + CROP_INSET
        for _ in range(60):
            # Mostly a free cell, so that scenes spread over the grid; sometimes a shared one.
            free = [c for c in range(9) if c not in used_cells]
            cell = rng.choice(free) if free and rng.random() < 0.9 else rng.randrange(9)
            row, col = divmod(cell, 3)
            x_low, x_high = max(col / 3 + CELL_MARGIN, half), min((col + 1) / 3 - CELL_MARGIN, 1 - half)
            y_low, y_high = max(row / 3 + CELL_MARGIN, half), min((row + 1) / 3 - CELL_MARGIN, 1 - half)
            box = (rng.uniform(x_low, x_high), rng.uniform(y_low, y_high), size)
            if all(boxes_apart(box, other, GAP) for other in placed):
                placed.append(box)
                used_cells.add(cell)
                break
        else:
            return None
    return placed


def sample_scene(rng):
    """A scene of 1-MAX_OBJECTS objects, as a JSON-ready dict."""
    width, height = sample_canvas(rng)
    left, top, side = crop_of(width, height)
    count = rng.randint(1, MAX_OBJECTS)
    while True:
        # Larger sets draw from a smaller size range so they still fit on the grid.
        top_size = SIZE_RANGE[1] if count <= 4 else SIZE_RANGE[1] - 0.04 * (count - 4)
        sizes = sorted((rng.uniform(SIZE_RANGE[0], top_size) for _ in range(count)), reverse=True)
        boxes = _place(rng, sizes)
        if boxes is not None:
            break
    objects = []
    for cx, cy, size in boxes:
        kind, color = rng.choice(KINDS), rng.choice(COLOR_NAMES)
        # Rounded before use, so that the scene file reproduces the drawing exactly.
        x, y, px = round(left + cx * side, 2), round(top + cy * side, 2), round(size * side, 2)
        objects.append({
            "kind": kind, "color": color, "rgb": jitter_color(rng, color),
            "cx": x, "cy": y, "size": px, "position": grid_position(x, y, width, height),
        })
    objects = reading_order(objects)
    noisy = rng.random() < 0.25
    jpeg = noisy or rng.random() < 0.15
    return {
        "width": width, "height": height, "background": sample_background(rng), "objects": objects,
        "noise": round(rng.uniform(2, 6), 2) if noisy else 0,
        "format": "jpeg" if jpeg else "png", "quality": rng.randint(70, 95) if jpeg else None,
    }
