// /v1/responses: create (create.ts), and a stored response's retrieve, delete and input items.
import { deleteResponseRoute, getResponseRoute, listResponseInputItemsRoute, type ResponseObject } from "@mmgpt/schema";
import type { NewMessage } from "../conversations/conversation-sql";
import { toItem } from "../conversations/items";
import type { Deps } from "../env";
import { ApiError, notFound } from "../errors/api-error";
import { toPage } from "../http/pagination";
import { newRouter } from "../http/router";
import { createResponseRoutes } from "./create";
import { deleteResponse, findResponse } from "./response-store";

export function responseRoutes(deps: Deps) {
  const router = newRouter()
    .openapi(getResponseRoute, async (c) => {
      const row = await findResponse(c.env.DB, c.get("principal").accountId, c.req.valid("param").response_id);
      if (!row) throw notFound("response", "response_id");
      return c.json(JSON.parse(row.body) as ResponseObject, 200);
    })
    .openapi(deleteResponseRoute, async (c) => {
      const id = c.req.valid("param").response_id;
      if (!(await deleteResponse(c.env.DB, c.get("principal").accountId, id)))
        throw notFound("response", "response_id");
      return c.json({ id, object: "response.deleted" as const, deleted: true as const }, 200);
    })
    .openapi(listResponseInputItemsRoute, async (c) => {
      const row = await findResponse(c.env.DB, c.get("principal").accountId, c.req.valid("param").response_id);
      if (!row) throw notFound("response", "response_id");
      const query = c.req.valid("query");
      // A response's input is small (one request's items): paged in memory, by position.
      const items = (JSON.parse(row.input_items) as NewMessage[]).map(toItem);
      if (query.order === "desc") items.reverse();
      const start = query.after ? items.findIndex((item) => item.id === query.after) + 1 : 0;
      if (start === 0 && query.after) {
        throw new ApiError("invalid_request_error", "No such item in this response's input.", { param: "after" });
      }
      return c.json(
        toPage(items.slice(start, start + query.limit + 1), query.limit, (item) => item),
        200,
      );
    });
  return router.route("/", createResponseRoutes(deps));
}
