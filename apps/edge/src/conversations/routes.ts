// /v1/conversations: create (with initial items), list (an extension, from the D1 index), get
// (from the DO, with last_error), update metadata, delete (DO storage and index row), list
// messages (extension). Items: items-routes.ts; sending a message: send-message.ts.
import {
  createConversationRoute,
  deleteConversationRoute,
  getConversationRoute,
  ID_PREFIXES,
  listConversationsRoute,
  listMessagesRoute,
  updateConversationRoute,
} from "@mmgpt/schema";
import type { Deps } from "../env";
import { ApiError, notFound } from "../errors/api-error";
import { newId, unixSeconds } from "../http/ids";
import { toPage } from "../http/pagination";
import { newRouter } from "../http/router";
import { modelIds } from "../meta/models";
import { unavailable } from "../runner/errors";
import { RequestImages } from "../vision/request-images";
import { conversationStub, ownConversation } from "./access";
import {
  type ConversationRow,
  deleteConversationRow,
  insertConversation,
  listConversations,
  toConversation,
  updateMetadata,
} from "./index-store";
import { resolveItems } from "./items";
import { itemRoutes } from "./items-routes";
import { toMessage } from "./messages";
import { sendMessageRoute } from "./send-message";

export function conversationRoutes(deps: Deps) {
  const router = newRouter()
    .openapi(createConversationRoute, async (c) => {
      // The body is optional: an empty POST creates a conversation with defaults.
      const body = c.req.valid("json") ?? {};
      const model = body.model ?? (await modelIds(c, deps))[0];
      if (!model) throw unavailable("No model is served right now; retry later.");
      const accountId = c.get("principal").accountId;
      const items = await resolveItems(body.items ?? [], new RequestImages(c.env, deps, accountId), "items");
      const row: ConversationRow = {
        id: newId(ID_PREFIXES.conversation),
        account_id: accountId,
        model,
        system: body.system ?? null,
        metadata: JSON.stringify(body.metadata ?? {}),
        message_count: items.length,
        last_message_at: items.at(-1)?.created_at ?? null,
        created_at: unixSeconds(),
      };
      // DO first: an index row never points at a conversation that does not exist.
      await conversationStub(c, row.id).init({ ...row, metadata: body.metadata ?? {} }, items);
      await insertConversation(c.env.DB, row);
      return c.json(toConversation(row), 200);
    })
    .openapi(listConversationsRoute, async (c) => {
      const query = c.req.valid("query");
      const rows = await listConversations(c.env.DB, c.get("principal").accountId, query);
      return c.json(toPage(rows, query.limit, toConversation), 200);
    })
    .openapi(getConversationRoute, async (c) => {
      const row = await ownConversation(c, c.req.valid("param").conversation_id);
      const summary = await conversationStub(c, row.id).summary();
      if (!summary) throw notFound("conversation", "conversation_id");
      // last_error and generating are extensions: the contract's Conversation lacks them.
      return c.json(
        { ...toConversation(summary), last_error: summary.last_error, generating: summary.generating },
        200,
      );
    })
    .openapi(updateConversationRoute, async (c) => {
      const row = await ownConversation(c, c.req.valid("param").conversation_id);
      const { metadata } = c.req.valid("json");
      const summary = await conversationStub(c, row.id).updateMetadata(metadata);
      if (!summary) throw notFound("conversation", "conversation_id");
      await updateMetadata(c.env.DB, row.id, metadata);
      return c.json(toConversation(summary), 200);
    })
    .openapi(deleteConversationRoute, async (c) => {
      const row = await ownConversation(c, c.req.valid("param").conversation_id);
      if ((await conversationStub(c, row.id).destroy()) === "busy") {
        throw new ApiError("conversation_busy", "A reply is being generated; delete the conversation afterwards.");
      }
      await deleteConversationRow(c.env.DB, row.id);
      return c.json({ id: row.id, object: "conversation.deleted" as const, deleted: true as const }, 200);
    })
    .openapi(listMessagesRoute, async (c) => {
      const row = await ownConversation(c, c.req.valid("param").conversation_id);
      const query = c.req.valid("query");
      const rows = await conversationStub(c, row.id).listMessages(query);
      if (!rows)
        throw new ApiError("invalid_request_error", "No such message in this conversation.", { param: "after" });
      return c.json(
        toPage(rows, query.limit, (r) => toMessage(row.id, r)),
        200,
      );
    });
  return router.route("/", sendMessageRoute(deps)).route("/", itemRoutes(deps));
}
