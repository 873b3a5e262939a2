// Conversation messages as the API shows them, from the rows a ConversationDO returns.
import type { ConversationMessage, MessageContentPart } from "@mmgpt/schema";
import { toUsage } from "../chat/chunks";
import type { MessageRow } from "./conversation-sql";

export function toMessage(conversationId: string, row: MessageRow): ConversationMessage {
  return {
    id: row.id,
    object: "conversation.message",
    conversation_id: conversationId,
    created_at: row.created_at,
    role: row.role,
    content: JSON.parse(row.content) as MessageContentPart[],
    model: row.model,
    finish_reason: row.finish_reason,
    usage: row.usage ? toUsage(JSON.parse(row.usage)) : null,
  };
}

/** The stored content of a user turn: its image (as hash and file id) first, then its text. */
export function userContent(
  text: string,
  image: { sha256: string; fileId: string | null } | null,
): MessageContentPart[] {
  const parts: MessageContentPart[] = [];
  if (image) parts.push({ type: "image", image: { sha256: image.sha256, file_id: image.fileId } });
  if (text) parts.push({ type: "text", text });
  return parts;
}
