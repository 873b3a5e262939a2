// One line of OpenAI chat fine-tuning JSONL → the renderer's Conversation, by the edge's rules
// (system/developer text joined by newlines into `system`; consecutive messages of one role
// merged, texts joined by a newline; text parts joined by a newline), except that a user turn
// keeps ALL its images in order (MODEL.md, "Several images in one message"). Images stay URLs.
import { contentText } from "@mmgpt/schema";
import type { Conversation, ConversationTurn } from "../../apps/gpu-runner/src/prompt/index.js";

export class DataError extends Error {}

interface Part {
  type: string;
  text?: string;
  image_url?: { url?: string } | string;
}
interface Message {
  role: string;
  content: string | Part[];
}

const imageUrl = (p: Part): string | null => {
  if (p.type !== "image_url") return null;
  const url = typeof p.image_url === "string" ? p.image_url : p.image_url?.url;
  if (typeof url !== "string" || url === "") throw new DataError("an image_url part has no url");
  return url;
};

/** A training conversation: every user turn answered (the last turn is the assistant's). */
export function toConversation(line: unknown): Conversation {
  const messages = (line as { messages?: Message[] })?.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw new DataError("no `messages` array");
  const system: string[] = [];
  const turns: (ConversationTurn & { images: string[] })[] = [];
  for (const [i, m] of messages.entries()) {
    if (typeof m !== "object" || m === null) throw new DataError(`messages[${i}] is not an object`);
    if (typeof m.content !== "string" && !Array.isArray(m.content)) {
      throw new DataError(`messages[${i}].content must be a string or an array of parts`);
    }
    if (m.role === "system" || m.role === "developer") {
      system.push(contentText(m.content));
      continue;
    }
    if (m.role !== "user" && m.role !== "assistant")
      throw new DataError(`messages[${i}].role ${m.role} is not supported`);
    const text = contentText(m.content);
    const images = typeof m.content === "string" ? [] : m.content.map(imageUrl).filter((u): u is string => u !== null);
    if (m.role === "assistant" && images.length > 0)
      throw new DataError(`messages[${i}]: an assistant message has an image`);
    const last = turns.at(-1);
    if (last && last.role === m.role) {
      last.text = last.text && text ? `${last.text}\n${text}` : last.text || text;
      last.images.push(...images);
    } else {
      turns.push({ role: m.role, text, images });
    }
  }
  if (turns[0]?.role !== "user") throw new DataError("the first non-system message must be the user's");
  if (turns.at(-1)?.role !== "assistant") throw new DataError("the last message must be the assistant's (the target)");
  for (const t of turns) if (t.role === "assistant") delete (t as ConversationTurn).images;
  return { system: system.length ? system.join("\n") : undefined, turns };
}
