// The stream `chat.completions.create({ stream: true })` returns: chunks as an async iterable,
// plus `text()` (choice 0's; `texts()` for every choice with `n`) and the usage of the last chunk
// when `stream_options.include_usage` was set.
import { Stream } from "../core/stream";
import type { ChatCompletionChunk, Usage } from "../types";
import { collectText } from "./collect-text";

export class ChatCompletionStream extends Stream<ChatCompletionChunk> {
  /** Set once the usage chunk arrived (only with `stream_options: { include_usage: true }`). */
  finalUsage: Usage | null = null;
  /** Choice 0's `finish_reason`, once seen. */
  finishReason: ChatCompletionChunk["choices"][number]["finish_reason"] | null = null;

  protected override observe(chunk: ChatCompletionChunk): void {
    if (chunk.usage) this.finalUsage = chunk.usage;
    const reason = chunk.choices.find((c) => c.index === 0)?.finish_reason;
    if (reason) this.finishReason = reason;
  }

  /** Consumes the stream and returns the reply's text (choice 0's). */
  text(): Promise<string> {
    return collectText(this);
  }

  /** Consumes the stream and returns every choice's text, by index (for `n` > 1). */
  async texts(): Promise<string[]> {
    const texts: string[] = [];
    for await (const chunk of this) {
      for (const c of chunk.choices) texts[c.index] = (texts[c.index] ?? "") + (c.delta.content ?? "");
    }
    return texts;
  }
}
