// The stream `chat.completions.create({ stream: true })` returns: chunks as an async iterable,
// plus `text()` and the usage of the last chunk when `stream_options.include_usage` was set.
import { Stream } from "../core/stream";
import type { ChatCompletionChunk, Usage } from "../types";
import { collectText } from "./collect-text";

export class ChatCompletionStream extends Stream<ChatCompletionChunk> {
  /** Set once the usage chunk arrived (only with `stream_options: { include_usage: true }`). */
  finalUsage: Usage | null = null;
  /** The last `finish_reason` seen. */
  finishReason: ChatCompletionChunk["choices"][number]["finish_reason"] | null = null;

  protected override observe(chunk: ChatCompletionChunk): void {
    if (chunk.usage) this.finalUsage = chunk.usage;
    const reason = chunk.choices[0]?.finish_reason;
    if (reason) this.finishReason = reason;
  }

  /** Consumes the stream and returns the reply's text. */
  text(): Promise<string> {
    return collectText(this);
  }
}
