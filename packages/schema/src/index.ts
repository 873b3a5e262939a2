// @mmgpt/schema: the public HTTP API defined once — zod validators, inferred types, route
// objects for OpenAPIHono, and the OpenAPI document builder. The runner protocol is separate:
// `@mmgpt/schema/internal`.
export * from "./admin";
export * from "./batches";
export * from "./chat";
export * from "./common";
export * from "./conversations";
export * from "./files";
export * from "./health";
export * from "./models";
export * from "./openapi";
export * from "./responses";
export * from "./routes";
export * from "./webhooks";
