// Reads an eval split written by `shapes_world/generate.py --mix eval` (data.jsonl + meta.jsonl,
// aligned line by line) into one request per assistant turn. Turn k is asked with the messages up
// to its user message, earlier turns answered by the REFERENCE replies, so every turn is scored on
// its own and a wrong early answer never spoils a later one.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type OpenAI from "openai";
import { LANGUAGE_TASKS, type Truth, VISION_TASKS } from "./score";

export type Message = OpenAI.ChatCompletionMessageParam;

/** One scored question: the turn-k request of one sample. */
export interface EvalItem {
  /** The sample's id (meta.jsonl), with the turn: "eval-1001-000042#1". */
  key: string;
  id: string;
  /** 1-based line of the sample in data.jsonl. */
  line: number;
  recipe: string;
  turn: number;
  task: string;
  truth: Truth;
  /** turn ≥ 1: a "multi-turn follow-up". */
  followup: boolean;
  heldoutPhrasing: boolean;
  /** The reference answer (the generator's wording), for the scorer self-check. */
  reference: string;
  /** Messages up to and including turn k's user message; image URLs as the file has them. */
  messages: Message[];
}

export class DataError extends Error {
  override name = "DataError";
}

const KNOWN_TASKS: readonly string[] = [...VISION_TASKS, ...LANGUAGE_TASKS];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Splits a JSONL file into parsed lines; a trailing newline is fine, an empty line inside is not. */
function readJsonl(file: string): unknown[] {
  const lines = readFileSync(file, "utf8").replace(/\n$/, "").split("\n");
  if (lines.length === 1 && lines[0] === "") return [];
  return lines.map((text, i) => {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new DataError(`${file}:${i + 1}: not JSON (${(error as Error).message})`);
    }
  });
}

interface MetaAnswer {
  task: string;
  truth: Truth;
  turn: number;
  followup: boolean;
  heldoutPhrasing: boolean;
}

function metaAnswers(where: string, meta: unknown): { id: string; recipe: string; answers: MetaAnswer[] } {
  if (!isObject(meta) || typeof meta.id !== "string" || !Array.isArray(meta.answers))
    throw new DataError(`${where}: expected {"id": string, "answers": [...]}`);
  const answers = meta.answers.map((a, k): MetaAnswer => {
    if (!isObject(a) || typeof a.task !== "string" || !isObject(a.truth) || typeof a.turn !== "number")
      throw new DataError(`${where}: answer ${k} needs "task" (string), "truth" (object) and "turn" (number)`);
    if (!KNOWN_TASKS.includes(a.task))
      throw new DataError(`${where}: answer ${k} has unknown task "${a.task}"; known: ${KNOWN_TASKS.join(", ")}`);
    return {
      task: a.task,
      truth: a.truth,
      turn: a.turn,
      followup: typeof a.followup === "boolean" ? a.followup : a.turn >= 1,
      heldoutPhrasing: a.heldout_phrasing === true,
    };
  });
  return { id: meta.id, recipe: typeof meta.recipe === "string" ? meta.recipe : "", answers };
}

/**
 * The items of one sample: its k-th assistant message pairs with meta's k-th answer. Throws
 * DataError when the two disagree or a turn does not follow a user message.
 */
export function itemsOfSample(line: number, sample: unknown, meta: unknown): EvalItem[] {
  const where = `line ${line}`;
  if (!isObject(sample) || !Array.isArray(sample.messages))
    throw new DataError(`${where} of data.jsonl: expected {"messages": [...]}`);
  const messages = sample.messages as Message[];
  const { id, recipe, answers } = metaAnswers(`${where} of meta.jsonl`, meta);
  const assistantAt = messages.flatMap((m, i) => (isObject(m) && m.role === "assistant" ? [i] : []));
  if (assistantAt.length !== answers.length)
    throw new DataError(
      `${where} (${id}): ${assistantAt.length} assistant messages in data.jsonl but ${answers.length} answers in meta.jsonl`,
    );
  return answers.map((answer, k) => {
    const at = assistantAt[k];
    if (messages[at - 1]?.role !== "user")
      throw new DataError(`${where} (${id}): assistant message ${k} does not follow a user message`);
    const reference = messages[at].content;
    return {
      key: `${id}#${k}`,
      id,
      line,
      recipe,
      turn: answer.turn,
      task: answer.task,
      truth: answer.truth,
      followup: answer.followup,
      heldoutPhrasing: answer.heldoutPhrasing,
      reference: typeof reference === "string" ? reference : "",
      messages: messages.slice(0, at),
    };
  });
}

export interface EvalSplit {
  dir: string;
  samples: number;
  items: EvalItem[];
  /** The generator's summary.json (seed, mix, counts), when the split has one. */
  summary: Record<string, unknown> | null;
}

/** Loads DIR/data.jsonl + DIR/meta.jsonl; `limit` keeps the first N samples. */
export function loadSplit(dir: string, limit?: number): EvalSplit {
  const dataFile = join(dir, "data.jsonl");
  const metaFile = join(dir, "meta.jsonl");
  for (const file of [dataFile, metaFile]) {
    if (!existsSync(file))
      throw new DataError(
        `${file} not found: make the eval split with \`/usr/bin/python3 training/recipe.py data\` or ` +
          "`/usr/bin/python3 training/shapes_world/generate.py --out DIR --seed 1001 --samples 720 --mix eval`, or pass --data DIR",
      );
  }
  const data = readJsonl(dataFile);
  const meta = readJsonl(metaFile);
  if (data.length !== meta.length)
    throw new DataError(`${dir}: data.jsonl has ${data.length} lines but meta.jsonl has ${meta.length}`);
  const samples = limit === undefined ? data.length : Math.min(limit, data.length);
  const items = data.slice(0, samples).flatMap((sample, i) => itemsOfSample(i + 1, sample, meta[i]));
  const summaryFile = join(dir, "summary.json");
  const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, "utf8")) : null;
  return { dir, samples, items, summary };
}
