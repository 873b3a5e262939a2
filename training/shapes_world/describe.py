"""English for the shapes world: noun phrases for a descriptor (a kind, a color, both or
neither), number words, position phrases and the two caption styles. Answers use one wording
per task, so that the evaluation's scorer (training/eval/score.ts) can read them back."""
from palette import POSITIONS

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
GENERIC_NOUNS = ("object", "shape")


def matches(obj, kind=None, color=None):
    return (kind is None or obj["kind"] == kind) and (color is None or obj["color"] == color)


def count_of(scene, kind=None, color=None):
    return sum(matches(o, kind, color) for o in scene["objects"])


def noun(kind=None, color=None, plural=False, generic="object"):
    """"red triangles", "triangle", "blue objects", "shapes" ..."""
    head = kind or generic
    words = ([color] if color else []) + [head + ("s" if plural else "")]
    return " ".join(words)


def article(phrase):
    return ("an " if phrase[0] in "aeiou" else "a ") + phrase


def count_sentence(number, phrase_singular, phrase_plural):
    """The counting answer: the number always in digits."""
    if number == 1:
        return f"There is 1 {phrase_singular}."
    return f"There are {number} {phrase_plural}."


def position_phrase(position):
    """"in the top left corner", "at the top", "on the left", "in the center"."""
    if position == "center":
        return "in the center"
    if " " in position:
        return f"in the {position} corner"
    return f"at the {position}" if position in ("top", "bottom") else f"on the {position}"


def capitalize(text):
    return text[:1].upper() + text[1:]


def reading_order(objects):
    return sorted(objects, key=lambda o: (POSITIONS.index(o["position"]), o["cy"], o["cx"]))


def background_sentence(background):
    if background["style"] == "gradient":
        return f"The background is a {background['tone']} gradient."
    return f"The background is plain and {background['tone']}."


def detailed_caption(scene):
    """Every object with its color, kind and position, one sentence each, in reading order
    (scenes keep their objects in reading order)."""
    objects = scene["objects"]
    n = len(objects)
    sentences = ["There is 1 object in this image." if n == 1 else f"There are {n} objects in this image."]
    for obj in objects:
        sentences.append(f"{capitalize(position_phrase(obj['position']))} there is {article(noun(obj['kind'], obj['color']))}.")
    sentences.append(background_sentence(scene["background"]))
    return " ".join(sentences)


def grouped(objects):
    """[(count, color, kind)] in the order of each group's first object."""
    groups = {}
    for obj in objects:
        key = (obj["color"], obj["kind"])
        groups[key] = groups.get(key, 0) + 1
    return [(n, color, kind) for (color, kind), n in groups.items()]


def join_list(items):
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def short_caption(scene):
    """One sentence naming every object with its color: "A red circle and two blue squares on a dark background."""
    items = [article(noun(k, c)) if n == 1 else f"{NUMBER_WORDS[n]} {noun(k, c, plural=True)}" for n, c, k in grouped(scene["objects"])]
    return capitalize(join_list(items)) + f" on a {scene['background']['tone']} background."


def object_truth(scene):
    return [{"kind": o["kind"], "color": o["color"], "position": o["position"]} for o in scene["objects"]]
