// Runner events → OpenAI `chat.completion.chunk` objects: a role chunk first, content deltas,
// a finish chunk, and (with include_usage) a last chunk with empty choices and the usage.
import type { ChatCompletion, ChatCompletionChunk, Usage } from "@mmgpt/schema";
import type { DoneEvent, GenerateUsage } from "@mmgpt/schema/internal";

export function toUsage(usage: GenerateUsage): Usage {
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.prompt_tokens + usage.completion_tokens,
    prompt_tokens_details: { cached_tokens: usage.cached_tokens },
  };
}

export interface CompletionHead {
  id: string;
  model: string;
  created: number;
}

export class ChunkWriter {
  private roleSent = false;

  constructor(
    private readonly head: CompletionHead,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(choices: ChatCompletionChunk["choices"], usage?: Usage): ChatCompletionChunk {
    const chunk: ChatCompletionChunk = {
      id: this.head.id,
      object: "chat.completion.chunk",
      created: this.head.created,
      model: this.head.model,
      system_fingerprint: null,
      choices,
    };
    // OpenAI sends `usage: null` on every chunk but the last when usage is requested.
    if (this.includeUsage) chunk.usage = usage ?? null;
    return chunk;
  }

  /** The opening chunk (`delta.role`), once: on the runner's start event or before any content. */
  role(): ChatCompletionChunk[] {
    if (this.roleSent) return [];
    this.roleSent = true;
    return [this.chunk([{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }])];
  }

  delta(text: string): ChatCompletionChunk[] {
    return [...this.role(), this.chunk([{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }])];
  }

  finish(done: DoneEvent): ChatCompletionChunk[] {
    const chunks = [
      ...this.role(),
      this.chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: done.finish_reason }]),
    ];
    if (this.includeUsage) chunks.push(this.chunk([], toUsage(done.usage)));
    return chunks;
  }
}

export function toChatCompletion(head: CompletionHead, done: DoneEvent): ChatCompletion {
  return {
    id: head.id,
    object: "chat.completion",
    created: head.created,
    model: head.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: done.text, refusal: null },
        logprobs: null,
        finish_reason: done.finish_reason,
      },
    ],
    usage: toUsage(done.usage),
  };
}
