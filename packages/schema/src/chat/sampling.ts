// Sampling parameters shared by chat completions and conversation messages: OpenAI's, plus the
// documented extensions top_k, num_beams and repetition_penalty. Defaults live here, once.
import { z } from "@hono/zod-openapi";
import { LIMITS } from "../common";
import { BEAMLESS_PARAMS, type GenerationParams, samplingOnly } from "../internal/generate";
import { type ResponseFormat, type TextFormat, toOutputFormat } from "./response-format";

/** Applied by the edge when a request leaves a parameter out. */
export const SAMPLING_DEFAULTS = {
  max_tokens: 512,
  temperature: 1,
  top_p: 1,
  // Off: OpenAI's sampling is temperature + top_p only, so a request written for it must not be
  // cut to the k most likely tokens behind its back (the playground sends the demo's 20 itself).
  top_k: 0,
  num_beams: 1,
  repetition_penalty: 1,
} as const;

export const MAX_NUM_BEAMS = 8;
/** Choices per chat completion (they decode side by side: a runner's batch bounds it too). */
export const MAX_CHOICES = 8;
/** OpenAI's bound on `top_logprobs`. */
export const MAX_TOP_LOGPROBS = 20;
/** Entries of `logit_bias` (OpenAI accepts up to 300). */
export const MAX_LOGIT_BIAS = 300;
/** The model's context (LLaMA-7B: 2048 positions) bounds the reply length. */
export const MAX_OUTPUT_TOKENS = 2048;

const MaxTokens = z.number().int().min(1).max(MAX_OUTPUT_TOKENS);
/** Choices from one prompt (chat's `n`, and the Responses extension). */
export const ChoiceCount = z
  .number()
  .int()
  .min(1)
  .max(MAX_CHOICES, { error: `n must be at most ${MAX_CHOICES}` });
/** Alternatives reported per generated token. */
export const TopLogprobCount = z.number().int().min(0).max(MAX_TOP_LOGPROBS);

export const Stop = z
  .union([z.string().min(1).max(256), z.array(z.string().min(1).max(256)).max(LIMITS.maxStopSequences)], {
    error: `stop must be a string or an array of at most ${LIMITS.maxStopSequences} strings`,
  })
  .openapi({
    description: `Up to ${LIMITS.maxStopSequences} sequences where generation stops; not included in the reply. \`[]\` means none.`,
    example: ["\n\n###"],
  });

export const LogitBias = z
  .record(z.string().regex(/^\d+$/, "logit_bias keys are token ids (decimal integers)"), z.number().min(-100).max(100))
  .refine((bias) => Object.keys(bias).length <= MAX_LOGIT_BIAS, {
    message: `logit_bias takes at most ${MAX_LOGIT_BIAS} token ids`,
  })
  .openapi({
    description:
      "Token id → bias in [-100, 100] added to its logit before sampling (and before logprobs are read): -100 in effect bans a token, 100 forces it. Ids are the model's tokenizer ids; one outside its vocabulary is refused.",
    example: { "450": -100 },
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
  presence_penalty: z.number().min(-2).max(2).nullish().openapi({
    description:
      "Subtracted once from the logit of every token already generated in this reply (the prompt does not count); positive values favour new tokens.",
    default: 0,
  }),
  frequency_penalty: z.number().min(-2).max(2).nullish().openapi({
    description:
      "Subtracted from the logit of every token as many times as it was already generated in this reply; positive values curb repetition.",
    default: 0,
  }),
  logit_bias: LogitBias.nullish(),
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
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  logit_bias?: Record<string, number> | null;
  // Chat completions and responses (each maps its own names onto these).
  n?: number | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  response_format?: ResponseFormat | TextFormat | null;
};

/** The runner's parameters for a validated request: defaults applied, stop as a list. */
export function toGenerationParams(req: SamplingInput): GenerationParams {
  const stop = req.stop == null ? [] : typeof req.stop === "string" ? [req.stop] : [...req.stop];
  const format = toOutputFormat(req.response_format);
  return {
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? SAMPLING_DEFAULTS.max_tokens,
    temperature: req.temperature ?? SAMPLING_DEFAULTS.temperature,
    top_p: req.top_p ?? SAMPLING_DEFAULTS.top_p,
    top_k: req.top_k ?? SAMPLING_DEFAULTS.top_k,
    num_beams: req.num_beams ?? SAMPLING_DEFAULTS.num_beams,
    repetition_penalty: req.repetition_penalty ?? SAMPLING_DEFAULTS.repetition_penalty,
    ...(req.seed == null ? {} : { seed: req.seed }),
    stop,
    // Left out when off, so the runner's parameters only grow for requests that use them.
    ...((req.n ?? 1) > 1 ? { n: req.n! } : {}),
    ...(req.presence_penalty ? { presence_penalty: req.presence_penalty } : {}),
    ...(req.frequency_penalty ? { frequency_penalty: req.frequency_penalty } : {}),
    ...(req.logit_bias && Object.keys(req.logit_bias).length ? { logit_bias: req.logit_bias } : {}),
    ...(req.logprobs === true ? { logprobs: req.top_logprobs ?? 0 } : {}),
    ...(format ? { response_format: format } : {}),
  };
}

/** Where a request carries a beamless parameter, when not under the parameter's own name. */
export type BeamlessPaths = Partial<Record<(typeof BEAMLESS_PARAMS)[number], string[]>>;

/**
 * Issues for what beam search cannot combine with (n, logprobs, OpenAI's penalties and bias,
 * a JSON format), each naming its field; a superRefine of the request schemas. A surface with
 * its own names passes its mapped parameters and where each one sits.
 */
export function checkBeamless(
  req: SamplingInput,
  ctx: z.RefinementCtx,
  params: GenerationParams = toGenerationParams(req),
  paths: BeamlessPaths = {},
): void {
  if ((req.num_beams ?? 1) <= 1) return;
  for (const field of BEAMLESS_PARAMS) {
    if (samplingOnly(params, field)) {
      const path = paths[field] ?? [field];
      ctx.addIssue({
        code: "custom",
        path,
        message: `${path.join(".")} cannot be combined with num_beams > 1 (beam search returns one scored answer)`,
      });
    }
  }
}

/** Refinement: beam search produces its answer at the end, so it cannot stream. */
export function beamsNotStreamed(req: { stream?: boolean | null; num_beams?: number | null }): boolean {
  return !(req.stream === true && (req.num_beams ?? 1) > 1);
}
