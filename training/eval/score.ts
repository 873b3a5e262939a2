// Scores a model's reply against the truth the shapes-world generator wrote for it
// (training/shapes_world/README.md lists every task's truth). Pure functions: no I/O.
//
// Rules, the same for every task that has one right value:
// - the FIRST value the reply states decides (a number, a color, a kind, a position, yes/no,
//   first/second/same), so "There are 3 triangles and 2 circles" answers 3; a reply that names
//   several candidates is right only when the first one is;
// - a hedge ("2 or 3", "red or blue") is wrong even when one side is right;
// - numbers are read as digits or words (zero to twenty); "no"/"none" before a noun reads as 0;
// - arithmetic is the exception: its LAST number decides ("7 plus 5 is 12" answers 12);
// - wording around the value is free: "3", "There are 3." and "I count three triangles." all answer 3;
// - but the value must be said of the subject asked about (aboutTheSubject): a right color said of
//   the wrong kind, a right count of the wrong word, a right sum of other operands are wrong.
// Captions get recall instead: the share of the scene's objects named with their color and kind
// (a mention is "<count> <color> <kind>", "two red circles" naming two), positions scored apart,
// and the mentions that name objects the scene does not hold (invented).

export class ScoreError extends Error {
  override name = "ScoreError";
}

export const VISION_TASKS = [
  "count",
  "color",
  "kind",
  "exists",
  "position",
  "caption_detailed",
  "caption_short",
  "compare",
] as const;
export const LANGUAGE_TASKS = [
  "arithmetic",
  "reverse",
  "letter_count",
  "shape_facts",
  "color_mixing",
  "greeting",
  "list",
] as const;
export type Task = (typeof VISION_TASKS)[number] | (typeof LANGUAGE_TASKS)[number];

export interface Score {
  correct: boolean;
  /** The value read from the reply (null when none was found). */
  parsed: string | number | null;
}

export interface CaptionScore extends Score {
  /** Objects in the scene. */
  objects: number;
  /** Of those, how many the reply names with their color and kind. */
  named: number;
  recall: number;
  /** Of those, how many it also places in the right cell of the 3x3 grid. */
  positioned: number;
  positionRecall: number;
  /** Objects the reply names with a color and a kind, and how many of them the scene lacks. */
  mentioned: number;
  invented: number;
}

export type Truth = Record<string, unknown>;

const COLORS = ["red", "green", "blue", "yellow", "orange", "purple", "white", "black"];
const KINDS = ["circle", "square", "triangle"];
const NUMBER_WORDS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
  "twenty",
];

interface Mention<T> {
  value: T;
  index: number;
  end: number;
}

