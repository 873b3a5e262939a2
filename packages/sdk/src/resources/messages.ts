// /v1/conversations/{id}/messages: send a user turn and get the reply (plain or streamed),
// and page through the transcript.
import type { RequestOptions, WithRequestId } from "../core/options";
import type { PageIterator } from "../core/pagination";
import { Stream } from "../core/stream";
import { ConversationMessageStream } from "../helpers/conversation-stream";
import type {
  ConversationMessage,
  ConversationMessageList,
  ConversationStreamEvent,
  MessageCreateParams,
  MessageCreateParamsNonStreaming,
  MessageCreateParamsStreaming,
  MessageListParams,
} from "../types";
import { APIResource, seg } from "./resource";

export class Messages extends APIResource {
  /** POST /v1/conversations/{id}/messages; with `stream: true`, delta events then the message. */
  create(
    conversationId: string,
    body: MessageCreateParamsNonStreaming,
    options?: RequestOptions,
  ): Promise<WithRequestId<ConversationMessage>>;
  create(
    conversationId: string,
    body: MessageCreateParamsStreaming,
    options?: RequestOptions,
  ): Promise<ConversationMessageStream>;
  create(
    conversationId: string,
    body: MessageCreateParams,
    options?: RequestOptions,
  ): Promise<WithRequestId<ConversationMessage> | ConversationMessageStream>;
  async create(
    conversationId: string,
    body: MessageCreateParams,
    options?: RequestOptions,
  ): Promise<WithRequestId<ConversationMessage> | ConversationMessageStream> {
    const request = { method: "POST", path: `/v1/conversations/${seg(conversationId)}/messages`, body } as const;
    if (!body.stream) return this.transport.json<ConversationMessage>(request, options);
    const { response, controller, release } = await this.transport.send(
      { ...request, accept: "text/event-stream" },
      options,
    );
    return new ConversationMessageStream(
      Stream.sseItems<ConversationStreamEvent>(response),
      controller,
      response,
      release,
    );
  }

  /** GET /v1/conversations/{id}/messages, oldest first by default; iterate for every page. */
  list(
    conversationId: string,
    query?: MessageListParams,
    options?: RequestOptions,
  ): PageIterator<ConversationMessageList> {
    return this.paginate(`/v1/conversations/${seg(conversationId)}/messages`, query, options);
  }
}
