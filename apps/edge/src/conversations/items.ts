// OpenAI items ↔ stored messages. A request's input items have their images resolved (stored
// by hash, and file id when given) before anything is kept; stored messages are shown as
// OpenAI's message items: user and system text as input_text, assistant text as output_text,
// images as input_image with `image_url` null (the pixels are kept by hash, not the URL).
import {
  type InputItem,
  type ItemContentPart,
  isItemReference,
  itemImages,
  itemText,
  type MessageContentPart,
  type MessageItem,
} from "@mmgpt/schema";
import type { RequestImages } from "../vision/request-images";
import type { MessageRow, NewMessage } from "./conversation-sql";
import { storedMessage } from "./messages";

/**
 * Resolves each item's images (in order, naming `<param>.<i>.content.<k>` on failure) and keeps
 * them; an item reference is the message `referenced` holds for its index (item-references.ts).
 */
export async function resolveItems(
  items: readonly InputItem[],
  images: RequestImages,
  param: string,
  referenced: ReadonlyMap<number, NewMessage> = new Map(),
): Promise<NewMessage[]> {
  const out: NewMessage[] = [];
  for (const [index, item] of items.entries()) {
    if (isItemReference(item)) {
      out.push(referenced.get(index)!);
      continue;
    }
    const resolved = await images.resolveAll(
      itemImages(item).map(({ url, part }) => ({ url, param: `${param}.${index}.content.${part}` })),
    );
    out.push(storedMessage(item.role, itemText(item), resolved));
  }
  return out;
}

/** A Responses `input`: a string is one user message. */
export function inputItems(input: string | readonly InputItem[]): InputItem[] {
  return typeof input === "string" ? [{ role: "user", content: input }] : [...input];
}

function itemPart(role: MessageItem["role"], part: MessageContentPart): ItemContentPart {
  if (part.type === "image") {
    return { type: "input_image", image_url: null, file_id: part.image.file_id, detail: "auto" };
  }
  return role === "assistant"
    ? { type: "output_text", text: part.text, annotations: [], logprobs: [] }
    : { type: "input_text", text: part.text };
}

export function toItem(message: MessageRow | NewMessage): MessageItem {
  const content: MessageContentPart[] =
    typeof message.content === "string" ? JSON.parse(message.content) : message.content;
  return {
    type: "message",
    id: message.id,
    status: "completed",
    role: message.role,
    content: content.map((part) => itemPart(message.role, part)),
  };
}