/** Lower case, straight quotes, hyphens as spaces ("top-left" → "top left"), one space. */
function normalize(reply: string): string {
  return reply
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/(?<=\w)-(?=\w)/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function mentions<T>(text: string, pattern: RegExp, read: (m: RegExpExecArray) => T | undefined): Mention<T>[] {
  const out: Mention<T>[] = [];
  for (const m of text.matchAll(new RegExp(pattern.source, "g"))) {
    const value = read(m);
    if (value !== undefined) out.push({ value, index: m.index, end: m.index + m[0].length });
  }
  return out;
}

const NUMBER = new RegExp(`\\b(\\d+|${NUMBER_WORDS.join("|")}|none)\\b|\\bno (?=["'a-z])`);
const numbers = (text: string) =>
  mentions(text, NUMBER, (m) => {
    const word = m[1];
    if (word === undefined || word === "none") return 0;
    return /^\d+$/.test(word) ? Number(word) : NUMBER_WORDS.indexOf(word);
  });

// "violet" reads as purple; "circular" and "triangular" as their kinds.
const COLOR = new RegExp(`\\b(${COLORS.join("|")}|violet)\\b`);
const colorOf = (word: string) => (word === "violet" ? "purple" : word);
const colors = (text: string) => mentions(text, COLOR, (m) => colorOf(m[1]));
const KIND = new RegExp(`\\b(${KINDS.join("|")})s?\\b|\\b(circular|triangular)\\b`);
const kinds = (text: string) =>
  mentions(text, KIND, (m) => (m[1] ? m[1] : m[2] === "circular" ? "circle" : "triangle"));

// Longest phrases first: "top left" before "top", "middle left" (= left) before "middle".
const POSITION =
  /\b(?:(top|upper|bottom|lower) (left|right)|(top|upper|bottom|lower) (?:center|centre|middle)|(?:middle|center|centre) (left|right)|(center|centre|middle)|(top|upper|bottom|lower)|(left|right))\b/;
const vertical = (word: string) => (word === "upper" || word === "top" ? "top" : "bottom");
const positions = (text: string) =>
  mentions(text, POSITION, (m) => {
    if (m[1]) return `${vertical(m[1])} ${m[2]}`;
    if (m[3]) return vertical(m[3]);
    if (m[4]) return m[4];
    if (m[5]) return "center";
    if (m[6]) return vertical(m[6]);
    return m[7];
  });

/** Yes/no words; a reply with neither that says "there is ..." or "I see ..." answers yes. */
function answers(text: string): Mention<string>[] {
  const found = mentions(
    text,
    /\b(?:(yes|yeah|yep|correct|true)|(no|nope|not|none|cannot|false)|(is|are|do|does|can)n't)\b/,
    (m) => (m[1] ? "yes" : "no"),
  );
  if (found.length > 0) return found;
  const affirm = /\bthere (?:is|are)\b|\bi (?:can )?see\b/.exec(text);
  return affirm ? [{ value: "yes", index: affirm.index, end: affirm.index + affirm[0].length }] : [];
}

const COMPARE =
  /\b(?:(first|1st|former|image 1|picture 1)|(second|2nd|latter|image 2|picture 2)|(same|equal|neither|as many|tie|both (?:have|images have|pictures have|contain|show)))\b/;
const choices = (text: string) => mentions(text, COMPARE, (m) => (m[1] ? "first" : m[2] ? "second" : "same"));

/** True when the mention is one side of "X or Y". */
function hedged(text: string, m: Mention<unknown>): boolean {
  return /^\s*,?\s*or\b/.test(text.slice(m.end)) || /\bor\s*$/.test(text.slice(0, m.index));
}

function decide<T>(text: string, found: Mention<T>[], truth: T, pickLast = false): Score {
  const m = pickLast ? found.at(-1) : found[0];
  if (m === undefined) return { correct: false, parsed: null };
  return { correct: m.value === truth && !hedged(text, m), parsed: m.value as string | number };
}

function need<T>(truth: Truth, task: string, key: string, type: "string" | "number" | "object"): T {
  const value = truth[key];
  if (typeof value !== type || value === null)
    throw new ScoreError(`the truth of task "${task}" needs "${key}" (a ${type}), got ${JSON.stringify(value)}`);
  return value as T;
}

interface ObjectTruth {
  kind: string;
  color: string;
  position: string;
}

function tally<K>(keys: K[], weights?: number[]): Map<K, number> {
  const map = new Map<K, number>();
  keys.forEach((k, i) => {
    map.set(k, (map.get(k) ?? 0) + (weights ? weights[i] : 1));
  });
  return map;
}

// "<count> <color> <kind>": "a red circle", "two blue squares", "3 white triangles", "red circles".
const OBJECT_MENTION = new RegExp(
  `(?:\\b(\\d+|${NUMBER_WORDS.join("|")}|a|an|another|single) )?\\b(${COLORS.join("|")}|violet) (${KINDS.join("|")})(s?)\\b`,
  "g",
);

/** Caption recall: "<count> <color> <kind>" mentions, each placed by the one position its sentence names. */
export function scoreCaption(objects: ObjectTruth[], reply: string): CaptionScore {
  const text = normalize(reply);
  const truthPairs = tally(objects.map((o) => `${o.color} ${o.kind}`));
  const truthTriples = tally(objects.map((o) => `${o.color} ${o.kind} @${o.position}`));
  const pairs: string[] = [];
  const triples: string[] = [];
  const counts: number[] = [];
  for (const sentence of text.split(/[.;!?\n]/)) {
    const places = positions(sentence.replace(/\bbackground\b.*/, ""));
    const place = places.length === 1 ? places[0].value : null;
    for (const m of sentence.matchAll(OBJECT_MENTION)) {
      const pair = `${colorOf(m[2])} ${m[3]}`;
      const head = m[1];
      let count = head === undefined || !NUMBER_WORDS.includes(head) ? 1 : NUMBER_WORDS.indexOf(head);
      if (head !== undefined && /^\d+$/.test(head)) count = Number(head);
      // A plural without a number ("red circles") says "at least two": credit up to what the scene holds.
      if (m[4] === "s" && head === undefined) count = Math.max(2, truthPairs.get(pair) ?? 0);
      pairs.push(pair);
      triples.push(`${pair} @${place}`);
      counts.push(count);
    }
  }
  const saidPairs = tally(pairs, counts);
  const saidTriples = tally(triples, counts);
  let named = 0;
  let invented = 0;
  let mentioned = 0;
  for (const [pair, n] of saidPairs) {
    const real = truthPairs.get(pair) ?? 0;
    named += Math.min(n, real);
    invented += Math.max(0, n - real);
    mentioned += n;
  }
  let positioned = 0;
  for (const [triple, n] of truthTriples) positioned += Math.min(n, saidTriples.get(triple) ?? 0);
  const total = objects.length;
  return {
    correct: named === total && invented === 0,
    parsed: null,
    objects: total,
    named,
    recall: total ? named / total : 1,
    positioned,
    positionRecall: total ? positioned / total : 1,
    mentioned,
    invented,
  };
}

/** The words of a reply, with spelled-out letters ("e-l-p-p-a", "e l p p a") joined into one word. */
function words(reply: string): string[] {
  const joined = reply.toLowerCase().replace(/\b[a-z](?:[\s,-]+[a-z]\b)+/g, (run) => run.replace(/[\s,-]+/g, ""));
  return joined.match(/[a-z]+/g) ?? [];
}

const sorted = (word: string) => [...word].sort().join("");

function scoreReverse(truth: Truth, reply: string): Score {
  const answer = need<string>(truth, "reverse", "answer", "string").toLowerCase();
  const word = need<string>(truth, "reverse", "word", "string").toLowerCase();
  const found = words(reply);
  // Another arrangement of the same letters (other than the word itself) is a second, wrong answer.
  const rivals = found.filter((w) => w !== answer && w !== word && sorted(w) === sorted(word));
  const parsed = found.includes(answer) ? answer : (rivals[0] ?? null);
  return { correct: found.includes(answer) && rivals.length === 0, parsed };
}

const GREETINGS: Record<string, RegExp> = {
  hello: /\b(hello|hi|hey|greetings|good (morning|afternoon|evening))\b/,
  thanks: /\b(welcome|no problem|my pleasure|glad|anytime)\b/,
  bye: /\b(goodbye|bye|see you|farewell|take care)\b/,
};

function scoreGreeting(truth: Truth, reply: string): Score {
  const kind = need<string>(truth, "greeting", "kind", "string");
  if (!(kind in GREETINGS)) throw new ScoreError(`unknown greeting kind "${kind}"`);
  const text = normalize(reply);
  const said = Object.keys(GREETINGS).filter((k) => GREETINGS[k].test(text));
  // A greeting is answered in kind and briefly: a reply that also says goodbye, or rambles on, is not.
  const short = text.split(" ").length <= 20;
  return { correct: said.length === 1 && said[0] === kind && short, parsed: said[0] ?? null };
}

function scoreList(truth: Truth, reply: string): Score {
  const items = (need<unknown[]>(truth, "list", "items", "object") as string[]).map((s) => s.toLowerCase());
  const text = normalize(reply);
  if (truth.category === "numbers") {
    const said = numbers(text).map((m) => String(m.value));
    return { correct: said.join(",") === items.join(","), parsed: said.join(", ") };
  }
  const allowed = (need<unknown[]>(truth, "list", "allowed", "object") as string[]).map((s) => s.toLowerCase());
  const wanted = need<number>(truth, "list", "number", "number");
  const said = [...new Set((text.match(/[a-z]+/g) ?? []).map((w) => singular(w, allowed)).filter((w) => w !== null))];
  return { correct: said.length === wanted, parsed: said.join(", ") };
}

function singular(word: string, allowed: string[]): string | null {
  for (const candidate of [word, word.replace(/s$/, ""), word.replace(/es$/, "")]) {
    if (allowed.includes(candidate)) return candidate;
  }
  return null;
}

function objectsOf(truth: Truth, task: string): ObjectTruth[] {
  const objects = need<unknown[]>(truth, task, "objects", "object");
  if (!Array.isArray(objects)) throw new ScoreError(`the truth of task "${task}" needs "objects" (an array)`);
  return objects as ObjectTruth[];
}

/**
 * Whether the reply talks about the thing asked about. The right value said of the wrong subject
 * ("The orange object is a triangle." when asked about the yellow one; "The letter "e" appears 1
 * time in "sugar"." when asked about "o" in "monkey"; "3 plus 16 is 19" for 8 + 11) is wrong: the
 * first color/kind the reply names must be the truth's subject, a quoted word or letter must be
 * the one asked about, and stated operands must be the question's.
 */
function aboutTheSubject(task: string, truth: Truth, text: string): boolean {
  const first = <T>(found: Mention<T>[]) => found[0]?.value;
  // A task whose answer is a color names its subject by kind, and the reverse.
  const subjectKind = task === "kind" ? undefined : truth.kind;
  const subjectColor = task === "color" ? undefined : truth.color;
  if (["count", "color", "kind", "exists", "position", "compare"].includes(task)) {
    const k = first(kinds(text));
    const c = first(colors(text));
    if (typeof subjectKind === "string" && k !== undefined && k !== subjectKind) return false;
    if (typeof subjectColor === "string" && c !== undefined && c !== subjectColor) return false;
    return true;
  }
  if (task === "letter_count") {
    const quoted = [...text.matchAll(/"([a-z]+)"/g)].map((m) => m[1]);
    const asked = [truth.word, truth.letter]
      .filter((v): v is string => typeof v === "string")
      .map((v) => v.toLowerCase());
    return quoted.every((q) => asked.includes(q));
  }
  if (task === "arithmetic") {
    const said = numbers(text).map((m) => m.value);
    return said.length < 3 || (said[0] === truth.a && said[1] === truth.b);
  }
  if (task === "color_mixing") {
    const inputs = Array.isArray(truth.inputs) ? (truth.inputs as string[]) : [];
    return colors(text)
      .map((m) => m.value)
      .filter((c) => c !== truth.color)
      .every((c) => inputs.includes(c));
  }
  return true;
}

/** Scores one reply. Throws ScoreError for an unknown task or a truth that lacks what the task needs. */
export function scoreAnswer(task: string, truth: Truth, reply: string): Score | CaptionScore {
  if (typeof reply !== "string") throw new ScoreError(`the reply must be a string, got ${typeof reply}`);
  if (truth === null || typeof truth !== "object") throw new ScoreError(`the truth must be an object`);
  const score = scoreValue(task, truth, reply);
  if (score.correct && !aboutTheSubject(task, truth, normalize(reply))) return { ...score, correct: false };
  return score;
}

function scoreValue(task: string, truth: Truth, reply: string): Score | CaptionScore {
  const text = normalize(reply);
  switch (task) {
    case "count":
    case "letter_count":
      return decide(text, countNumbers(text), need<number>(truth, task, "number", "number"));
    case "arithmetic":
      return decide(text, numbers(text), need<number>(truth, task, "number", "number"), true);
    case "color":
      return decide(text, colors(text), need<string>(truth, task, "color", "string"));
    case "kind":
      return decide(text, kinds(text), need<string>(truth, task, "kind", "string"));
    case "exists":
      return decide(text, answers(text), need<string>(truth, task, "answer", "string"));
    case "position":
      return decide(text, positions(text), need<string>(truth, task, "position", "string"));
    case "compare":
      return decide(text, choices(text), need<string>(truth, task, "answer", "string"));
    case "shape_facts":
      return typeof truth.number === "number"
        ? decide(text, countNumbers(text), truth.number)
        : decide(text, kinds(text), need<string>(truth, task, "kind", "string"));
    case "color_mixing": {
      const inputs = need<unknown[]>(truth, task, "inputs", "object");
      const result = colors(text).filter((m) => !inputs.includes(m.value));
      return decide(text, result, need<string>(truth, task, "color", "string"));
    }
    case "caption_detailed":
    case "caption_short":
      return scoreCaption(objectsOf(truth, task), reply);
    case "reverse":
      return scoreReverse(truth, reply);
    case "greeting":
      return scoreGreeting(truth, reply);
    case "list":
      return scoreList(truth, reply);
    default:
      throw new ScoreError(`unknown task "${task}"; known: ${[...VISION_TASKS, ...LANGUAGE_TASKS].join(", ")}`);
  }
}

/** Numbers as a count reads them: "there is a circle" (no number at all) counts 1. */
function countNumbers(text: string): Mention<number>[] {
  const found = numbers(text);
  if (found.length > 0) return found;
  const single = /\bthere(?: is|'s) (?:a|an|only a|only an|just a|just an)\b/.exec(text);
  return single ? [{ value: 1, index: single.index, end: single.index + single[0].length }] : [];
}
