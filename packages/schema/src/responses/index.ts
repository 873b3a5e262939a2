// The Responses API: items (shared with conversations), request, Response object, events, routes.
export * from "./items";
export * from "./routes";
export * from "./schemas";
