// POST /v1/responses and the Response object, as OpenAI's Responses API defines them, on the
// same generation path as chat completions (toResponseParams is the one mapping of its
// parameters: text.format, top_logprobs + include, n). Extensions: the sampling extras of chat,
// `n` (one output message per choice), `prompt` and `dropped_exchanges`.
import { z } from "@hono/zod-openapi";
import { checkTurnImages } from "../chat/image-limits";
import { TokenLogprob } from "../chat/response";
import { TextFormat } from "../chat/response-format";
import {
  beamsNotStreamed,
  ChoiceCount,
  checkBeamless,
  MAX_CHOICES,
  MAX_OUTPUT_TOKENS,
  MAX_TOP_LOGPROBS,
  samplingShape,
  TopLogprobCount,
  toGenerationParams,
} from "../chat/sampling";
import { ConversationId, LIMITS, listOf, Metadata, ResponseId, UnixTime } from "../common";
import type { GenerationParams } from "../internal/generate";
import { InputItem, isItemReference, itemImages, MessageItem, OutputMessage, ResponseOutputText } from "./items";

export const Truncation = z.enum(["auto", "disabled"]).openapi("Truncation", {
  description:
    "When the prompt and `max_output_tokens` exceed the model's context. `auto`: the oldest whole exchanges (a user turn and its reply) are left out of the prompt — never the system text or instructions, never the last user turn — and then `max_output_tokens` is lowered to the room left (the reply then ends `incomplete`); `dropped_exchanges` says how many went. `disabled`: a 400 `context_length_exceeded`. Default: `auto` when the response continues stored state (`conversation` or `previous_response_id`), else `disabled` (as OpenAI).",
});
export type Truncation = z.infer<typeof Truncation>;

/** Chat's sampling parameters, except its two names for the reply length. */
const { max_tokens: _maxTokens, max_completion_tokens: _maxCompletionTokens, ...sampling } = samplingShape;

/** OpenAI's `include` values; only LOGPROBS_INCLUDE changes anything here (no tools, no reasoning). */
export const RESPONSE_INCLUDABLES = [
  "message.output_text.logprobs",
  "message.input_image.image_url",
  "file_search_call.results",
  "web_search_call.results",
  "web_search_call.action.sources",
  "computer_call_output.output.image_url",
  "code_interpreter_call.outputs",
  "reasoning.encrypted_content",
] as const;
export const LOGPROBS_INCLUDE = "message.output_text.logprobs";

/** Lists that are always empty here (no tools). */
const Empty = z.array(z.unknown()).max(0).openapi({ description: "Always empty." });

const ignored = <T extends z.ZodType>(schema: T) => schema.nullish().openapi({ description: "Accepted and ignored." });

