// GET /v1/models and /v1/models/{model}: the models this deployment serves, in OpenAI's shapes.
import { createRoute, z } from "@hono/zod-openapi";
import { BASE_ERRORS, errorResponses, jsonResponse, pathParam, UnixTime } from "../common";

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

export const ModelParams = pathParam(
  "model",
  z.string().min(1).max(64).openapi({ description: "A model id.", example: "mmgpt-tiny" }),
);

export const getModelRoute = createRoute({
  method: "get",
  path: "/v1/models/{model}",
  operationId: "getModel",
  tags: ["Models"],
  summary: "Get a model",
  description: "One served model; 404 `model_not_found` for any other id.",
  request: { params: ModelParams },
  responses: {
    200: jsonResponse(Model, "The model.", {
      id: "mmgpt-tiny",
      object: "model",
      created: 1795772400,
      owned_by: "mmgpt",
    }),
    ...errorResponses(...BASE_ERRORS, 404),
  },
});
