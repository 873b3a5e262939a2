// Messages → the runner's turns, for every API that takes a message list (chat messages,
// Responses items, a conversation's stored items): system and developer messages become
// `system`, consecutive messages of one role merge into one turn (texts joined by a newline,
// images appended in order), and turns alternate from the user's. The contract has already
// bounded the images of a merged turn (chat/image-limits.ts in @mmgpt/schema).
import { type ChatMessage, contentImages, contentText } from "@mmgpt/schema";
import { ApiError } from "../errors/api-error";

export interface DraftImage {
  url: string;
  /** The field errors name, e.g. `messages.0.content.2.image_url.url`. */
  param: string;
}

/** One message before merging; `images` are whatever the caller resolves later (URLs, hashes). */
export interface DraftMessage<I> {
  role: "system" | "developer" | "user" | "assistant";
  text: string;
  images: I[];
  /** The message's path in the request, e.g. `messages.3`, named by errors. */
  param: string;
}

export interface DraftTurn<I = DraftImage> {
  role: "user" | "assistant";
  text: string;
  images: I[];
}

export interface DraftConversation<I = DraftImage> {
  system: string | undefined;
  turns: DraftTurn<I>[];
}

export function mergeTurns<I>(messages: readonly DraftMessage<I>[]): DraftConversation<I> {
  const system: string[] = [];
  const turns: DraftTurn<I>[] = [];
  for (const message of messages) {
    if (message.role === "system" || message.role === "developer") {
      system.push(message.text);
      continue;
    }
    const last = turns.at(-1);
    if (!last && message.role !== "user") {
      throw new ApiError("invalid_request_error", "The first non-system message must be a user message.", {
        param: `${message.param}.role`,
      });
    }
    if (!last || last.role !== message.role) {
      turns.push({ role: message.role, text: message.text, images: [...message.images] });
      continue;
    }
    last.text = last.text && message.text ? `${last.text}\n${message.text}` : last.text || message.text;
    last.images.push(...message.images);
  }
  return { system: system.length ? system.join("\n") : undefined, turns };
}

export function toTurns(messages: readonly ChatMessage[]): DraftConversation {
  return mergeTurns(
    messages.map((message, index) => ({
      role: message.role,
      text: contentText(message.content),
      images:
        message.role === "user"
          ? contentImages(message.content).map(({ url, part }) => ({
              url,
              param: `messages.${index}.content.${part}.image_url.url`,
            }))
          : [],
      param: `messages.${index}`,
    })),
  );
}
