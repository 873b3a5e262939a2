// The Response object of one request: what it echoes of the request (OpenAI's fields, with
// defaults filled in) and what the generation produced: one `message` output item per choice
// (the `n` extension; one otherwise), with its tokens' logprobs when the request included them.
// `incomplete` when max_output_tokens (or, with truncation "auto", the room left in the
// context) ended a choice.
import {
  type CreateResponseRequest,
  includesLogprobs,
  type OutputMessage,
  type ResponseObject,
  type ResponseUsage,
  SAMPLING_DEFAULTS,
  type TextFormat,
  type Truncation,
} from "@mmgpt/schema";
import type { DoneEvent, GenerateUsage, TokenLogprob } from "@mmgpt/schema/internal";
import { choicesOf } from "../chat/chunks";
import type { ApiError } from "../errors/api-error";
import { unixSeconds } from "../http/ids";

export interface ResponseHead {
  id: string;
  /** The ids of the output messages, one per choice; the first is also the conversation item's. */
  messageIds: string[];
  created_at: number;
  model: string;
  conversationId: string | null;
  truncation: Truncation;
  store: boolean;
  body: CreateResponseRequest;
}

export function toResponseUsage(usage: GenerateUsage): ResponseUsage {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: usage.cached_tokens },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.prompt_tokens + usage.completion_tokens,
  };
}

/** Choice `index`'s output message. */
export function outputMessage(
  head: ResponseHead,
  index: number,
  text: string,
  status: OutputMessage["status"],
  logprobs: TokenLogprob[] = [],
): OutputMessage {
  return {
    type: "message",
    id: head.messageIds[index]!,
    status,
    role: "assistant",
    content: [{ type: "output_text", text, annotations: [], logprobs }],
  };
}

function outputOf(head: ResponseHead, done: DoneEvent): OutputMessage[] {
  const logprobs = includesLogprobs(head.body);
  return choicesOf(done).map((c) =>
    outputMessage(
      head,
      c.index,
      c.text,
      c.finish_reason === "length" ? "incomplete" : "completed",
      logprobs ? (c.logprobs ?? []) : [],
    ),
  );
}

/** The format as OpenAI echoes it: the request's, `strict` filled in; free text by default. */
function echoFormat(format: TextFormat | undefined): TextFormat {
  if (format?.type !== "json_schema") return format ?? { type: "text" };
  return { ...format, strict: format.strict ?? false };
}

type Outcome = { status: "in_progress" } | { status: "done"; done: DoneEvent } | { status: "failed"; error: ApiError };

export function responseObject(head: ResponseHead, outcome: Outcome): ResponseObject {
  const { body } = head;
  const done = outcome.status === "done" ? outcome.done : null;
  const output = done ? outputOf(head, done) : [];
  const incomplete = output.some((m) => m.status === "incomplete");
  const status = outcome.status === "done" ? (incomplete ? "incomplete" : "completed") : outcome.status;
  return {
    id: head.id,
    object: "response",
    created_at: head.created_at,
    completed_at: done ? unixSeconds() : null,
    status,
    error: outcome.status === "failed" ? { code: outcome.error.code, message: outcome.error.message } : null,
    incomplete_details: incomplete ? { reason: "max_output_tokens" } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: head.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    conversation: head.conversationId ? { id: head.conversationId } : null,
    temperature: body.temperature ?? SAMPLING_DEFAULTS.temperature,
    top_p: body.top_p ?? SAMPLING_DEFAULTS.top_p,
    tool_choice: body.tool_choice ?? "auto",
    tools: [],
    truncation: head.truncation,
    store: head.store,
    metadata: body.metadata ?? {},
    text: { format: echoFormat(body.text?.format) },
    top_logprobs: body.top_logprobs ?? null,
    reasoning: { effort: null, summary: null },
    background: false,
    usage: done ? toResponseUsage(done.usage) : null,
    dropped_exchanges: done?.dropped_exchanges ?? 0,
    ...(done ? { prompt: done.prompt } : {}),
  };
}
