// POST /v1/chat/completions request: OpenAI's shape. Unknown top-level fields are rejected
// (a typo should not be silently ignored) except the harmless ones in IGNORED_CHAT_FIELDS;
// unknown fields inside messages are dropped, so a previous reply can be sent back as-is.
import { z } from "@hono/zod-openapi";
import { LIMITS, Metadata } from "../common";
import { TextContent, UserContent } from "./content";
import { checkChatImages } from "./image-limits";
import { ResponseFormat } from "./response-format";
import {
  beamsNotStreamed,
  ChoiceCount,
  checkBeamless,
  MAX_CHOICES,
  MAX_TOP_LOGPROBS,
  samplingShape,
  TopLogprobCount,
} from "./sampling";

/**
 * OpenAI fields accepted for compatibility and ignored: hints about the caller, caching, billing
 * or reasoning that change nothing a plain model would answer.
 */
export const IGNORED_CHAT_FIELDS = [
  "parallel_tool_calls",
  "store",
  "metadata",
  "service_tier",
  "user",
  "safety_identifier",
  "prompt_cache_key",
  "prompt_cache_retention",
  "reasoning_effort",
  "verbosity",
] as const;

const Name = z.string().max(64).optional().openapi({ description: "Accepted and ignored." });

export const SystemMessage = z
  .object({
    role: z.enum(["system", "developer"]).openapi({ description: "`developer` is treated as `system`." }),
    content: TextContent,
    name: Name,
  })
  .openapi("SystemMessage");

export const UserMessage = z
  .object({ role: z.literal("user"), content: UserContent, name: Name })
  .openapi("UserMessage");

export const AssistantMessage = z
  .object({ role: z.literal("assistant"), content: TextContent, name: Name })
  .openapi("AssistantMessage");

export const ChatMessage = z
  .discriminatedUnion("role", [SystemMessage, UserMessage, AssistantMessage])
  .openapi("ChatMessage", {
    description: `System messages become the preamble; user and assistant messages become the model's turns. Consecutive user messages are joined into one turn: their texts by a newline, their images appended (at most ${LIMITS.maxImagesPerMessage} per turn).`,
  });
export type ChatMessage = z.infer<typeof ChatMessage>;

export const StreamOptions = z.object({
  include_usage: z
    .boolean()
    .optional()
    .openapi({ description: "Send a last chunk with empty `choices` and the `usage` of the request." }),
});

const ignoredString = z.string().max(256).nullish().openapi({ description: "Accepted and ignored." });

export const ChatCompletionRequest = z
  .strictObject({
    model: z.string().min(1).openapi({ description: "A model id from `GET /v1/models`.", example: "mmgpt-tiny" }),
    messages: z.array(ChatMessage).min(1).max(LIMITS.maxMessages),
    ...samplingShape,
    n: ChoiceCount.nullish().openapi({
      description: `Choices to generate from the one prompt (1–${MAX_CHOICES}): the prompt is prefilled once and its KV copied to each choice, which samples with its own seed stream (choice 0 with \`seed\` itself). Usage counts the prompt once and sums the completion tokens. Greedy decoding (temperature 0) gives n identical choices.`,
      default: 1,
    }),
    stream: z.boolean().nullish().openapi({ description: "Stream the reply as server-sent events.", default: false }),
    stream_options: StreamOptions.nullish(),
    logprobs: z.boolean().nullish().openapi({
      description:
        "Return each generated token's log-probability (and bytes) in `choices[].logprobs.content`, streamed with the deltas. Read from the logits the token was chosen from after `logit_bias` and the penalties, before temperature, top-k and top-p.",
      default: false,
    }),
    top_logprobs: TopLogprobCount.nullish().openapi({
      description: `With \`logprobs: true\`: also this many most likely tokens at each position (0–${MAX_TOP_LOGPROBS}).`,
    }),
    response_format: ResponseFormat.nullish(),
    user: ignoredString,
    safety_identifier: ignoredString,
    prompt_cache_key: ignoredString,
    prompt_cache_retention: ignoredString,
    // Ignored: the model does not reason, and its replies have one length policy (max_tokens).
    reasoning_effort: ignoredString,
    verbosity: ignoredString,
    parallel_tool_calls: z.boolean().nullish().openapi({ description: "Accepted and ignored." }),
    store: z.boolean().nullish().openapi({ description: "Accepted and ignored." }),
    metadata: Metadata.nullish().openapi({ description: "Accepted and ignored." }),
    service_tier: z.string().nullish().openapi({ description: "Accepted and ignored." }),
  })
  .refine((req) => req.messages.at(-1)?.role === "user", {
    message: "the last message must be a user message",
    path: ["messages"],
  })
  .superRefine(checkChatImages)
  .refine(beamsNotStreamed, { message: "num_beams > 1 cannot be combined with stream", path: ["num_beams"] })
  .refine((req) => req.top_logprobs == null || req.logprobs === true, {
    message: "top_logprobs needs logprobs: true",
    path: ["top_logprobs"],
  })
  .superRefine(checkBeamless)
  .openapi("ChatCompletionRequest", {
    description: `OpenAI-compatible. Fields accepted but ignored: ${IGNORED_CHAT_FIELDS.map((f) => `\`${f}\``).join(", ")}. Other unknown fields are rejected.`,
  });
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;
export type ChatCompletionRequestInput = z.input<typeof ChatCompletionRequest>;
