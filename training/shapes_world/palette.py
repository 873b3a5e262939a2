"""The shapes world's vocabulary and colors: object kinds, the eight object colors with their
jitter, the 3x3 position names, and the backgrounds, which are drawn so that no background
pixel is ever close to any object color (the rule that keeps every object visible)."""
import math

KINDS = ("circle", "square", "triangle")

# Base RGB of each object color. Orange and yellow, the closest pair, stay ~90 apart so that
# jitter (+-JITTER per channel, at most ~21 in distance) never makes one look like the other.
COLORS = {
    "red": (215, 30, 35),
    "green": (35, 165, 55),
    "blue": (35, 75, 225),
    "yellow": (245, 225, 35),
    "orange": (250, 135, 20),
    "purple": (135, 45, 175),
    "white": (248, 248, 248),
    "black": (18, 18, 18),
}
COLOR_NAMES = tuple(COLORS)
JITTER = 12

# Row-major, so sorting by grid index is reading order (top left first, bottom right last).
POSITIONS = (
    "top left", "top", "top right",
    "left", "center", "right",
    "bottom left", "bottom", "bottom right",
)

# Every background pixel keeps at least this RGB distance from every base object color
# (after jitter, at least MIN_BACKGROUND_DISTANCE - 21): dark grays sit between black on one side
# and green and purple on the other, which bounds this near 90.
MIN_BACKGROUND_DISTANCE = 90
# Channel ranges of the two tones. Light stops below white and dark above black; the distance
# rule then rejects tints that sit near a colored object (e.g. a dark green near green).
TONES = {"light": (150, 200), "dark": (65, 115)}


def distance(a, b):
    return math.dist(a, b)


def segment_distance(p, a, b):
    """Distance from point p to the segment a-b: the closest pixel of a linear gradient from a to b."""
    ab = [bj - aj for aj, bj in zip(a, b)]
    length2 = sum(c * c for c in ab)
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, sum((pj - aj) * c for pj, aj, c in zip(p, a, ab)) / length2))
    return math.dist(p, [aj + t * c for aj, c in zip(a, ab)])


def background_clear(a, b=None):
    """True when every pixel between a and b (or the plain color a) is far from every object color."""
    b = a if b is None else b
    return all(segment_distance(rgb, a, b) >= MIN_BACKGROUND_DISTANCE for rgb in COLORS.values())


def sample_tone_color(rng, tone):
    low, high = TONES[tone]
    # A mostly gray base with a tint, so backgrounds read as light or dark rather than as a hue.
    base = rng.uniform(low, high)
    return tuple(int(round(min(high, max(low, base + rng.uniform(-20, 20))))) for _ in range(3))


def sample_background(rng):
    """{"tone", "style": "plain"|"gradient", "colors": [rgb] or [rgb, rgb], "angle"} by rejection."""
    tone = rng.choice(("light", "dark"))
    style = "gradient" if rng.random() < 0.5 else "plain"
    while True:
        a = sample_tone_color(rng, tone)
        if style == "plain":
            if background_clear(a):
                return {"tone": tone, "style": style, "colors": [list(a)]}
            continue
        b = sample_tone_color(rng, tone)
        if distance(a, b) >= 25 and background_clear(a, b):
            return {"tone": tone, "style": style, "colors": [list(a), list(b)], "angle": round(rng.uniform(0, 360), 1)}


def jitter_color(rng, name):
    return [max(0, min(255, c + rng.randint(-JITTER, JITTER))) for c in COLORS[name]]
