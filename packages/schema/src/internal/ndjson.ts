// NDJSON framing of generate events, for both sides: the runner writes lines, the edge reads
// and validates them. Runtime-neutral (Web streams, TextDecoder).
import { type GenerateEvent, GenerateEvent as GenerateEventSchema } from "./generate";

/** One line of the stream. */
export function ndjsonLine(event: GenerateEvent): string {
  return `${JSON.stringify(event)}\n`;
}

/** Reads a generate stream; throws on a malformed line. Ends when the body ends. */
export async function* readGenerateEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<GenerateEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line) yield GenerateEventSchema.parse(JSON.parse(line));
        newline = buffer.indexOf("\n");
      }
      if (done) break;
    }
    if (buffer.trim()) yield GenerateEventSchema.parse(JSON.parse(buffer));
  } finally {
    reader.releaseLock();
  }
}
