// /v1/conversations/{id}/items: OpenAI's items API (list newest first, add, retrieve, delete).
import type { RequestOptions, WithRequestId } from "../core/options";
import type { PageIterator } from "../core/pagination";
import type {
  Conversation,
  ConversationItem,
  ConversationItemCreateParams,
  ConversationItemList,
  ConversationItemListParams,
} from "../types";
import { APIResource, seg } from "./resource";

export class Items extends APIResource {
  /** POST /v1/conversations/{id}/items: appends the items in order (no reply is generated). */
  create(
    conversationId: string,
    body: ConversationItemCreateParams,
    options?: RequestOptions,
  ): Promise<WithRequestId<ConversationItemList>> {
    return this.transport.json(
      { method: "POST", path: `/v1/conversations/${seg(conversationId)}/items`, body },
      options,
    );
  }

  /** GET /v1/conversations/{id}/items, newest first by default; iterate for every page. */
  list(
    conversationId: string,
    query?: ConversationItemListParams,
    options?: RequestOptions,
  ): PageIterator<ConversationItemList> {
    return this.paginate(`/v1/conversations/${seg(conversationId)}/items`, query, options);
  }

  /** GET /v1/conversations/{id}/items/{item_id} */
  retrieve(conversationId: string, itemId: string, options?: RequestOptions): Promise<WithRequestId<ConversationItem>> {
    return this.transport.json(
      { method: "GET", path: `/v1/conversations/${seg(conversationId)}/items/${seg(itemId)}` },
      options,
    );
  }

  /** DELETE /v1/conversations/{id}/items/{item_id}: answers the conversation, as OpenAI does. */
  delete(conversationId: string, itemId: string, options?: RequestOptions): Promise<WithRequestId<Conversation>> {
    return this.transport.json(
      { method: "DELETE", path: `/v1/conversations/${seg(conversationId)}/items/${seg(itemId)}` },
      options,
    );
  }
}
