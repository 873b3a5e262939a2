// Decodes a byte stream into text lines. Chunks may split anywhere: inside a multi-byte UTF-8
// character (the streaming TextDecoder holds the partial bytes) or between `\r` and `\n`
// (a trailing `\r` is held until the next chunk says whether `\n` follows).

export class LineDecoder {
  private readonly decoder = new TextDecoder();
  private buffer = "";

  /** The complete lines (without terminators) that `chunk` finishes. */
  decode(chunk: Uint8Array): string[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    return this.take(false);
  }

  /** The remaining lines once the stream ended, including an unterminated last one. */
  flush(): string[] {
    this.buffer += this.decoder.decode();
    const lines = this.take(true);
    if (this.buffer !== "") lines.push(this.buffer);
    this.buffer = "";
    return lines;
  }

  private take(final: boolean): string[] {
    const lines: string[] = [];
    const text = this.buffer;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === "\n") {
        lines.push(text.slice(start, i));
        start = i + 1;
      } else if (ch === "\r") {
        if (i + 1 === text.length && !final) break;
        lines.push(text.slice(start, i));
        if (text[i + 1] === "\n") i++;
        start = i + 1;
      }
    }
    this.buffer = text.slice(start);
    return lines;
  }
}

/** Reads `body` chunk by chunk and yields its lines. */
export async function* readLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new LineDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* decoder.decode(value);
    }
    yield* decoder.flush();
  } finally {
    reader.releaseLock();
  }
}
