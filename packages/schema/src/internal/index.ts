// The edge → runner protocol (version PROTOCOL_VERSION): typed, versioned, not public.
// Import as `@mmgpt/schema/internal`; depends only on zod.
export * from "./constants";
export * from "./errors";
export * from "./generate";
export * from "./images";
export * from "./ndjson";
export * from "./runner";
