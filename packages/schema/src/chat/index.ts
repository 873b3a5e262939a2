// Chat completions: request, response, streaming chunk and the route.
export * from "./content";
export * from "./request";
export * from "./response";
export * from "./response-format";
export * from "./routes";
export * from "./sampling";
