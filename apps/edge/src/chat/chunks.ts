// Runner events → OpenAI `chat.completion.chunk` objects: per choice a role chunk first, content
// deltas (with their tokens' logprobs when asked for), a finish chunk; and (with include_usage)
// a last chunk with empty choices and the usage. Also the non-streamed `chat.completion`.
import type { ChatCompletion, ChatCompletionChunk, ChoiceLogprobs, Usage } from "@mmgpt/schema";
import type { ChoiceResult, DeltaEvent, DoneEvent, GenerateUsage, TokenLogprob } from "@mmgpt/schema/internal";

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

/** The request's choice count and whether it asked for logprobs. */
export interface ChoiceOptions {
  n: number;
  logprobs: boolean;
}

const ONE: ChoiceOptions = { n: 1, logprobs: false };

/** Every choice of a done event, in index order (n = 1: the event's own reply). */
export function choicesOf(done: DoneEvent): ChoiceResult[] {
  return done.choices ?? [{ index: 0, finish_reason: done.finish_reason, text: done.text, logprobs: done.logprobs }];
}

function logprobsOf(asked: boolean, content: TokenLogprob[] | undefined): ChoiceLogprobs {
  return asked ? { content: content ?? [], refusal: null } : null;
}

export class ChunkWriter {
  private roleSent = false;

  constructor(
    private readonly head: CompletionHead,
    private readonly includeUsage: boolean,
    private readonly options: ChoiceOptions = ONE,
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

  /** The opening chunks (`delta.role`, one per choice), once: on the start event or before any content. */
  role(): ChatCompletionChunk[] {
    if (this.roleSent) return [];
    this.roleSent = true;
    return Array.from({ length: this.options.n }, (_, index) =>
      this.chunk([{ index, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }]),
    );
  }

  delta(event: Pick<DeltaEvent, "text" | "index" | "logprobs">): ChatCompletionChunk[] {
    const logprobs = logprobsOf(this.options.logprobs, event.logprobs);
    return [
      ...this.role(),
      this.chunk([{ index: event.index ?? 0, delta: { content: event.text }, logprobs, finish_reason: null }]),
    ];
  }

  finish(done: DoneEvent): ChatCompletionChunk[] {
    const chunks = [
      ...this.role(),
      ...choicesOf(done).map((c) =>
        this.chunk([{ index: c.index, delta: {}, logprobs: null, finish_reason: c.finish_reason }]),
      ),
    ];
    if (this.includeUsage) chunks.push(this.chunk([], toUsage(done.usage)));
    return chunks;
  }
}

export function toChatCompletion(head: CompletionHead, done: DoneEvent, options: ChoiceOptions = ONE): ChatCompletion {
  return {
    id: head.id,
    object: "chat.completion",
    created: head.created,
    model: head.model,
    system_fingerprint: null,
    choices: choicesOf(done).map((c) => ({
      index: c.index,
      message: { role: "assistant", content: c.text, refusal: null },
      logprobs: logprobsOf(options.logprobs, c.logprobs),
      finish_reason: c.finish_reason,
    })),
    usage: toUsage(done.usage),
  };
}

/** What a validated chat request asks of its choices. */
export function choiceOptions(body: { n?: number | null; logprobs?: boolean | null }): ChoiceOptions {
  return { n: body.n ?? 1, logprobs: body.logprobs === true };
}
