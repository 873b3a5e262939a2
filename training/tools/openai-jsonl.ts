// One line of OpenAI chat fine-tuning JSONL → the renderer's Conversation. The messages are
// checked here (a training example must be well formed and end with the answer), then turned
// into turns by the edge's own rule (edge.ts → toTurns: system/developer text into `system`,
// consecutive messages of one role merged, texts joined by a newline, a user turn's images in
// order), so an adapter is trained on exactly what serving renders. Images stay URLs.
import type { Conversation } from "../../apps/gpu-runner/src/prompt/index.js";
import type { Edge } from "./edge.js";

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

/** A part with its image URL in the object form the contract uses (`{ url }`), checked. */
function normalizePart(p: Part, where: string): Part {
  if (p?.type !== "image_url") return p;
  const url = typeof p.image_url === "string" ? p.image_url : p.image_url?.url;
  if (typeof url !== "string" || url === "") throw new DataError(`${where}: an image_url part has no url`);
  return { type: "image_url", image_url: { url } };
}

/** A training conversation: every user turn answered (the last turn is the assistant's). */
export function toConversation(line: unknown, toTurns: Edge["toTurns"]): Conversation {
  const messages = (line as { messages?: Message[] })?.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw new DataError("no `messages` array");
  const checked = messages.map((m, i) => {
    const where = `messages[${i}]`;
    if (typeof m !== "object" || m === null) throw new DataError(`${where} is not an object`);
    if (!["system", "developer", "user", "assistant"].includes(m.role))
      throw new DataError(`${where}.role ${m.role} is not supported`);
    if (typeof m.content === "string") return m;
    if (!Array.isArray(m.content)) throw new DataError(`${where}.content must be a string or an array of parts`);
    const content = m.content.map((p) => normalizePart(p, where));
    if (m.role === "assistant" && content.some((p) => p.type === "image_url"))
      throw new DataError(`${where}: an assistant message has an image`);
    return { ...m, content };
  });
  let drafted: ReturnType<Edge["toTurns"]>;
  try {
    drafted = toTurns(checked);
  } catch (e) {
    throw new DataError((e as Error).message);
  }
  const { system, turns } = drafted;
  if (turns.at(-1)?.role !== "assistant") throw new DataError("the last message must be the assistant's (the target)");
  return {
    system,
    turns: turns.map((t) =>
      t.role === "user" ? { ...t, images: t.images.map((img) => img.url) } : { role: t.role, text: t.text },
    ),
  };
}
