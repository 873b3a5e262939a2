// Unauthenticated endpoints (health, the OpenAPI document, docs) and /v1/models (API key).
import { API_VERSION, getModelRoute, healthRoute, listModelsRoute } from "@mmgpt/schema";
import openapi from "@mmgpt/schema/openapi.json";
import type { Deps } from "../env";
import { ApiError } from "../errors/api-error";
import { newRouter } from "../http/router";
import { docsPage } from "./docs";
import { modelIds, toModel } from "./models";

export const publicMetaRoutes = newRouter()
  // Liveness of the edge itself: it must not depend on a runner being up.
  .openapi(healthRoute, (c) => c.json({ status: "ok" as const, version: API_VERSION }, 200))
  .get("/openapi.json", (c) => c.json(openapi))
  .get("/docs", (c) => c.html(docsPage(openapi)));

export function modelRoutes(deps: Deps) {
  return newRouter()
    .openapi(listModelsRoute, async (c) => {
      const ids = await modelIds(c, deps);
      return c.json({ object: "list" as const, data: ids.map(toModel) }, 200);
    })
    .openapi(getModelRoute, async (c) => {
      const { model } = c.req.valid("param");
      if (!(await modelIds(c, deps)).includes(model)) {
        throw new ApiError("model_not_found", `The model \`${model}\` does not exist.`, { param: "model" });
      }
      return c.json(toModel(model), 200);
    });
}
