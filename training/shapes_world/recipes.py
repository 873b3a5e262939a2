"""Sample recipes: how one JSONL line is put together from turns. A recipe takes the sample's
RNG, the scene source, the phrasing split ("train" or "eval") and its variant (how many samples
of this recipe came before, which balances yes/no and first/second/same answers) and returns
the sample's turns, each carrying the ids of the scenes its user message brings."""
import random

from describe import detailed_caption, object_truth, short_caption
from language_tasks import LANGUAGE_TASKS, ask_greeting
from palette import COLOR_NAMES, KINDS
from phrasings import pick
from scene import sample_scene
from turn import Turn
from vision_tasks import SINGLE_IMAGE_TASKS, compare_turn, count_turn, exists_turn

FIRST_TURN_TASKS = ("count", "color", "kind", "exists", "position", "caption_short", "caption_detailed")
LATER_TURN_TASKS = ("count", "color", "kind", "exists", "position", "caption_short")
# Share of the base stage's captions that are detailed (the rest are one sentence).
BASE_DETAILED_SHARE = 0.75


class SceneSource:
    """Scenes by id, each determined by (seed, id) alone. With a pool size, draws reuse ids from
    [0, pool) (several questions per image, as training sets do); without, every draw is new."""

    def __init__(self, seed, pool=None):
        self.seed, self.pool, self.next_id, self.cache = seed, pool, 0, {}

    def scene(self, scene_id):
        if scene_id not in self.cache:
            self.cache[scene_id] = sample_scene(random.Random(f"{self.seed}/scene/{scene_id}"))
        return self.cache[scene_id]

    def draw(self, rng):
        if self.pool:
            scene_id = rng.randrange(self.pool)
        else:
            scene_id, self.next_id = self.next_id, self.next_id + 1
        return scene_id, self.scene(scene_id)

    def draw_pair(self, rng):
        first = self.draw(rng)
        second = self.draw(rng)
        while second[0] == first[0]:
            second = self.draw(rng)
        return first, second


class NoSceneFits(Exception):
    """No scene drawn could pose the question (only a tiny image pool runs into this)."""


def with_images(turn, *ids):
    turn.images = list(ids)
    return turn


def until(build, tries=200):
    """The first result that is not None: a scene that cannot pose a question is redrawn."""
    for _ in range(tries):
        result = build()
        if result is not None:
            return result
    raise NoSceneFits(f"no scene could pose this question in {tries} draws")


def single_image(task):
    def recipe(rng, source, split, variant):
        def build():
            scene_id, scene = source.draw(rng)
            turn = SINGLE_IMAGE_TASKS[task](rng, scene, split, variant)
            return turn and with_images(turn, scene_id)
        return [until(build)]
    return recipe


def language(task):
    def recipe(rng, source, split, variant):
        return [LANGUAGE_TASKS[task](rng, split, variant)]
    return recipe


def caption(rng, source, split, variant):
    """Base stage: the image alone, answered by its caption (no instruction text)."""
    scene_id, scene = source.draw(rng)
    task, text = ("caption_detailed", detailed_caption(scene)) if rng.random() < BASE_DETAILED_SHARE else ("caption_short", short_caption(scene))
    return [Turn("", text, text, task, {"objects": object_truth(scene)}, None, False, [scene_id])]


def compare_one_message(rng, source, split, variant):
    """Two image parts in one user message, then "which has more ..."."""
    def build():
        (a_id, a), (b_id, b) = source.draw_pair(rng)
        turn = compare_turn(rng, a, b, split, variant)
        return turn and with_images(turn, a_id, b_id)
    return [until(build)]


def any_question(rng, scene, split, variant, tasks):
    return until(lambda: SINGLE_IMAGE_TASKS[rng.choice(tasks)](rng, scene, split, variant), tries=50)


def compare_two_turns(rng, source, split, variant):
    """A question about the first image, then the second image arrives with "which has more ..."."""
    def build():
        (a_id, a), (b_id, b) = source.draw_pair(rng)
        prefix, _, _ = pick(rng, "another_image", split)
        second = compare_turn(rng, a, b, split, variant, prefix=prefix)
        if second is None:
            return None
        if rng.random() < 0.6:  # mostly the count that the comparison will build on
            first = count_turn(rng, a, split, second.truth.get("kind"), second.truth.get("color"))
        else:
            first = any_question(rng, a, split, variant, FIRST_TURN_TASKS)
        return [with_images(first, a_id), with_images(second, b_id)]
    return until(build)


def elliptical_followup(rng, scene, split, previous):
    """A follow-up that leans on the previous question ("And squares?"), or None when the
    previous question gives nothing to lean on."""
    kind, color = previous.truth.get("kind"), previous.truth.get("color")
    if previous.task not in ("count", "exists") or (kind is None and color is None):
        return None
    if kind is not None and (color is None or rng.random() < 0.5):
        kind = rng.choice([k for k in KINDS if k != kind])
    else:
        color = rng.choice([c for c in COLOR_NAMES if c != color])
    if previous.task == "count":
        return count_turn(rng, scene, split, kind, color, pool="followup_count")
    return exists_turn(rng, scene, split, kind, color, pool="followup_exists")


def dialogue(rng, source, split, variant):
    """2-4 exchanges about one image; the last may bring a second image, either to ask about it
    or to compare the two. A second image comes only last, so no later question is ambiguous."""
    scene_id, scene = source.draw(rng)
    turns = [with_images(any_question(rng, scene, split, variant, FIRST_TURN_TASKS), scene_id)]
    exchanges = rng.randint(2, 4)
    while len(turns) < exchanges:
        last = len(turns) == exchanges - 1
        if last and rng.random() < 0.35:
            other_id, other = source.draw(rng)
            while other_id == scene_id:
                other_id, other = source.draw(rng)
            prefix, _, _ = pick(rng, "another_image", split)
            turn = compare_turn(rng, scene, other, split, rng.randrange(3), prefix=prefix) if rng.random() < 0.5 else None
            if turn is None:
                turn = any_question(rng, other, split, variant, LATER_TURN_TASKS)
                turn.text = prefix + turn.text
            turns.append(with_images(turn, other_id))
            continue
        turn = elliptical_followup(rng, scene, split, turns[-1]) if rng.random() < 0.5 else None
        turns.append(turn or any_question(rng, scene, split, variant + len(turns), LATER_TURN_TASKS))
    return turns


def language_dialogue(rng, source, split, variant):
    """2-4 language-only exchanges: one or two requests, sometimes opened by a hello and closed
    by thanks or a goodbye, as a conversation runs."""
    requests = tuple(k for k in LANGUAGE_TASKS if k != "greeting")
    turns = [LANGUAGE_TASKS[rng.choice(requests)](rng, split, variant + i) for i in range(rng.randint(1, 2))]
    if rng.random() < 0.4:
        turns.insert(0, ask_greeting(rng, split, variant, "hello"))
    if len(turns) < 2 or rng.random() < 0.4:
        turns.append(ask_greeting(rng, split, variant, rng.choice(("thanks", "bye"))))
    return turns


RECIPES = {
    **{task: single_image(task) for task in SINGLE_IMAGE_TASKS},
    "compare_one_message": compare_one_message,
    "compare_two_turns": compare_two_turns,
    "dialogue": dialogue,
    **{task: language(task) for task in LANGUAGE_TASKS},
    "language_dialogue": language_dialogue,
    "caption": caption,
}
LANGUAGE_RECIPES = (*LANGUAGE_TASKS, "language_dialogue")
