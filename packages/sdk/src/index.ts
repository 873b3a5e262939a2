// @mmgpt/sdk: TypeScript client for the mmgpt API. Types are generated from
// packages/schema/openapi.json; only `listModels` is implemented so far.
export { type ClientOptions, createClient, type JsonResponse, type MmgptClient, type ModelList } from "./client";
export { MmgptError } from "./error";
export type { components, operations, paths, webhooks } from "./generated/openapi";
