// Server-sent events parsing (the WHATWG event-stream format): `data:` lines of one event are
// joined with `\n`, a blank line dispatches it, `:` lines are comments (keep-alives) and
// ignored. The API sends one JSON object per event and ends with `data: [DONE]`.
import { readLines } from "./lines";

export interface ServerSentEvent {
  /** The `event:` field, or null for the default `message`. */
  event: string | null;
  data: string;
  id: string | null;
}

export const SSE_DONE = "[DONE]";

/** The events of an SSE body, in order. An event left open at the end is still yielded. */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  let data: string[] = [];
  let event: string | null = null;
  let id: string | null = null;
  for await (const line of readLines(body)) {
    if (line === "") {
      if (data.length > 0) yield { event, data: data.join("\n"), id };
      data = [];
      event = null;
      continue;
    }
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id") id = value;
  }
  if (data.length > 0) yield { event, data: data.join("\n"), id };
}
