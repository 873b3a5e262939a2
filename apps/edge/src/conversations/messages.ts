// Conversation messages: the rows a ConversationDO stores and returns, and the API shape.
import type { ConversationMessage, MessageContentPart } from "@mmgpt/schema";
import { ID_PREFIXES } from "@mmgpt/schema";
import type { DoneEvent, Turn } from "@mmgpt/schema/internal";
import { toUsage } from "../chat/chunks";
import { newId, unixSeconds } from "../http/ids";
import type { ResolvedImage } from "../vision/request-images";
import type { MessageRow, NewMessage } from "./conversation-sql";

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

/** The API shape of a message just committed (no round trip to read it back). */
export function committedMessage(conversationId: string, m: NewMessage): ConversationMessage {
  return {
    id: m.id,
    object: "conversation.message",
    conversation_id: conversationId,
    created_at: m.created_at,
    role: m.role,
    content: m.content,
    model: m.model,
    finish_reason: m.finish_reason,
    usage: m.usage ? toUsage(m.usage) : null,
    ...(m.prompt !== undefined ? { prompt: m.prompt } : {}),
  };
}

/** A user turn as stored: its images (hash and file id) in message order, then its text. */
export function userMessage(text: string, images: readonly ResolvedImage[]): NewMessage {
  const content: MessageContentPart[] = images.map((i) => ({
    type: "image",
    image: { sha256: i.sha256, file_id: i.fileId },
  }));
  if (text) content.push({ type: "text", text });
  return {
    id: newId(ID_PREFIXES.message),
    role: "user",
    text,
    content,
    model: null,
    finish_reason: null,
    usage: null,
    created_at: unixSeconds(),
  };
}

export function assistantMessage(id: string, model: string, done: DoneEvent): NewMessage {
  return {
    id,
    role: "assistant",
    text: done.text,
    content: done.text ? [{ type: "text", text: done.text }] : [],
    model,
    finish_reason: done.finish_reason,
    usage: done.usage,
    created_at: unixSeconds(),
    // Shown once, on the committed message the sender receives; the DO does not store it.
    prompt: done.prompt,
  };
}

/** A message as the runner's turn: its text, and its images' hashes in the order stored. */
export function messageTurn(m: Pick<NewMessage, "role" | "text" | "content">): Turn {
  const images = m.content.flatMap((p) => (p.type === "image" ? [p.image.sha256] : []));
  return { role: m.role, text: m.text, ...(images.length ? { images } : {}) };
}

export const rowTurn = (row: MessageRow): Turn => messageTurn({ ...row, content: JSON.parse(row.content) });