export const CreateResponseRequest = z
  .strictObject({
    model: z
      .string()
      .min(1)
      .optional()
      .openapi({ description: "A model id from `GET /v1/models`; defaults to the first served." }),
    input: z
      .union([z.string().max(LIMITS.maxTextLength), z.array(InputItem).min(1).max(LIMITS.maxMessages)], {
        error: "input must be a string or a non-empty array of items",
      })
      .openapi({ description: "A user message as text, or items: messages and references to stored ones." }),
    instructions: z.string().max(LIMITS.maxTextLength).nullish().openapi({
      description: "System text for this response only (not carried to the next through `previous_response_id`).",
    }),
    max_output_tokens: z.number().int().min(1).max(MAX_OUTPUT_TOKENS).nullish().openapi({ example: 256 }),
    ...sampling,
    stream: z.boolean().nullish().openapi({ description: "Stream the Responses event sequence.", default: false }),
    stream_options: ignored(z.object({ include_obfuscation: z.boolean().optional() })),
    previous_response_id: ResponseId.nullish().openapi({
      description: "Continue from a stored response: its input and output come before this input.",
    }),
    conversation: z
      .union([ConversationId, z.object({ id: ConversationId })])
      .nullish()
      .openapi({
        description:
          "Continue a conversation: its items come before this input, and this input and the reply are appended to it when the reply completes.",
      }),
    store: z.boolean().nullish().openapi({
      description: "Keep the response for `GET /v1/responses/{id}` and `previous_response_id`.",
      default: true,
    }),
    truncation: Truncation.nullish(),
    metadata: Metadata.nullish(),
    text: z
      .object({ format: TextFormat.optional(), verbosity: z.enum(["low", "medium", "high"]).nullish() })
      .nullish()
      .openapi({ description: "`format`: the reply's format (default text); `verbosity` is ignored." }),
    top_logprobs: TopLogprobCount.nullish().openapi({
      description: `With \`include: ["${LOGPROBS_INCLUDE}"]\`: this many most likely tokens (0–${MAX_TOP_LOGPROBS}) beside each generated token's own log-probability. Without that include nothing is returned (as OpenAI) and nothing is computed.`,
    }),
    n: ChoiceCount.nullish().openapi({
      description: `Extension (OpenAI's Responses API has no \`n\`): choices from one prompt (1–${MAX_CHOICES}), prefilled once as in chat completions; each is one \`message\` item of \`output\`, in choice order (the \`openai\` client's \`output_text\` joins them all). A later \`previous_response_id\` continues with the first. Not with \`conversation\` (it stores one reply per turn).`,
      default: 1,
    }),
    tools: z
      .array(z.unknown())
      .max(0, { message: "tools are not supported" })
      .nullish()
      .openapi({ description: "Only an empty list." }),
    tool_choice: z.enum(["none", "auto"]).nullish().openapi({ description: "Accepted and ignored (no tools)." }),
    parallel_tool_calls: ignored(z.boolean()),
    reasoning: ignored(z.object({ effort: z.string().nullish(), summary: z.string().nullish() })),
    include: z
      .array(z.enum(RESPONSE_INCLUDABLES, { error: `include values are ${RESPONSE_INCLUDABLES.join(", ")}` }))
      .nullish()
      .openapi({
        description: `\`${LOGPROBS_INCLUDE}\` returns each generated token's log-probability (see \`top_logprobs\`); OpenAI's other values are accepted and ignored (no tools, no reasoning, input images are not kept by URL).`,
      }),
    background: z
      .literal(false, { error: "background responses are not supported" })
      .nullish()
      .openapi({ description: "Only `false`." }),
    user: ignored(z.string().max(256)),
    service_tier: ignored(z.string()),
    prompt_cache_key: ignored(z.string()),
    prompt_cache_retention: ignored(z.string()),
    safety_identifier: ignored(z.string()),
    // The AI SDK sends it when its caller sets maxToolCalls; there are no tools to call.
    max_tool_calls: ignored(z.number().int().nonnegative()),
  })
  .refine((r) => !(r.previous_response_id && r.conversation), {
    message: "give previous_response_id or conversation, not both",
    path: ["previous_response_id"],
  })
  .refine((r) => !(r.conversation && (r.n ?? 1) > 1), {
    message: "n > 1 is not available with conversation: a conversation stores one reply per turn",
    path: ["n"],
  })
  .refine(beamsNotStreamed, { message: "num_beams > 1 cannot be combined with stream", path: ["num_beams"] })
  .superRefine((r, ctx) => checkBeamless(r, ctx, toResponseParams(r), BEAMLESS_PATHS))
  .superRefine((r, ctx) => {
    if (typeof r.input === "string") return;
    // A referenced item's images were checked when it was stored.
    checkTurnImages(
      r.input.map((item, index) => ({
        role: isItemReference(item) ? "item_reference" : item.role,
        images: (isItemReference(item) ? [] : itemImages(item)).map(({ url, part }) => ({
          url,
          path: ["input", index, "content", part, "image_url"],
        })),
      })),
      ctx,
    );
  })
  .openapi("CreateResponseRequest", {
    description:
      "OpenAI-compatible. Sampling as in chat completions (including `presence_penalty`, `frequency_penalty`, `logit_bias`), and its extensions `top_k`, `num_beams`, `repetition_penalty`, `seed`, `stop`, `n`. Other unknown fields are rejected.",
  });
export type CreateResponseRequest = z.infer<typeof CreateResponseRequest>;
export type CreateResponseRequestInput = z.input<typeof CreateResponseRequest>;

/** Where a Responses request asks for what beam search cannot do, under names of its own. */
const BEAMLESS_PATHS = { response_format: ["text", "format"], logprobs: ["include"] };

/** What toResponseParams reads (structural: the request schema's own refinements call it). */
type ResponseParamsInput = Parameters<typeof toGenerationParams>[0] & {
  max_output_tokens?: number | null;
  include?: readonly string[] | null;
  text?: { format?: TextFormat } | null;
};

/** Whether the request asked for its tokens' logprobs (OpenAI: by `include`, not `top_logprobs`). */
export function includesLogprobs(req: { include?: readonly string[] | null }): boolean {
  return req.include?.includes(LOGPROBS_INCLUDE) ?? false;
}

/**
 * The runner's parameters for a Responses request: the chat mapping, with the Responses names
 * (reply limit, text.format, include + top_logprobs).
 */
export function toResponseParams(req: ResponseParamsInput): GenerationParams {
  return toGenerationParams({
    ...req,
    max_tokens: req.max_output_tokens,
    logprobs: includesLogprobs(req),
    top_logprobs: req.top_logprobs,
    response_format: req.text?.format,
  });
}

