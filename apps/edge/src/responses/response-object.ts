// The Response object of one request: what it echoes of the request (OpenAI's fields, with
// defaults filled in) and what the generation produced. `incomplete` when max_output_tokens
// (or, with truncation "auto", the room left in the context) ended the reply.
import {
  type CreateResponseRequest,
  type OutputMessage,
  type ResponseObject,
  type ResponseUsage,
  SAMPLING_DEFAULTS,
  type Truncation,
} from "@mmgpt/schema";
import type { DoneEvent, GenerateUsage } from "@mmgpt/schema/internal";
import type { ApiError } from "../errors/api-error";
import { unixSeconds } from "../http/ids";

export interface ResponseHead {
  id: string;
  /** The id the reply's output message (and conversation item) gets. */
  messageId: string;
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

export function outputMessage(head: ResponseHead, text: string, status: OutputMessage["status"]): OutputMessage {
  return {
    type: "message",
    id: head.messageId,
    status,
    role: "assistant",
    content: [{ type: "output_text", text, annotations: [], logprobs: [] }],
  };
}

type Outcome = { status: "in_progress" } | { status: "done"; done: DoneEvent } | { status: "failed"; error: ApiError };

export function responseObject(head: ResponseHead, outcome: Outcome): ResponseObject {
  const { body } = head;
  const done = outcome.status === "done" ? outcome.done : null;
  const incomplete = done?.finish_reason === "length";
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
    output: done ? [outputMessage(head, done.text, incomplete ? "incomplete" : "completed")] : [],
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
    text: { format: { type: "text" } },
    reasoning: { effort: null, summary: null },
    background: false,
    usage: done ? toResponseUsage(done.usage) : null,
    dropped_exchanges: done?.dropped_exchanges ?? 0,
    ...(done ? { prompt: done.prompt } : {}),
  };
}
