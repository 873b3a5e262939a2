// A Responses input's `item_reference`s, read back from the stored responses holding them:
// each stands in the input as a copy of the message it names (an earlier input item, or an
// output message, i.e. a reply), under a new id as every stored input item gets one.
import { ID_PREFIXES, type InputItem, isItemReference, type ResponseObject } from "@mmgpt/schema";
import type { NewMessage } from "../conversations/conversation-sql";
import { notFound } from "../errors/api-error";
import { newId, unixSeconds } from "../http/ids";
import { findItemHolders } from "./response-store";

type Referenced = Pick<NewMessage, "role" | "text" | "content">;

/**
 * A copy of each referenced message, by the reference's index in `items` (a message referenced
 * twice is two items); a 404 naming the first reference that is not to one of the caller's.
 */
export async function readReferences(
  db: D1Database,
  accountId: string,
  items: readonly InputItem[],
  param: string,
): Promise<Map<number, NewMessage>> {
  const refs = items.flatMap((item, index) => (isItemReference(item) ? [{ id: item.id, index }] : []));
  if (!refs.length) return new Map();
  const found = new Map<string, Referenced>();
  for (const row of await findItemHolders(db, accountId, [...new Set(refs.map((r) => r.id))])) {
    for (const m of JSON.parse(row.input_items) as NewMessage[]) found.set(m.id, m);
    for (const m of (JSON.parse(row.body) as ResponseObject).output) {
      const text = m.content.map((p) => p.text).join("");
      found.set(m.id, { role: "assistant", text, content: text ? [{ type: "text", text }] : [] });
    }
  }
  const out = new Map<number, NewMessage>();
  for (const { id, index } of refs) {
    const m = found.get(id);
    if (!m) throw notFound("item", `${param}.${index}.id`);
    out.set(index, {
      id: newId(ID_PREFIXES.message),
      role: m.role,
      text: m.text,
      content: m.content,
      model: null,
      finish_reason: null,
      usage: null,
      created_at: unixSeconds(),
    });
  }
  return out;
}
