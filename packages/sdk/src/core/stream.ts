// `Stream<T>`: an async iterable over a streamed response (SSE events or JSONL lines), single
// use, abortable through `controller` or `abort()`. Breaking out of `for await` or aborting
// closes the connection; an abort ends the iteration quietly, as in openai-node.
import { APIError, errorOf, MMGPTError } from "./errors";
import { readLines } from "./lines";
import { readEvents, SSE_DONE } from "./sse";

export class Stream<T> implements AsyncIterable<T> {
  private consumed = false;

  constructor(
    private readonly source: () => AsyncGenerator<T>,
    /** Aborts the underlying request. */
    readonly controller: AbortController,
    /** The HTTP response (status, headers); its body belongs to the stream. */
    readonly response: Response,
    /** Called once iteration ends, however it ends. */
    private readonly onEnd: () => void = () => {},
  ) {}

  /** `x-request-id` of the response. */
  get requestId(): string | null {
    return this.response.headers.get("x-request-id");
  }

  /** Stops the stream and closes the connection. */
  abort(): void {
    this.controller.abort();
  }

  /** Called with each item before it is yielded; subclasses keep what they summarize. */
  protected observe(_item: T): void {}

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    if (this.consumed) throw new MMGPTError("A stream can be iterated only once.");
    this.consumed = true;
    let done = false;
    try {
      for await (const item of this.source()) {
        this.observe(item);
        yield item;
      }
      done = true;
    } catch (error) {
      if (this.controller.signal.aborted) return;
      throw error;
    } finally {
      if (!done) this.controller.abort();
      this.onEnd();
    }
  }

  /** The JSON objects of an SSE response up to `data: [DONE]`; an error envelope event throws. */
  static sseItems<T>(response: Response): () => AsyncGenerator<T> {
    return async function* () {
      if (!response.body) throw new MMGPTError("The streamed response has no body.");
      for await (const event of readEvents(response.body)) {
        if (event.data === SSE_DONE) return;
        yield parseItem<T>(event.data, response.headers, true);
      }
    };
  }

  /** The JSON objects of a JSONL response, one per non-blank line. */
  static jsonlItems<T>(response: Response): () => AsyncGenerator<T> {
    return async function* () {
      if (!response.body) return;
      for await (const line of readLines(response.body)) {
        if (line.trim() !== "") yield parseItem<T>(line, response.headers, false);
      }
    };
  }
}

/** Parses one item; in SSE (`envelopes`), an `{ error }` object is a failure sent in-band. */
function parseItem<T>(text: string, headers: Headers, envelopes: boolean): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new MMGPTError(`Could not parse a streamed item as JSON: ${text.slice(0, 200)}`, { cause });
  }
  const error = envelopes ? errorOf(value) : undefined;
  if (error) throw new APIError(undefined, error, undefined, headers);
  return value as T;
}
