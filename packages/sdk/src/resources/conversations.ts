// /v1/conversations: server-side chat state (OpenAI's Conversations API); `items` is OpenAI's
// items API, `messages` our extension that sends a turn and returns the reply.
import type { RequestOptions, WithRequestId } from "../core/options";
import type { PageIterator } from "../core/pagination";
import type {
  Conversation,
  ConversationCreateParams,
  ConversationDeleted,
  ConversationList,
  ConversationListParams,
  ConversationUpdateParams,
} from "../types";
import { Items } from "./items";
import { Messages } from "./messages";
import { APIResource, seg } from "./resource";

export class Conversations extends APIResource {
  readonly messages = new Messages(this.transport);
  readonly items = new Items(this.transport);

  /** POST /v1/conversations */
  create(body: ConversationCreateParams = {}, options?: RequestOptions): Promise<WithRequestId<Conversation>> {
    return this.transport.json({ method: "POST", path: "/v1/conversations", body }, options);
  }

  /** GET /v1/conversations/{id} */
  retrieve(conversationId: string, options?: RequestOptions): Promise<WithRequestId<Conversation>> {
    return this.transport.json({ method: "GET", path: `/v1/conversations/${seg(conversationId)}` }, options);
  }

  /** POST /v1/conversations/{id}: replaces the metadata. */
  update(
    conversationId: string,
    body: ConversationUpdateParams,
    options?: RequestOptions,
  ): Promise<WithRequestId<Conversation>> {
    return this.transport.json({ method: "POST", path: `/v1/conversations/${seg(conversationId)}`, body }, options);
  }

  /** GET /v1/conversations, newest first by default; iterate for every page. */
  list(query?: ConversationListParams, options?: RequestOptions): PageIterator<ConversationList> {
    return this.paginate("/v1/conversations", query, options);
  }

  /** DELETE /v1/conversations/{id} */
  delete(conversationId: string, options?: RequestOptions): Promise<WithRequestId<ConversationDeleted>> {
    return this.transport.json({ method: "DELETE", path: `/v1/conversations/${seg(conversationId)}` }, options);
  }
}