export const ResponseUsage = z
  .object({
    input_tokens: z.number().int().nonnegative(),
    input_tokens_details: z.object({ cached_tokens: z.number().int().nonnegative() }),
    output_tokens: z.number().int().nonnegative(),
    output_tokens_details: z.object({ reasoning_tokens: z.number().int().nonnegative() }),
    total_tokens: z.number().int().nonnegative(),
  })
  .openapi("ResponseUsage");
export type ResponseUsage = z.infer<typeof ResponseUsage>;

export const ResponseObject = z
  .object({
    id: z.string().openapi({ example: "resp_0a1b2c3d4e" }),
    object: z.literal("response"),
    created_at: UnixTime,
    completed_at: UnixTime.nullable(),
    status: z.enum(["completed", "incomplete", "failed", "in_progress"]),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    incomplete_details: z.object({ reason: z.literal("max_output_tokens") }).nullable(),
    instructions: z.string().nullable(),
    max_output_tokens: z.number().int().nullable(),
    model: z.string(),
    output: z.array(OutputMessage),
    parallel_tool_calls: z.boolean(),
    previous_response_id: z.string().nullable(),
    conversation: z.object({ id: z.string() }).nullable(),
    temperature: z.number().nullable(),
    top_p: z.number().nullable(),
    tool_choice: z.enum(["none", "auto"]),
    tools: Empty,
    truncation: Truncation,
    store: z.boolean(),
    metadata: Metadata,
    text: z.object({ format: TextFormat }).openapi({ description: "The request's `text.format`, or `text`." }),
    top_logprobs: z.number().int().nullable(),
    reasoning: z.object({ effort: z.null(), summary: z.null() }),
    background: z.boolean(),
    usage: ResponseUsage.nullable(),
    dropped_exchanges: z.number().int().nonnegative().openapi({
      description: "Extension: oldest exchanges left out of the prompt by `truncation: auto` (0 when none).",
    }),
    prompt: z.string().optional().openapi({
      description:
        "Extension: the exact prompt the model received (MultiModal-GPT template; `<image>` marks each image). Only in the answer to the create call (JSON, or the final stream event); not stored.",
    }),
  })
  .openapi("Response");
export type ResponseObject = z.infer<typeof ResponseObject>;

export const ResponseDeleted = z
  .object({ id: z.string(), object: z.literal("response.deleted"), deleted: z.literal(true) })
  .openapi("ResponseDeleted");
export type ResponseDeleted = z.infer<typeof ResponseDeleted>;

export const ResponseInputItemList = listOf(MessageItem, "ResponseInputItemList");
export type ResponseInputItemList = z.infer<typeof ResponseInputItemList>;

const sequence = { sequence_number: z.number().int().nonnegative() };
const at = { item_id: z.string(), output_index: z.number().int(), content_index: z.number().int() };

/** The Responses event sequence; each SSE event also names its `type` in an `event:` line. */
export const ResponseStreamEvent = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("response.created"), response: ResponseObject, ...sequence }),
    z.object({ type: z.literal("response.in_progress"), response: ResponseObject, ...sequence }),
    z.object({
      type: z.literal("response.output_item.added"),
      output_index: z.number().int(),
      item: OutputMessage,
      ...sequence,
    }),
    z.object({ type: z.literal("response.content_part.added"), ...at, part: ResponseOutputText, ...sequence }),
    z.object({
      type: z.literal("response.output_text.delta"),
      ...at,
      delta: z.string(),
      logprobs: z.array(TokenLogprob).openapi({ description: "With the logprobs include: the delta's tokens." }),
      ...sequence,
    }),
    z.object({
      type: z.literal("response.output_text.done"),
      ...at,
      text: z.string(),
      logprobs: z.array(TokenLogprob).openapi({ description: "With the logprobs include: every token of the text." }),
      ...sequence,
    }),
    z.object({ type: z.literal("response.content_part.done"), ...at, part: ResponseOutputText, ...sequence }),
    z.object({
      type: z.literal("response.output_item.done"),
      output_index: z.number().int(),
      item: OutputMessage,
      ...sequence,
    }),
    z.object({ type: z.literal("response.completed"), response: ResponseObject, ...sequence }),
    z.object({ type: z.literal("response.incomplete"), response: ResponseObject, ...sequence }),
    z.object({ type: z.literal("response.failed"), response: ResponseObject, ...sequence }),
  ])
  .openapi("ResponseStreamEvent", {
    description:
      "`response.created`, `response.in_progress`, `response.output_item.added`, `response.content_part.added`, `response.output_text.delta`…, `response.output_text.done`, `response.content_part.done`, `response.output_item.done`, then `response.completed` (or `response.incomplete` when `max_output_tokens` ended the reply). A failure is `response.failed` followed by one ErrorEnvelope event; a conversation then keeps nothing of the turn.",
  });
export type ResponseStreamEvent = z.infer<typeof ResponseStreamEvent>;
