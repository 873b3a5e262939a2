"""Questions about one scene (and comparisons of two): each builder returns a Turn, or None
when the scene cannot pose that question (e.g. no kind occurs exactly once)."""
from describe import (
    GENERIC_NOUNS, article, capitalize, count_of, count_sentence, detailed_caption, grouped,
    noun, object_truth, position_phrase, short_caption,
)
from palette import COLOR_NAMES, KINDS
from phrasings import pick
from turn import Turn


def descriptor_truth(kind, color):
    return {k: v for k, v in (("kind", kind), ("color", color)) if v is not None}


def sample_descriptor(rng, scene, present_share=0.85):
    """(kind, color) for a count or compare question: everything, a kind, a color or both;
    mostly taken from an object of the scene, sometimes anything (often absent: count 0)."""
    shape = rng.choice(("all", "kind", "color", "both"))
    if shape == "all":
        return None, None
    if scene["objects"] and rng.random() < present_share:
        obj = rng.choice(scene["objects"])
        kind, color = obj["kind"], obj["color"]
    else:
        kind, color = rng.choice(KINDS), rng.choice(COLOR_NAMES)
    return (kind if shape != "color" else None), (color if shape != "kind" else None)


def count_turn(rng, scene, split, kind=None, color=None, pool="count"):
    generic = rng.choice(GENERIC_NOUNS)
    things = noun(kind, color, plural=True, generic=generic)
    number = count_of(scene, kind, color)
    text, phrasing, heldout = pick(rng, pool, split, things=things)
    answer = count_sentence(number, noun(kind, color, generic=generic), things)
    return Turn(text, answer, str(number), "count", {"number": number, **descriptor_truth(kind, color)}, phrasing, heldout)


def ask_count(rng, scene, split, variant):
    return count_turn(rng, scene, split, *sample_descriptor(rng, scene))


def unique_object(rng, scene, attribute):
    """An object whose kind (or color) no other object shares, or None when there is none."""
    values = [o[attribute] for o in scene["objects"]]
    unique = [o for o in scene["objects"] if values.count(o[attribute]) == 1]
    return rng.choice(unique) if unique else None


def ask_color(rng, scene, split, variant):
    obj = unique_object(rng, scene, "kind")
    if obj is None:
        return None
    kind, color = obj["kind"], obj["color"]
    text, phrasing, heldout = pick(rng, "color", split, kind=kind)
    return Turn(text, f"The {kind} is {color}.", color, "color", {"color": color, "kind": kind}, phrasing, heldout)


def ask_kind(rng, scene, split, variant):
    obj = unique_object(rng, scene, "color")
    if obj is None:
        return None
    kind, color = obj["kind"], obj["color"]
    text, phrasing, heldout = pick(rng, "kind", split, color=color)
    answer = f"The {color} object is {article(kind)}."
    return Turn(text, answer, kind, "kind", {"kind": kind, "color": color}, phrasing, heldout)


def exists_descriptor(rng, scene, want_yes):
    """(kind, color) present (want_yes) or absent; absent pairs are mostly near misses (their
    color or their kind is in the scene), which is what makes the question worth asking."""
    candidates = {
        "kind": [(k, None) for k in KINDS],
        "color": [(None, c) for c in COLOR_NAMES],
        "both": [(k, c) for k in KINDS for c in COLOR_NAMES],
    }
    shapes = [s for s in candidates if any((count_of(scene, *d) > 0) == want_yes for d in candidates[s])]
    options = [d for d in candidates[rng.choice(shapes)] if (count_of(scene, *d) > 0) == want_yes]
    near = [d for d in options if d[0] and d[1] and (count_of(scene, d[0]) or count_of(scene, None, d[1]))]
    return rng.choice(near if near and not want_yes and rng.random() < 0.7 else options)


