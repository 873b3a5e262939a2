// OpenAI messages → the runner's turns: system messages become `system`, consecutive
// messages of one role merge into one turn (texts joined by a newline), turns alternate
// from the user's, and a merged user turn may carry at most one image.
import { type ChatMessage, contentText } from "@mmgpt/schema";
import { ApiError } from "../errors/api-error";

export interface DraftTurn {
  role: "user" | "assistant";
  text: string;
  image?: { url: string; param: string };
}

export interface DraftConversation {
  system: string | undefined;
  turns: DraftTurn[];
}

function imageOf(message: ChatMessage, index: number): DraftTurn["image"] {
  if (message.role !== "user" || typeof message.content === "string") return undefined;
  const at = message.content.findIndex((p) => p.type === "image_url");
  const part = message.content[at];
  return part?.type === "image_url"
    ? { url: part.image_url.url, param: `messages.${index}.content.${at}.image_url.url` }
    : undefined;
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
    const image = imageOf(message, index);
    const last = turns.at(-1);
    if (!last) {
      if (message.role !== "user") {
        throw new ApiError("invalid_request_error", "The first non-system message must be a user message.", {
          param: `messages.${index}.role`,
        });
      }
      turns.push({ role: "user", text, image });
      return;
    }
    if (last.role !== message.role) {
      turns.push({ role: message.role, text, image });
      return;
    }
    if (image && last.image) {
      throw new ApiError(
        "invalid_request_error",
        "At most one image per user turn: consecutive user messages are merged into one turn, and this one already has an image. Put an assistant message between the images.",
        { param: image.param },
      );
    }
    last.text = last.text && text ? `${last.text}\n${text}` : last.text || text;
    last.image ??= image;
  });
  return { system: system.length ? system.join("\n") : undefined, turns };
}
