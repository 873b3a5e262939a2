// GET /v1/models: the models this deployment serves, in OpenAI's list shape.
import { createRoute, z } from "@hono/zod-openapi";
import { BASE_ERRORS, errorResponses, jsonResponse, UnixTime } from "../common";

export const Model = z
  .object({
    id: z.string().openapi({ example: "mmgpt-tiny" }),
    object: z.literal("model"),
    created: UnixTime,
    owned_by: z.string().openapi({ example: "mmgpt" }),
  })
  .openapi("Model");
export type Model = z.infer<typeof Model>;

export const ModelList = z.object({ object: z.literal("list"), data: z.array(Model) }).openapi("ModelList");
export type ModelList = z.infer<typeof ModelList>;

export const listModelsRoute = createRoute({
  method: "get",
  path: "/v1/models",
  operationId: "listModels",
  tags: ["Models"],
  summary: "List models",
  description: "The models the runners currently serve. Every model accepts images.",
  responses: {
    200: jsonResponse(ModelList, "The models.", {
      object: "list",
      data: [{ id: "mmgpt-tiny", object: "model", created: 1795772400, owned_by: "mmgpt" }],
    }),
    ...errorResponses(...BASE_ERRORS),
  },
});
