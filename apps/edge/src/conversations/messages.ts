// Conversation messages: the rows a ConversationDO stores and returns, their API shape
// (`conversation.message`, the /messages extension), and how stored messages become turns.
import type { ConversationMessage, ItemRole, MessageContentPart } from "@mmgpt/schema";
import { ID_PREFIXES } from "@mmgpt/schema";
import type { DoneEvent, Turn } from "@mmgpt/schema/internal";
import { toUsage } from "../chat/chunks";
import { mergeTurns } from "../chat/turns";
import { ApiError } from "../errors/api-error";
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
    ...(m.dropped_exchanges !== undefined ? { dropped_exchanges: m.dropped_exchanges } : {}),
  };
}

/** A message as stored: its images (hash and file id) in message order, then its text. */
export function storedMessage(role: ItemRole, text: string, images: readonly ResolvedImage[]): NewMessage {
  const content: MessageContentPart[] = images.map((i) => ({
    type: "image",
    image: { sha256: i.sha256, file_id: i.fileId },
  }));
  if (text) content.push({ type: "text", text });
  return {
    id: newId(ID_PREFIXES.message),
    role,
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
    // Shown once, on the committed message the sender receives; the DO does not store them.
    prompt: done.prompt,
    dropped_exchanges: done.dropped_exchanges ?? 0,
  };
}

type Stored = Pick<NewMessage, "role" | "text" | "content">;

export const parseRow = (row: MessageRow): Stored => ({ ...row, content: JSON.parse(row.content) });

/**
 * Stored messages (and a request's new ones) as the runner's system text and turns. `system`
 * comes first (the conversation's own, instructions); system and developer items follow it.
 */
export function storedTurns(
  messages: readonly Stored[],
  system: ReadonlyArray<string | null | undefined>,
  paramOf: (index: number) => string,
): { system: string | undefined; turns: Turn[] } {
  const merged = mergeTurns(
    messages.map((m, index) => ({
      role: m.role,
      text: m.text,
      images: m.content.flatMap((p) => (p.type === "image" ? [p.image.sha256] : [])),
      param: paramOf(index),
    })),
  );
  const last = merged.turns.at(-1);
  if (last?.role !== "user") {
    throw new ApiError("invalid_request_error", "The input must end with a user message.", {
      param: paramOf(messages.length - 1),
    });
  }
  const texts = [
    ...system.filter((t): t is string => typeof t === "string"),
    ...(merged.system ? [merged.system] : []),
  ];
  return {
    system: texts.length ? texts.join("\n") : undefined,
    turns: merged.turns.map((t) => ({ role: t.role, text: t.text, ...(t.images.length ? { images: t.images } : {}) })),
  };
}
