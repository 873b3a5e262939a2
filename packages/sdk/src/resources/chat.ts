// /v1/chat/completions: OpenAI-compatible chat with images, plain or streamed.
import type { RequestOptions, WithRequestId } from "../core/options";
import { Stream } from "../core/stream";
import { ChatCompletionStream } from "../helpers/chat-completion-stream";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from "../types";
import { APIResource } from "./resource";

export class Completions extends APIResource {
  /** POST /v1/chat/completions; with `stream: true`, a stream of chunks. */
  create(
    body: ChatCompletionCreateParamsNonStreaming,
    options?: RequestOptions,
  ): Promise<WithRequestId<ChatCompletion>>;
  create(body: ChatCompletionCreateParamsStreaming, options?: RequestOptions): Promise<ChatCompletionStream>;
  create(
    body: ChatCompletionCreateParams,
    options?: RequestOptions,
  ): Promise<WithRequestId<ChatCompletion> | ChatCompletionStream>;
  async create(
    body: ChatCompletionCreateParams,
    options?: RequestOptions,
  ): Promise<WithRequestId<ChatCompletion> | ChatCompletionStream> {
    const request = { method: "POST", path: "/v1/chat/completions", body } as const;
    if (!body.stream) return this.transport.json<ChatCompletion>(request, options);
    const { response, controller, release } = await this.transport.send(
      { ...request, accept: "text/event-stream" },
      options,
    );
    return new ChatCompletionStream(Stream.sseItems<ChatCompletionChunk>(response), controller, response, release);
  }
}

export class Chat extends APIResource {
  readonly completions = new Completions(this.transport);
}
