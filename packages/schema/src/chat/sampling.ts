// Sampling parameters shared by chat completions and conversation messages: OpenAI's, plus the
// documented extensions top_k, num_beams and repetition_penalty. Defaults live here, once.
import { z } from "@hono/zod-openapi";
import { LIMITS } from "../common";
import type { GenerationParams } from "../internal/generate";

/** Applied by the edge when a request leaves a parameter out. */
export const SAMPLING_DEFAULTS = {
  max_tokens: 512,
  temperature: 1,
  top_p: 1,
  top_k: 20,
  num_beams: 1,
  repetition_penalty: 1,
} as const;

export const MAX_NUM_BEAMS = 8;
/** The model's context (LLaMA-7B: 2048 positions) bounds the reply length. */
export const MAX_OUTPUT_TOKENS = 2048;

const MaxTokens = z.number().int().min(1).max(MAX_OUTPUT_TOKENS);

export const Stop = z
  .union([z.string().min(1).max(256), z.array(z.string().min(1).max(256)).min(1).max(LIMITS.maxStopSequences)], {
    error: `stop must be a string or an array of 1 to ${LIMITS.maxStopSequences} strings (at most ${LIMITS.maxStopSequences} stop sequences)`,
  })
  .openapi({
    description: `Up to ${LIMITS.maxStopSequences} sequences where generation stops; not included in the reply.`,
    example: ["\n\n###"],
  });

/** Object shape to spread into request schemas. */
export const samplingShape = {
  max_tokens: MaxTokens.nullish().openapi({
    description: "Maximum tokens to generate (legacy name of `max_completion_tokens`).",
    default: SAMPLING_DEFAULTS.max_tokens,
    example: 256,
  }),
  max_completion_tokens: MaxTokens.nullish().openapi({
    description: "Maximum tokens to generate; wins over `max_tokens` when both are given.",
  }),
  temperature: z.number().min(0).max(2).nullish().openapi({
    description: "0 = greedy decoding.",
    default: SAMPLING_DEFAULTS.temperature,
    example: 0.7,
  }),
  top_p: z.number().gt(0).max(1).nullish().openapi({ default: SAMPLING_DEFAULTS.top_p }),
  top_k: z.number().int().min(0).max(1000).nullish().openapi({
    description: "Extension: sample from the k most likely tokens (0 = off).",
    default: SAMPLING_DEFAULTS.top_k,
  }),
  num_beams: z.number().int().min(1).max(MAX_NUM_BEAMS).nullish().openapi({
    description:
      "Extension: beam search width (the original MultiModal-GPT demo used 3). Values above 1 cannot be streamed.",
    default: SAMPLING_DEFAULTS.num_beams,
  }),
  repetition_penalty: z.number().gt(0).max(10).nullish().openapi({
    description: "Extension: HF-style repetition penalty (1 = off).",
    default: SAMPLING_DEFAULTS.repetition_penalty,
  }),
  seed: z
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .nullish()
    .openapi({ description: "Makes sampling reproducible on the same runner build." }),
  stop: Stop.nullish(),
};

type SamplingInput = {
  // null is accepted wherever OpenAI accepts it, and means "not given".

  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
  num_beams?: number | null;
  repetition_penalty?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
};

/** The runner's parameters for a validated request: defaults applied, stop as a list. */
export function toGenerationParams(req: SamplingInput): GenerationParams {
  const stop = req.stop == null ? [] : typeof req.stop === "string" ? [req.stop] : [...req.stop];
  return {
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? SAMPLING_DEFAULTS.max_tokens,
    temperature: req.temperature ?? SAMPLING_DEFAULTS.temperature,
    top_p: req.top_p ?? SAMPLING_DEFAULTS.top_p,
    top_k: req.top_k ?? SAMPLING_DEFAULTS.top_k,
    num_beams: req.num_beams ?? SAMPLING_DEFAULTS.num_beams,
    repetition_penalty: req.repetition_penalty ?? SAMPLING_DEFAULTS.repetition_penalty,
    ...(req.seed == null ? {} : { seed: req.seed }),
    stop,
  };
}

/** Refinement: beam search produces its answer at the end, so it cannot stream. */
export function beamsNotStreamed(req: { stream?: boolean | null; num_beams?: number | null }): boolean {
  return !(req.stream === true && (req.num_beams ?? 1) > 1);
}
