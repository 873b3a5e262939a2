// Reaching a conversation: its Durable Object stub, and the ownership check through the D1
// index (another account's id gets the same 404 as an unknown one).
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { notFound } from "../errors/api-error";
import { type ConversationRow, findConversation } from "./index-store";

export function conversationStub(c: Context<AppEnv>, id: string) {
  return c.env.CONVERSATIONS.get(c.env.CONVERSATIONS.idFromName(id));
}

export async function ownConversation(
  c: Context<AppEnv>,
  id: string,
  param = "conversation_id",
): Promise<ConversationRow> {
  const row = await findConversation(c.env.DB, c.get("principal").accountId, id);
  if (!row) throw notFound("conversation", param);
  return row;
}
