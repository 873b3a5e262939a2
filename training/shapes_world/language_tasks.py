"""Language-only instructions (no image), in the same chat format: arithmetic up to 20,
spelling backwards, counting letters, facts about the shapes' sides and corners, mixing two
primary colors, greetings and short lists. Every answer is exact, so a scorer can check it."""
from describe import NUMBER_WORDS, capitalize, join_list
from phrasings import pick
from turn import Turn

WORDS = (
    "apple", "banana", "cherry", "orange", "lemon", "grape", "melon", "peach", "river", "mountain",
    "forest", "garden", "window", "table", "chair", "pencil", "paper", "letter", "water", "bread",
    "house", "street", "bridge", "castle", "rocket", "planet", "sun", "moon", "star", "cloud",
    "rain", "snow", "winter", "summer", "spring", "autumn", "school", "teacher", "doctor", "music",
    "guitar", "piano", "violin", "drum", "horse", "tiger", "zebra", "rabbit", "turtle", "dolphin",
    "kitten", "puppy", "monkey", "eagle", "parrot", "button", "pocket", "jacket", "shoe", "hat",
    "candle", "lamp", "mirror", "clock", "basket", "bottle", "cup", "spoon", "fork", "knife",
    "circle", "square", "triangle", "purple", "yellow", "green", "silver", "golden", "happy", "quiet",
    "little", "simple", "bright", "gentle", "travel", "journey", "island", "ocean", "desert", "valley",
    "level", "radar", "kayak", "noon", "book", "door", "tree", "bird", "fish", "cake",
    "pizza", "coffee", "tea", "sugar", "salt", "honey", "butter", "cheese", "carrot", "potato",
    "tomato", "onion", "pepper", "flower", "rose", "tulip", "leaf", "stone", "sand", "wind",
)

LIST_CATEGORIES = {
    "colors": ("red", "green", "blue", "yellow", "orange", "purple", "white", "black", "pink", "brown", "gray"),
    "primary colors": ("red", "yellow", "blue"),
    "fruits": ("apple", "banana", "cherry", "orange", "lemon", "grape", "melon", "peach", "pear", "plum"),
    "animals": ("horse", "tiger", "zebra", "rabbit", "turtle", "dolphin", "cat", "dog", "lion", "mouse"),
    "days of the week": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "shapes": ("circle", "square", "triangle"),
}

SIDES = {"triangle": 3, "square": 4}
CORNERS = {"circle": 0, "triangle": 3, "square": 4}
MIXES = {("red", "yellow"): "orange", ("blue", "red"): "purple", ("blue", "yellow"): "green"}
GREETINGS = {
    "hello": ("Hello! How can I help you today?", "Hello."),
    "thanks": ("You're welcome!", "You're welcome."),
    "bye": ("Goodbye! Have a nice day.", "Goodbye."),
}


def number_turn(text_phrasing, answer, number, task, **truth):
    text, phrasing, heldout = text_phrasing
    return Turn(text, answer, str(number), task, {"answer": str(number), "number": number, **truth}, phrasing, heldout)


def ask_arithmetic(rng, split, variant):
    if rng.random() < 0.5:
        c = rng.randint(0, 20)
        a = rng.randint(0, c)
        b = c - a
        return number_turn(pick(rng, "add", split, a=a, b=b), f"{a} plus {b} is {c}.", c, "arithmetic", a=a, b=b, op="+")
    a = rng.randint(0, 20)
    b = rng.randint(0, a)
    return number_turn(pick(rng, "subtract", split, a=a, b=b), f"{a} minus {b} is {a - b}.", a - b, "arithmetic", a=a, b=b, op="-")


def ask_reverse(rng, split, variant):
    word = rng.choice(WORDS)
    backwards = word[::-1]
    text, phrasing, heldout = pick(rng, "reverse", split, word=word)
    answer = f'"{word}" spelled backwards is "{backwards}".'
    return Turn(text, answer, backwards, "reverse", {"answer": backwards, "word": word}, phrasing, heldout)


