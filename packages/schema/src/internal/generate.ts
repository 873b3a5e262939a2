// POST /internal/v1/generate: the edge sends the conversation as turns; the runner renders the
// MultiModal-GPT prompt itself, generates, and answers with NDJSON events (or the done event
// as JSON when stream is false). Closing the connection cancels the generation.
import { z } from "zod";
import { LIMITS } from "../common/limits";
import { RUNNER_ERROR_CODES } from "./errors";
import { Sha256 } from "./images";

export const GenerationParams = z.object({
  max_tokens: z.number().int().min(1),
  /** 0 = greedy. */
  temperature: z.number().min(0).max(2),
  top_p: z.number().gt(0).max(1),
  /** 0 = off. */
  top_k: z.number().int().min(0),
  num_beams: z.number().int().min(1),
  /** 1 = off. */
  repetition_penalty: z.number().gt(0),
  seed: z.number().int().min(0).optional(),
  stop: z.array(z.string().min(1)).max(4),
});
export type GenerationParams = z.infer<typeof GenerationParams>;

/** Strict, so a peer still sending the single `image` field of old is refused, not stripped. */
export const Turn = z.strictObject({
  role: z.enum(["user", "assistant"]),
  text: z.string(),
  /**
   * sha256 (hex) of each preprocessed 224x224 RGB image of the turn, in message order (a hash
   * may repeat); each becomes its own `### Image:` block. User turns only.
   */
  images: z.array(Sha256).max(LIMITS.maxImagesPerMessage).optional(),
});
export type Turn = z.infer<typeof Turn>;

/**
 * Turns alternate user, assistant, user, …, and end with the user turn to answer. The edge
 * merges consecutive messages of one role, so the runner can map each user turn to one
 * `### Instruction:` block and each assistant turn to its `### Response:`.
 */
export const GenerateRequest = z
  .object({
    request_id: z.string().min(1),
    model: z.string().min(1),
    /** Slot affinity: turns of one conversation reuse the same KV cache slot. */
    conversation_id: z.string().min(1).optional(),
    system: z.string().optional(),
    turns: z.array(Turn).min(1),
    params: GenerationParams,
    stream: z.boolean(),
  })
  .superRefine((req, ctx) => {
    req.turns.forEach((turn, i) => {
      const expected = i % 2 === 0 ? "user" : "assistant";
      if (turn.role !== expected) {
        ctx.addIssue({ code: "custom", path: ["turns", i, "role"], message: `turn ${i} must be ${expected}` });
      }
      if (turn.role === "assistant" && turn.images?.length) {
        ctx.addIssue({ code: "custom", path: ["turns", i, "images"], message: "assistant turns carry no image" });
      }
    });
    if (req.turns.length % 2 === 0) {
      ctx.addIssue({ code: "custom", path: ["turns"], message: "the last turn must be the user's" });
    }
    if (req.stream && req.params.num_beams > 1) {
      ctx.addIssue({ code: "custom", path: ["params", "num_beams"], message: "beam search cannot stream" });
    }
  });
export type GenerateRequest = z.infer<typeof GenerateRequest>;

/** Every image hash a request needs, in turn order, without duplicates. */
export function requestImages(req: Pick<GenerateRequest, "turns">): string[] {
  return [...new Set(req.turns.flatMap((t) => t.images ?? []))];
}

export const GenerateUsage = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  /** Prompt tokens whose KV came from the slot's cache. */
  cached_tokens: z.number().int().nonnegative(),
});
export type GenerateUsage = z.infer<typeof GenerateUsage>;

export const StartEvent = z.object({
  type: z.literal("start"),
  prompt_tokens: z.number().int().nonnegative(),
  cached_tokens: z.number().int().nonnegative(),
});
export const DeltaEvent = z.object({ type: z.literal("delta"), text: z.string() });
export const DoneEvent = z.object({
  type: z.literal("done"),
  finish_reason: z.enum(["stop", "length"]),
  /** The whole reply (concatenation of the deltas), stop sequence excluded. */
  text: z.string(),
  usage: GenerateUsage,
  /** The exact rendered prompt, for logs and tests. */
  prompt: z.string(),
});
export const ErrorEvent = z.object({
  type: z.literal("error"),
  error: z.object({ code: z.enum(RUNNER_ERROR_CODES), message: z.string() }),
});

/** One NDJSON line of a streamed generation: start, delta*, then done or error. */
export const GenerateEvent = z.discriminatedUnion("type", [StartEvent, DeltaEvent, DoneEvent, ErrorEvent]);
export type StartEvent = z.infer<typeof StartEvent>;
export type DeltaEvent = z.infer<typeof DeltaEvent>;
export type DoneEvent = z.infer<typeof DoneEvent>;
export type ErrorEvent = z.infer<typeof ErrorEvent>;
export type GenerateEvent = z.infer<typeof GenerateEvent>;

/** The non-streaming answer: the done event. */
export const GenerateResult = DoneEvent;
export type GenerateResult = DoneEvent;
