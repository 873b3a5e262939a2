// Asks every item of the split through one running stack and scores each reply with the
// project's scorer (score.ts). A failed request is kept, with its error, and counts as wrong.
import type OpenAI from "openai";
import type { ScoredAnswer } from "./aggregate";
import { ask, mapBounded, type Reply } from "./client";
import type { EvalItem } from "./dataset";
import type { ImageInliner } from "./images";
import { type CaptionScore, type Score, scoreAnswer } from "./score";

/** One line of samples.jsonl: the question, the reply and its score, for reading failures. */
export interface AnswerRecord {
  config: string;
  key: string;
  id: string;
  turn: number;
  task: string;
  followup: boolean;
  heldout_phrasing: boolean;
  question: string;
  reference: string;
  reply: string;
  correct: boolean;
  parsed: string | number | null;
  caption?: Pick<CaptionScore, "objects" | "named" | "positioned" | "mentioned" | "invented">;
  error: string | null;
  finish_reason: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  ms: number;
}

const isCaption = (s: Score): s is CaptionScore => "recall" in s;
const wordCount = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** The text of the item's last user message (its image parts left out). */
export function questionOf(item: EvalItem): string {
  const content = item.messages.at(-1)?.content;
  if (typeof content === "string") return content;
  return (content ?? []).flatMap((p) => (p.type === "text" ? [p.text] : [])).join("\n");
}

/**
 * Scores one reply. A failed request is wrong, and is scored as an empty reply for the rest, so a
 * caption's objects still count as missed in recall.
 */
export function scoreReply(
  config: string,
  item: EvalItem,
  reply: Reply,
): { scored: ScoredAnswer; record: AnswerRecord } {
  const failed = reply.error !== null;
  const score = scoreAnswer(item.task, item.truth, failed ? "" : reply.text);
  const caption = isCaption(score)
    ? {
        objects: score.objects,
        named: score.named,
        positioned: score.positioned,
        mentioned: score.mentioned,
        invented: score.invented,
      }
    : undefined;
  const scored: ScoredAnswer = {
    task: item.task,
    followup: item.followup,
    heldoutPhrasing: item.heldoutPhrasing,
    correct: !failed && score.correct,
    error: failed,
    replyWords: wordCount(reply.text),
    caption,
  };
  const record: AnswerRecord = {
    config,
    key: item.key,
    id: item.id,
    turn: item.turn,
    task: item.task,
    followup: item.followup,
    heldout_phrasing: item.heldoutPhrasing,
    question: questionOf(item),
    reference: item.reference,
    reply: reply.text,
    correct: scored.correct,
    parsed: failed ? null : score.parsed,
    ...(caption && { caption }),
    error: reply.error,
    finish_reason: reply.finishReason,
    prompt_tokens: reply.promptTokens,
    completion_tokens: reply.completionTokens,
    ms: Math.round(reply.ms),
  };
  return { scored, record };
}

/** How many references the scorer accepts: the generator's own answers should all score correct. */
export function referenceCheck(items: EvalItem[]): { answers: number; correct: number; rejected: string[] } {
  const rejected = items
    .filter((item) => !scoreAnswer(item.task, item.truth, item.reference).correct)
    .map((i) => i.key);
  return { answers: items.length, correct: items.length - rejected.length, rejected };
}

export interface ConfigRun {
  scored: ScoredAnswer[];
  records: AnswerRecord[];
  rateLimit: number | null;
}

export async function askAll(
  client: OpenAI,
  items: EvalItem[],
  opts: { config: string; model: string; maxTokens: number; concurrency: number; inliner: ImageInliner },
  onDone: (done: number) => void,
): Promise<ConfigRun> {
  const replies = await mapBounded(
    items,
    opts.concurrency,
    (item) => ask(client, opts.inliner.inline(item.messages), { model: opts.model, maxTokens: opts.maxTokens }),
    onDone,
  );
  const results = items.map((item, i) => scoreReply(opts.config, item, replies[i]));
  return {
    scored: results.map((r) => r.scored),
    records: results.map((r) => r.record),
    rateLimit: replies.find((r) => r.rateLimit !== null)?.rateLimit ?? null,
  };
}
