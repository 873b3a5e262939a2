// Joins the text of a streamed reply. Works on any async iterable of chat completion chunks
// or conversation events, including streams from other OpenAI-compatible clients.
import type { ChatCompletionChunk, ConversationStreamEvent } from "../types";

/**
 * The text an item adds: a chunk's delta for `choice` (0 unless `n` asked for several; a chunk
 * carries one choice's delta), or a conversation delta event.
 */
export function textOf(item: ChatCompletionChunk | ConversationStreamEvent, choice = 0): string {
  if ("choices" in item) return item.choices.find((c) => c.index === choice)?.delta.content ?? "";
  if (item.object === "conversation.message.delta") return item.delta.content;
  return "";
}

/** Consumes `stream` and returns the concatenated text. */
export async function collectText(
  stream: AsyncIterable<ChatCompletionChunk> | AsyncIterable<ConversationStreamEvent>,
): Promise<string> {
  let text = "";
  for await (const item of stream as AsyncIterable<ChatCompletionChunk | ConversationStreamEvent>) {
    text += textOf(item);
  }
  return text;
}
