// JSON schemas the structured-output e2e tests share: one of each supported kind of bound.

export const WEATHER = {
  type: "object",
  properties: {
    city: { type: "string", minLength: 1, maxLength: 16 },
    sunny: { type: "boolean" },
    hours: { type: "array", items: { type: "integer" }, minItems: 1, maxItems: 3 },
    wind: { anyOf: [{ type: "null" }, { enum: ["low", "high"] }] },
  },
  required: ["city", "sunny", "hours", "wind"],
  additionalProperties: false,
};
