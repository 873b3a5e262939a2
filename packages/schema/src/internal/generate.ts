// POST /internal/v1/generate: the edge sends the conversation as turns; the runner renders the
// MultiModal-GPT prompt itself, generates, and answers with NDJSON events (or the done event
// as JSON when stream is false). Closing the connection cancels the generation.
import { z } from "zod";
import { jsonSchemaIssues } from "../common/json-schema-subset";
import { LIMITS } from "../common/limits";
import { RUNNER_ERROR_CODES } from "./errors";
import { Sha256, TenantKey } from "./images";

/**
 * Constrained decoding: the reply is a JSON object (json_object) or a JSON document valid for
 * `schema` (json_schema, the subset in common/json-schema-subset.ts, re-checked here).
 */
export const OutputFormat = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("json_object") }),
  z.strictObject({
    type: z.literal("json_schema"),
    schema: z.record(z.string(), z.unknown()).superRefine((schema, ctx) => {
      for (const issue of jsonSchemaIssues(schema)) ctx.addIssue({ code: "custom", ...issue });
    }),
  }),
]);
export type OutputFormat = z.infer<typeof OutputFormat>;

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
  /** Choices generated from the one prompt (its KV is prefilled once and copied); absent = 1. */
  n: z.number().int().min(1).optional(),
  /** OpenAI's penalties over the tokens generated so far (the prompt does not count); absent = 0. */
  presence_penalty: z.number().min(-2).max(2).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  /** Token id (decimal string) → bias added to its logit, as OpenAI's `logit_bias`. */
  logit_bias: z
    .record(z.string().regex(/^\d+$/, "token ids are decimal integers"), z.number().min(-100).max(100))
    .optional(),
  /**
   * Present: every generated token comes with its log-probability and this many most likely
   * alternatives (0–20), from the processed logits (after penalties and bias, before temperature).
   */
  logprobs: z.number().int().min(0).max(20).optional(),
  /** Absent: free text. */
  response_format: OutputFormat.optional(),
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
    /** Whose request this is (opaque): cached prompts and images are reused within a tenant only. */
    tenant: TenantKey,
    /** Slot affinity: turns of one conversation reuse the same KV cache slot. */
    conversation_id: z.string().min(1).optional(),
    system: z.string().optional(),
    turns: z.array(Turn).min(1),
    params: GenerationParams,
    stream: z.boolean(),
    /**
     * What to do when prompt + max_tokens exceeds the context. "disabled" (the default): fail
     * with context_length_exceeded. "auto": the runner drops the oldest whole exchanges (a user
     * turn and its answer; never the system text nor the last user turn) until it fits, then
     * clamps max_tokens to the room left; it fails only when the last turn alone leaves none.
     */
    truncation: z.enum(["auto", "disabled"]).optional(),
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
    for (const field of BEAMLESS_PARAMS) {
      if (req.params.num_beams > 1 && samplingOnly(req.params, field)) {
        ctx.addIssue({ code: "custom", path: ["params", field], message: `${field} needs num_beams 1` });
      }
    }
  });
export type GenerateRequest = z.infer<typeof GenerateRequest>;

/**
 * Parameters of token-by-token sampling that beam search does not offer: it scores whole
 * hypotheses (one answer, its own log-probs, HF's processors only, no grammar).
 */
export const BEAMLESS_PARAMS = [
  "n",
  "logprobs",
  "presence_penalty",
  "frequency_penalty",
  "logit_bias",
  "response_format",
] as const;

/** Whether `field` asks for something beyond plain sampling (n > 1, any logprobs, a non-zero penalty, a bias, a JSON format). */
export function samplingOnly(params: Partial<GenerationParams>, field: (typeof BEAMLESS_PARAMS)[number]): boolean {
  switch (field) {
    case "n":
      return (params.n ?? 1) > 1;
    case "logprobs":
      return params.logprobs !== undefined;
    case "logit_bias":
      return Object.keys(params.logit_bias ?? {}).length > 0;
    case "response_format":
      return params.response_format !== undefined;
    default:
      return (params[field] ?? 0) !== 0;
  }
}

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
/** One alternative at a position: its text, log-probability and UTF-8 bytes. */
export const TopLogprob = z.object({
  token: z.string(),
  logprob: z.number(),
  /** The token's UTF-8 bytes (a byte-fallback token: its one byte, which may be half a character). */
  bytes: z.array(z.number().int().min(0).max(255)),
});
/** A generated token with its log-probability and the most likely alternatives (OpenAI's shape). */
export const TokenLogprob = TopLogprob.extend({ top_logprobs: z.array(TopLogprob) });
export type TopLogprob = z.infer<typeof TopLogprob>;
export type TokenLogprob = z.infer<typeof TokenLogprob>;

export const DeltaEvent = z.object({
  type: z.literal("delta"),
  text: z.string(),
  /** The choice this text belongs to (n > 1); absent = 0. */
  index: z.number().int().nonnegative().optional(),
  /** With logprobs: the tokens generated since the previous delta of this choice (text may be ""). */
  logprobs: z.array(TokenLogprob).optional(),
});

/** How one choice ended, with all its text (and its logprobs, when asked for and not streamed). */
export const ChoiceResult = z.object({
  index: z.number().int().nonnegative(),
  finish_reason: z.enum(["stop", "length"]),
  text: z.string(),
  logprobs: z.array(TokenLogprob).optional(),
});
export type ChoiceResult = z.infer<typeof ChoiceResult>;
/** Sent once every choice has finished; its top-level reply is choice 0's. */
export const DoneEvent = z.object({
  type: z.literal("done"),
  finish_reason: z.enum(["stop", "length"]),
  /** The whole reply (concatenation of the deltas), stop sequence excluded. */
  text: z.string(),
  /** Usage of the whole request: the prompt once, completion tokens summed over the choices. */
  usage: GenerateUsage,
  /** The exact rendered prompt, for logs and tests. */
  prompt: z.string(),
  /** With logprobs, not streamed: one entry per generated token of choice 0. */
  logprobs: z.array(TokenLogprob).optional(),
  /** n > 1: every choice (0 included), in index order. */
  choices: z.array(ChoiceResult).optional(),
  /** Truncation "auto": how many of the oldest exchanges were left out of the prompt. */
  dropped_exchanges: z.number().int().nonnegative().optional(),
  /** The max_tokens the reply was generated with (below the request's when clamped). */
  max_tokens: z.number().int().min(1).optional(),
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
