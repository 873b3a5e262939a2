// Building blocks shared by every resource: errors, ids, limits, headers, pagination.
export * from "./errors";
export * from "./headers";
export * from "./ids";
export * from "./json-schema-subset";
export * from "./limits";
export * from "./metadata";
export * from "./pagination";
export * from "./responses";
export * from "./security";
export * from "./sse";
