// Server-sent events as the public API streams them: one JSON object per `data:` line, and a
// final `data: [DONE]` (chat, conversations). The Responses stream instead names each event
// (`event: <type>`) and ends with its last event, as OpenAI's. An error after the stream
// started arrives as one ErrorEnvelope event.

export const SSE_CONTENT_TYPE = "text/event-stream";
export const SSE_DONE = "[DONE]";

/** One SSE event carrying `value` as JSON, with an `event:` line when `name` is given. */
export function sseEvent(value: unknown, name?: string): string {
  return `${name ? `event: ${name}\n` : ""}data: ${JSON.stringify(value)}\n\n`;
}

/** The terminating event. */
export const SSE_DONE_EVENT = `data: ${SSE_DONE}\n\n`;
