"""Question phrasings: several natural ways to ask for each task, never one template per task.

Each pool holds TRAIN phrasings, used by every mix, and HELDOUT phrasings, which only the `eval`
mix uses (a test checks that no training mix ever writes one), so the evaluation can measure
whether the model generalises to wordings it never saw. Placeholders are str.format fields."""
from dataclasses import dataclass

# How often an eval question takes a held-out phrasing (the rest is spread over the train ones).
EVAL_HELDOUT_SHARE = 0.3


@dataclass(frozen=True)
class Pool:
    name: str
    train: tuple
    heldout: tuple


POOLS = {p.name: p for p in (
    # {things}: a plural noun phrase ("triangles", "red objects", "blue squares", "shapes").
    Pool("count", (
        "How many {things} are there?",
        "How many {things} are in this image?",
        "Count the {things} in this picture.",
        "How many {things} can you see?",
        "What is the number of {things} in the image?",
        "Can you count the {things}?",
        "Tell me how many {things} there are.",
        "How many {things} do you see in the picture?",
        "Please count the {things}.",
        "Count the {things}.",
    ), (
        "What's the total number of {things} shown here?",
        "I'd like to know how many {things} this image contains.",
    )),
    # {kind}: a kind that occurs exactly once.
    Pool("color", (
        "What color is the {kind}?",
        "What is the color of the {kind}?",
        "Which color does the {kind} have?",
        "Tell me the color of the {kind}.",
        "What color is the {kind} in this image?",
        "Can you tell me what color the {kind} is?",
        "Name the color of the {kind}.",
        "What color is the {kind} in the picture?",
    ), (
        "What colour has the {kind} been painted?",
        "The {kind} here: which color is it?",
    )),
    # {color}: a color that occurs exactly once.
    Pool("kind", (
        "What shape is the {color} object?",
        "Which shape is {color}?",
        "What is the {color} shape?",
        "Tell me the shape of the {color} object.",
        "What kind of shape is the {color} one?",
        "Identify the shape of the {color} object.",
        "Is the {color} object a circle, a square or a triangle?",
        "What is the {color} thing in the picture?",
    ), (
        "Which form does the {color} object take?",
        "Name the shape that is {color}.",
    )),
    # {a_thing}: a singular phrase with its article ("a red triangle", "a circle", "a blue object").
    Pool("exists", (
        "Is there {a_thing} in this image?",
        "Is there {a_thing}?",
        "Does the picture contain {a_thing}?",
        "Can you see {a_thing}?",
        "Do you see {a_thing} here?",
        "Is there {a_thing} anywhere in the image?",
        "Does this image have {a_thing}?",
        "Answer yes or no: is there {a_thing}?",
    ), (
        "Would I find {a_thing} in this picture?",
        "Is {a_thing} present in the image?",
    )),
    # {the_thing}: a phrase naming a unique object ("the red circle", "the square", "the blue object").
    Pool("position", (
        "Where is {the_thing}?",
        "Where is {the_thing} located?",
        "In which part of the image is {the_thing}?",
        "What is the position of {the_thing}?",
        "Where can I find {the_thing}?",
        "Tell me where {the_thing} is.",
        "Where in the picture is {the_thing}?",
        "Which part of the picture contains {the_thing}?",
    ), (
        "Whereabouts has {the_thing} been placed?",
        "Point out the location of {the_thing}.",
    )),
    Pool("caption_detailed", (
        "Describe this image in detail.",
        "Give a detailed description of the picture.",
        "Describe everything you see in this image.",
        "What is in this picture? Please describe it in detail.",
        "Can you describe this image thoroughly?",
        "Write a detailed caption for this image.",
        "Describe all the shapes in the picture and where they are.",
        "Tell me about this image in detail.",
    ), (
        "Provide an elaborate account of every shape in this image.",
        "Walk me through everything in this picture.",
    )),
    Pool("caption_short", (
        "Describe this image in one sentence.",
        "Give a short caption for this picture.",
        "Summarize the image in a sentence.",
        "Write a one-sentence caption.",
        "What does this image show? Answer briefly.",
        "Briefly describe the picture.",
        "Caption this image in one sentence.",
        "In one sentence, what is in this image?",
    ), (
        "Give me a quick one-line summary of this picture.",
        "Sum up this image in a single sentence.",
    )),
    # Two images in one message; {things} as for count.
    Pool("compare", (
        "Which image has more {things}?",
        "Which of the two images has more {things}, the first or the second?",
        "Compare the two pictures: which one contains more {things}?",
        "Which picture shows more {things}?",
        "Look at both images. Which has more {things}?",
        "Between these two images, which has more {things}?",
        "Which image contains a larger number of {things}?",
        "Does the first or the second image have more {things}?",
    ), (
        "Count the {things} in both pictures; which one has the most?",
        "Which of these two pictures holds a greater number of {things}?",
    )),
    # A later turn that brings the second image, then asks a compare question.
    Pool("another_image", (
        "Here is another image. ",
        "Now look at this second picture. ",
        "And here is a second image. ",
        "This is another picture. ",
    ), (
        "Take a look at one more picture. ",
    )),
    # Elliptical follow-ups that only make sense after an earlier count question.
    Pool("followup_count", (
        "And how many {things}?",
        "What about {things}?",
        "How about the {things}?",
        "And {things}?",
    ), (
        "Same question for {things}.",
    )),
    Pool("followup_exists", (
        "And {a_thing}?",
        "What about {a_thing}?",
        "Is there also {a_thing}?",
        "How about {a_thing}?",
    ), (
        "Same question for {a_thing}.",
    )),
    Pool("add", (
        "What is {a} plus {b}?",
        "What is {a} + {b}?",
        "Add {a} and {b}.",
        "Calculate {a} + {b}.",
        "What is the sum of {a} and {b}?",
        "What do you get when you add {b} to {a}?",
    ), (
        "Could you work out {a} plus {b} for me?",
        "{a} + {b} = ?",
    )),
    Pool("subtract", (
        "What is {a} minus {b}?",
        "What is {a} - {b}?",
        "Subtract {b} from {a}.",
        "Calculate {a} - {b}.",
        "What do you get if you take {b} away from {a}?",
        "What is {b} less than {a}?",
    ), (
        "Could you work out {a} minus {b} for me?",
        "{a} - {b} = ?",
    )),
    Pool("reverse", (
        'Spell the word "{word}" backwards.',
        'What is "{word}" spelled backwards?',
        'Reverse the letters of "{word}".',
        "Write {word} backwards.",
        'How do you spell "{word}" in reverse?',
        "Spell {word} backwards, please.",
    ), (
        'Flip the word "{word}" around so that it reads backwards.',
    )),
    Pool("letter_total", (
        'How many letters are in the word "{word}"?',
        'How many letters does "{word}" have?',
        'Count the letters in "{word}".',
        "How many letters are there in {word}?",
        'How long is the word "{word}", in letters?',
    ), (
        'What is the letter count of "{word}"?',
    )),
    Pool("letter_occurrences", (
        'How many times does the letter "{letter}" appear in "{word}"?',
        'How many "{letter}"s are in the word "{word}"?',
        'Count the letter "{letter}" in the word "{word}".',
        'How often does "{letter}" occur in "{word}"?',
    ), (
        'In "{word}", how many of the letters are "{letter}"?',
    )),
    Pool("shape_sides", (
        "How many sides does a {kind} have?",
        "How many sides has a {kind} got?",
        "Tell me the number of sides of a {kind}.",
        "A {kind} has how many sides?",
    ), (
        "What is the side count of a {kind}?",
    )),
    Pool("shape_corners", (
        "How many corners does a {kind} have?",
        "How many corners has a {kind} got?",
        "Tell me the number of corners of a {kind}.",
        "A {kind} has how many corners?",
    ), (
        "What is the corner count of a {kind}?",
    )),
    Pool("shape_which_sides", (
        "Which shape has {n} sides?",
        "Name a shape with {n} sides.",
        "What shape has exactly {n} sides?",
        "Which of circle, square and triangle has {n} sides?",
    ), (
        "Can you name the shape that has {n} sides?",
    )),
    Pool("shape_more_corners", (
        "Which has more corners, a {a} or a {b}?",
        "Does a {a} or a {b} have more corners?",
        "Which shape has more corners: a {a} or a {b}?",
        "Between a {a} and a {b}, which has more corners?",
    ), (
        "Has a {a} or a {b} got the greater number of corners?",
    )),
    Pool("color_mixing", (
        "What color do you get when you mix {a} and {b}?",
        "What color do {a} and {b} make when mixed?",
        "Mix {a} with {b}: what color results?",
        "If you mix {a} paint and {b} paint, what color do you get?",
        "What color is made by mixing {a} and {b}?",
        "Which color comes from mixing {a} and {b}?",
    ), (
        "Combining {a} and {b} gives which colour?",
    )),
    Pool("greeting_hello", (
        "Hello!", "Hi!", "Hi there!", "Good morning!", "Hey, how are you?", "Hello, who are you?",
    ), (
        "Greetings!",
    )),
    Pool("greeting_thanks", (
        "Thank you!", "Thanks a lot.", "Thanks for your help!", "Thank you very much.",
    ), (
        "Much appreciated!",
    )),
    Pool("greeting_bye", (
        "Goodbye!", "Bye, see you later.", "See you!", "Bye!",
    ), (
        "Farewell!",
    )),
    # {n}: a count as a word or digits; {category}: a plural noun ("fruits", "colors").
    Pool("list_items", (
        "List {n} {category}.",
        "Name {n} {category}.",
        "Give me {n} {category}.",
        "Can you name {n} {category}?",
        "Write down {n} {category}.",
    ), (
        "I need {n} {category}; which ones come to mind?",
    )),
    Pool("list_numbers", (
        "Count from {a} to {b}.",
        "List the numbers from {a} to {b}.",
        "Write the numbers {a} through {b}.",
        "What are the numbers from {a} to {b}?",
    ), (
        "Enumerate the integers from {a} up to {b}.",
    )),
)}


def pick(rng, pool_name, split, **fields):
    """(text, phrasing id, held out?) for one question. split "train" never yields a held-out one."""
    pool = POOLS[pool_name]
    if split == "eval" and rng.random() < EVAL_HELDOUT_SHARE:
        index = len(pool.train) + rng.randrange(len(pool.heldout))
    else:
        index = rng.randrange(len(pool.train))
    template = (pool.train + pool.heldout)[index]
    return template.format(**fields), f"{pool_name}#{index}", index >= len(pool.train)
