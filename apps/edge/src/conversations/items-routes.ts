// /v1/conversations/{id}/items: OpenAI's items API over the conversation's stored messages —
// list (newest first by default), add (no reply is generated), retrieve, delete. Adding and
// deleting wait for no reply to be generating (409 conversation_busy).
import {
  createConversationItemsRoute,
  deleteConversationItemRoute,
  getConversationItemRoute,
  listConversationItemsRoute,
} from "@mmgpt/schema";
import type { Deps } from "../env";
import { ApiError, notFound } from "../errors/api-error";
import { toPage } from "../http/pagination";
import { newRouter } from "../http/router";
import { RequestImages } from "../vision/request-images";
import { conversationStub, ownConversation } from "./access";
import type { Counters } from "./conversation-do";
import { toConversation, updateCounters } from "./index-store";
import { resolveItems, toItem } from "./items";

const busy = () =>
  new ApiError("conversation_busy", "This conversation is generating a reply; change its items afterwards.");

/** The DO's answer to a change: counters mirrored into the index, or the matching error. */
function changed(result: Counters | "missing" | "busy", missing: () => ApiError): Counters {
  if (result === "busy") throw busy();
  if (result === "missing") throw missing();
  return result;
}

export function itemRoutes(deps: Deps) {
  return newRouter()
    .openapi(listConversationItemsRoute, async (c) => {
      const row = await ownConversation(c, c.req.valid("param").conversation_id);
      const query = c.req.valid("query");
      const rows = await conversationStub(c, row.id).listMessages(query);
      if (!rows) throw new ApiError("invalid_request_error", "No such item in this conversation.", { param: "after" });
      return c.json(toPage(rows, query.limit, toItem), 200);
    })
    .openapi(createConversationItemsRoute, async (c) => {
      const row = await ownConversation(c, c.req.valid("param").conversation_id);
      const images = new RequestImages(c.env, deps, c.get("principal").accountId);
      const items = await resolveItems(c.req.valid("json").items, images, "items");
      const counters = changed(await conversationStub(c, row.id).addItems(items), () =>
        notFound("conversation", "conversation_id"),
      );
      await updateCounters(c.env.DB, row.id, counters);
      return c.json(toPage(items, items.length, toItem), 200);
    })
    .openapi(getConversationItemRoute, async (c) => {
      const { conversation_id, item_id } = c.req.valid("param");
      const row = await ownConversation(c, conversation_id);
      const item = await conversationStub(c, row.id).getItem(item_id);
      if (!item) throw notFound("item", "item_id");
      return c.json(toItem(item), 200);
    })
    .openapi(deleteConversationItemRoute, async (c) => {
      const { conversation_id, item_id } = c.req.valid("param");
      const row = await ownConversation(c, conversation_id);
      const stub = conversationStub(c, row.id);
      const counters = changed(await stub.deleteItem(item_id), () => notFound("item", "item_id"));
      await updateCounters(c.env.DB, row.id, counters);
      return c.json(toConversation({ ...row, ...counters }), 200);
    });
}
