// Cursor pagination shared by every list endpoint: `limit` + `after` in, OpenAI's list shape out.
import { z } from "@hono/zod-openapi";
import { LIMITS } from "./limits";

export const SortOrder = z.enum(["asc", "desc"]);

/** Query of a list endpoint; `order` defaults to newest first unless the list is a transcript. */
export function paginationQuery(defaultOrder: "asc" | "desc" = "desc") {
  return z.object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(LIMITS.maxPageSize)
      .default(LIMITS.defaultPageSize)
      .openapi({ description: `Page size, 1–${LIMITS.maxPageSize}.`, example: LIMITS.defaultPageSize }),
    after: z.string().min(1).optional().openapi({ description: "Cursor: the `last_id` of the previous page." }),
    order: SortOrder.default(defaultOrder).openapi({ description: "Sort by creation time." }),
  });
}
export const PaginationQuery = paginationQuery();
export type PaginationQuery = z.infer<typeof PaginationQuery>;

/** `{object:"list", data, has_more, first_id, last_id}` around `item`, registered as `name`. */
export function listOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      object: z.literal("list"),
      data: z.array(item),
      has_more: z.boolean(),
      first_id: z.string().nullable(),
      last_id: z.string().nullable(),
    })
    .openapi(name);
}
