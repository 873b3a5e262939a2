// Chat completion responses: `chat.completion` as JSON, or `chat.completion.chunk` events.
import { z } from "@hono/zod-openapi";
import { UnixTime } from "../common";

export const FinishReason = z
  .enum(["stop", "length"])
  .openapi("FinishReason", { description: "`stop`: end of reply or a stop sequence; `length`: max tokens reached." });
export type FinishReason = z.infer<typeof FinishReason>;

export const Usage = z
  .object({
    prompt_tokens: z.number().int().nonnegative(),
    completion_tokens: z.number().int().nonnegative(),
    total_tokens: z.number().int().nonnegative(),
    prompt_tokens_details: z.object({
      cached_tokens: z
        .number()
        .int()
        .nonnegative()
        .openapi({ description: "Prompt tokens served from the runner's KV cache." }),
    }),
  })
  .openapi("Usage", {
    example: {
      prompt_tokens: 93,
      completion_tokens: 12,
      total_tokens: 105,
      prompt_tokens_details: { cached_tokens: 0 },
    },
  });
export type Usage = z.infer<typeof Usage>;

const TopLogprobShape = {
  token: z.string().openapi({
    description: "The token's text; a byte token that is only part of a character is written as `\\xNN` escapes.",
  }),
  logprob: z.number(),
  bytes: z.array(z.number().int()).openapi({ description: "The token's UTF-8 bytes." }),
};

export const TokenLogprob = z
  .object({
    ...TopLogprobShape,
    top_logprobs: z
      .array(z.object(TopLogprobShape))
      .openapi({ description: "The most likely tokens at this position (`top_logprobs` of them), most likely first." }),
  })
  .openapi("TokenLogprob");
export type TokenLogprob = z.infer<typeof TokenLogprob>;

export const ChoiceLogprobs = z
  .object({ content: z.array(TokenLogprob).nullable(), refusal: z.null() })
  .nullable()
  .openapi("ChoiceLogprobs", {
    description:
      "With `logprobs: true`: one entry per generated token (in a stream, the tokens of this chunk); otherwise null.",
  });
export type ChoiceLogprobs = z.infer<typeof ChoiceLogprobs>;

export const ChatCompletion = z
  .object({
    id: z.string().openapi({ example: "chatcmpl-9d2f1e7c3b" }),
    object: z.literal("chat.completion"),
    created: UnixTime,
    model: z.string(),
    system_fingerprint: z.string().nullable(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({
          role: z.literal("assistant"),
          content: z.string(),
          refusal: z.null(),
        }),
        logprobs: ChoiceLogprobs,
        finish_reason: FinishReason,
      }),
    ),
    usage: Usage,
  })
  .openapi("ChatCompletion");
export type ChatCompletion = z.infer<typeof ChatCompletion>;

export const ChatCompletionChunk = z
  .object({
    id: z.string().openapi({ description: "Same for every chunk of one completion.", example: "chatcmpl-9d2f1e7c3b" }),
    object: z.literal("chat.completion.chunk"),
    created: UnixTime,
    model: z.string(),
    system_fingerprint: z.string().nullable(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        delta: z.object({
          role: z.literal("assistant").optional(),
          content: z.string().optional(),
        }),
        logprobs: ChoiceLogprobs,
        finish_reason: FinishReason.nullable(),
      }),
    ),
    usage: Usage.nullable()
      .optional()
      .openapi({ description: "Only with `stream_options.include_usage`: null, except on the last chunk." }),
  })
  .openapi("ChatCompletionChunk", {
    description:
      "One server-sent event (`data: {…}`). Per choice (`index`; several with `n`): the first chunk carries `delta.role`, then `delta.content` pieces (with `logprobs` when asked for), then a chunk with `finish_reason`; with `include_usage`, a last chunk with empty `choices` and `usage`. The stream ends with `data: [DONE]`. A failure after the stream started is sent as one `data:` event holding an ErrorEnvelope, and the stream closes.",
  });
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunk>;