def ask_letter_count(rng, split, variant):
    word = rng.choice(WORDS)
    if rng.random() < 0.5:
        n = len(word)
        return number_turn(pick(rng, "letter_total", split, word=word), f'The word "{word}" has {n} letters.', n, "letter_count", word=word)
    # Mostly a letter of the word; sometimes one it lacks (answer 0).
    letter = rng.choice(word) if rng.random() < 0.8 else rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c not in word])
    n = word.count(letter)
    answer = f'The letter "{letter}" appears {n} time{"" if n == 1 else "s"} in "{word}".'
    return number_turn(pick(rng, "letter_occurrences", split, letter=letter, word=word), answer, n, "letter_count", word=word, letter=letter)


def kind_turn(text_phrasing, answer, kind, **truth):
    text, phrasing, heldout = text_phrasing
    return Turn(text, answer, kind, "shape_facts", {"answer": kind, "kind": kind, **truth}, phrasing, heldout)


def ask_shape_facts(rng, split, variant):
    question = rng.choice(("sides", "corners", "which_sides", "more_corners"))
    if question == "sides":
        kind = rng.choice(tuple(SIDES))
        n = SIDES[kind]
        return number_turn(pick(rng, "shape_sides", split, kind=kind), f"A {kind} has {n} sides.", n, "shape_facts", kind=kind, fact="sides")
    if question == "corners":
        kind = rng.choice(tuple(CORNERS))
        n = CORNERS[kind]
        return number_turn(pick(rng, "shape_corners", split, kind=kind), f"A {kind} has {n} corners.", n, "shape_facts", kind=kind, fact="corners")
    if question == "which_sides":
        kind = rng.choice(tuple(SIDES))
        n = SIDES[kind]
        shown = NUMBER_WORDS[n] if rng.random() < 0.5 else str(n)
        return kind_turn(pick(rng, "shape_which_sides", split, n=shown), f"A {kind} has {n} sides.", kind, fact="which_sides")
    a, b = rng.sample(tuple(CORNERS), 2)
    more, less = (a, b) if CORNERS[a] > CORNERS[b] else (b, a)
    answer = f"A {more} has more corners than a {less}."
    return kind_turn(pick(rng, "shape_more_corners", split, a=a, b=b), answer, more, fact="more_corners")


def ask_color_mixing(rng, split, variant):
    (a, b), mixed = rng.choice(tuple(MIXES.items()))
    if rng.random() < 0.5:
        a, b = b, a
    text, phrasing, heldout = pick(rng, "color_mixing", split, a=a, b=b)
    truth = {"answer": mixed, "color": mixed, "inputs": [a, b]}
    return Turn(text, f"Mixing {a} and {b} gives {mixed}.", mixed, "color_mixing", truth, phrasing, heldout)


def ask_greeting(rng, split, variant, kind=None):
    kind = kind or rng.choice(tuple(GREETINGS))
    text, phrasing, heldout = pick(rng, f"greeting_{kind}", split)
    full, short = GREETINGS[kind]
    return Turn(text, full, short, "greeting", {"answer": full, "kind": kind}, phrasing, heldout)


def ask_list(rng, split, variant):
    if rng.random() < 0.3:
        a = rng.randint(0, 15)
        b = a + rng.randint(2, min(5, 20 - a))
        items = [str(i) for i in range(a, b + 1)]
        text, phrasing, heldout = pick(rng, "list_numbers", split, a=a, b=b)
        truth = {"answer": ", ".join(items), "category": "numbers", "items": items, "ordered": True}
        return Turn(text, ", ".join(items) + ".", ", ".join(items), "list", truth, phrasing, heldout)
    category = rng.choice(tuple(LIST_CATEGORIES))
    allowed = LIST_CATEGORIES[category]
    n = rng.randint(2, min(5, len(allowed)))
    items = rng.sample(allowed, n)
    shown = NUMBER_WORDS[n] if rng.random() < 0.5 else str(n)
    text, phrasing, heldout = pick(rng, "list_items", split, n=shown, category=category)
    truth = {"answer": join_list(items), "category": category, "number": n, "items": items, "allowed": list(allowed)}
    return Turn(text, capitalize(join_list(items)) + ".", ", ".join(items), "list", truth, phrasing, heldout)


LANGUAGE_TASKS = {
    "arithmetic": ask_arithmetic,
    "reverse": ask_reverse,
    "letter_count": ask_letter_count,
    "shape_facts": ask_shape_facts,
    "color_mixing": ask_color_mixing,
    "greeting": ask_greeting,
    "list": ask_list,
}
