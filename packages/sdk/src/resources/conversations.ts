// /v1/conversations: server-side chat state; the messages sub-resource sends turns.
import type { RequestOptions, WithRequestId } from "../core/options";
import type { PageIterator } from "../core/pagination";
import type {
  Conversation,
  ConversationCreateParams,
  ConversationDeleted,
  ConversationList,
  ConversationListParams,
} from "../types";
import { Messages } from "./messages";
import { APIResource, seg } from "./resource";

export class Conversations extends APIResource {
  readonly messages = new Messages(this.transport);

  /** POST /v1/conversations */
  create(body: ConversationCreateParams = {}, options?: RequestOptions): Promise<WithRequestId<Conversation>> {
    return this.transport.json({ method: "POST", path: "/v1/conversations", body }, options);
  }

  /** GET /v1/conversations/{id} */
  retrieve(conversationId: string, options?: RequestOptions): Promise<WithRequestId<Conversation>> {
    return this.transport.json({ method: "GET", path: `/v1/conversations/${seg(conversationId)}` }, options);
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