def exists_turn(rng, scene, split, kind, color, pool="exists"):
    want_yes = count_of(scene, kind, color) > 0
    generic = rng.choice(GENERIC_NOUNS)
    thing = noun(kind, color, generic=generic)
    text, phrasing, heldout = pick(rng, pool, split, a_thing=article(thing))
    answer = f"Yes, there is {article(thing)}." if want_yes else f"No, there is no {thing}."
    truth = {"answer": "yes" if want_yes else "no", **descriptor_truth(kind, color)}
    return Turn(text, answer, truth["answer"], "exists", truth, phrasing, heldout)


def ask_exists(rng, scene, split, variant):
    # Alternating by variant keeps exactly half of the questions negative.
    return exists_turn(rng, scene, split, *exists_descriptor(rng, scene, variant % 2 == 0))


def ask_position(rng, scene, split, variant):
    """The position of an object that some descriptor singles out (its kind, color, or both)."""
    options = []
    for obj in scene["objects"]:
        for kind, color in ((obj["kind"], obj["color"]), (obj["kind"], None), (None, obj["color"])):
            if count_of(scene, kind, color) == 1:
                options.append((obj, kind, color))
    if not options:
        return None
    obj, kind, color = rng.choice(options)
    the_thing = "the " + noun(kind, color)
    text, phrasing, heldout = pick(rng, "position", split, the_thing=the_thing)
    answer = f"{capitalize(the_thing)} is {position_phrase(obj['position'])}."
    truth = {"position": obj["position"], **descriptor_truth(kind, color)}
    return Turn(text, answer, obj["position"], "position", truth, phrasing, heldout)


def terse_list(scene, most):
    """A few color-kind words, as terse captioning datasets write them."""
    return ", ".join(noun(k, c) for _, c, k in grouped(scene["objects"])[:most])


def ask_caption_detailed(rng, scene, split, variant):
    text, phrasing, heldout = pick(rng, "caption_detailed", split)
    tone = scene["background"]["tone"]
    short = f"Colored shapes on a {tone} background." if rng.random() < 0.5 else terse_list(scene, 3)
    truth = {"objects": object_truth(scene)}
    return Turn(text, detailed_caption(scene), short, "caption_detailed", truth, phrasing, heldout)


def ask_caption_short(rng, scene, split, variant):
    text, phrasing, heldout = pick(rng, "caption_short", split)
    truth = {"objects": object_truth(scene)}
    return Turn(text, short_caption(scene), terse_list(scene, 2), "caption_short", truth, phrasing, heldout)


COMPARE_ANSWERS = ("first", "second", "same")


def compare_turn(rng, first, second, split, variant, pool="compare", prefix=""):
    """Which of two scenes has more of something; the wanted answer cycles with `variant`, so
    first, second and same come equally often. None when no descriptor gives that answer."""
    wanted = COMPARE_ANSWERS[variant % 3]
    for _ in range(40):
        kind, color = sample_descriptor(rng, first if rng.random() < 0.5 else second, present_share=1.0)
        a, b = count_of(first, kind, color), count_of(second, kind, color)
        answer = "first" if a > b else "second" if b > a else "same"
        if answer == wanted and (a or b):
            break
    else:
        return None
    things = noun(kind, color, plural=True, generic=rng.choice(GENERIC_NOUNS))
    text, phrasing, heldout = pick(rng, pool, split, things=things)
    full = {
        "first": f"The first image has more {things}.",
        "second": f"The second image has more {things}.",
        "same": f"Both images have the same number of {things}.",
    }[answer]
    truth = {"answer": answer, "counts": [a, b], **descriptor_truth(kind, color)}
    return Turn(prefix + text, full, answer, "compare", truth, phrasing, heldout)


SINGLE_IMAGE_TASKS = {
    "count": ask_count,
    "color": ask_color,
    "kind": ask_kind,
    "exists": ask_exists,
    "position": ask_position,
    "caption_detailed": ask_caption_detailed,
    "caption_short": ask_caption_short,
}
