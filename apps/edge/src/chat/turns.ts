// OpenAI messages → the runner's turns: system messages become `system`, consecutive
// messages of one role merge into one turn (texts joined by a newline, images appended in
// order), and turns alternate from the user's. The contract has already bounded the images
// of a merged turn (chat/image-limits.ts in @mmgpt/schema).
import { type ChatMessage, contentImages, contentText } from "@mmgpt/schema";
import { ApiError } from "../errors/api-error";

export interface DraftImage {
  url: string;
  /** The field errors name, e.g. `messages.0.content.2.image_url.url`. */
  param: string;
}

export interface DraftTurn {
  role: "user" | "assistant";
  text: string;
  images: DraftImage[];
}

export interface DraftConversation {
  system: string | undefined;
  turns: DraftTurn[];
}

function imagesOf(message: ChatMessage, index: number): DraftImage[] {
  if (message.role !== "user") return [];
  return contentImages(message.content).map(({ url, part }) => ({
    url,
    param: `messages.${index}.content.${part}.image_url.url`,
  }));
}

export function toTurns(messages: readonly ChatMessage[]): DraftConversation {
  const system: string[] = [];
  const turns: DraftTurn[] = [];
  messages.forEach((message, index) => {
    if (message.role === "system" || message.role === "developer") {
      system.push(contentText(message.content));
      return;
    }
    const text = contentText(message.content);
    const images = imagesOf(message, index);
    const last = turns.at(-1);
    if (!last && message.role !== "user") {
      throw new ApiError("invalid_request_error", "The first non-system message must be a user message.", {
        param: `messages.${index}.role`,
      });
    }
    if (!last || last.role !== message.role) {
      turns.push({ role: message.role, text, images });
      return;
    }
    last.text = last.text && text ? `${last.text}\n${text}` : last.text || text;
    last.images.push(...images);
  });
  return { system: system.length ? system.join("\n") : undefined, turns };
}
