// The reply's format: chat's `response_format` and the Responses API's `text.format` (the same
// three kinds; the Responses json_schema is flat, not nested under `json_schema`). Free text,
// any JSON object, or a JSON document valid for a schema. JSON is enforced by constrained
// decoding on the runner (each token masked to those that can continue a valid document), so
// the schema is checked here against the subset the runner enforces and anything else is
// refused with the keyword named.
import { z } from "@hono/zod-openapi";
import { jsonSchemaIssues, MAX_STRING_BOUNDS, SCHEMA_ANNOTATIONS, SCHEMA_KEYWORDS } from "../common/json-schema-subset";
import type { OutputFormat } from "../internal/generate";

const JsonSchema = z
  .record(z.string(), z.unknown())
  .superRefine((schema, ctx) => {
    for (const issue of jsonSchemaIssues(schema)) ctx.addIssue({ code: "custom", ...issue });
  })
  .openapi({
    description: `The JSON Schema the reply must match. Supported keywords: ${SCHEMA_KEYWORDS.map((k) => `\`${k}\``).join(", ")} (\`additionalProperties\` only as \`false\`; \`$ref\` only to the root's \`$defs\`/\`definitions\`), and the annotations ${SCHEMA_ANNOTATIONS.map((k) => `\`${k}\``).join(", ")}. Any other keyword is refused with a 400 naming it. String length bounds cost compile time: each distinct \`minLength\`/\`maxLength\` pair counts its largest bound, and the sum may be at most ${MAX_STRING_BOUNDS}.`,
    example: {
      type: "object",
      properties: { answer: { type: "string", maxLength: 80 }, confidence: { enum: ["low", "high"] } },
      required: ["answer", "confidence"],
      additionalProperties: false,
    },
  });

export const ResponseFormatText = z.object({ type: z.literal("text") }).openapi("ResponseFormatText");

export const ResponseFormatJsonObject = z
  .object({ type: z.literal("json_object") })
  .openapi("ResponseFormatJsonObject", { description: "The reply is a JSON object (any properties)." });

/** What a json_schema format names besides its schema (chat nests these, Responses does not). */
const jsonSchemaFields = {
  name: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/, { error: "name must be 1 to 64 letters, digits, underscores or dashes" }),
  description: z.string().optional().openapi({ description: "Accepted and ignored." }),
  strict: z.boolean().nullish().openapi({
    description: "Accepted; the schema is always enforced (constrained decoding), `strict` or not.",
  }),
};

export const ResponseFormatJsonSchema = z
  .object({
    type: z.literal("json_schema"),
    json_schema: z.object({ ...jsonSchemaFields, schema: JsonSchema.optional() }),
  })
  .openapi("ResponseFormatJsonSchema", {
    description: "The reply is a JSON document valid for `json_schema.schema`.",
  });

export const ResponseFormat = z
  .discriminatedUnion("type", [ResponseFormatText, ResponseFormatJsonObject, ResponseFormatJsonSchema])
  .openapi("ResponseFormat", {
    description:
      "`text` (default), `json_object` or `json_schema`. JSON formats are enforced token by token and the reply ends only when the document is complete, so it always parses (and matches the schema) — unless `max_tokens` cuts it first (finish_reason `length`) or a `stop` sequence occurs inside it (the reply is cut there, as ever). Not combinable with `num_beams` > 1.",
  });
export type ResponseFormat = z.infer<typeof ResponseFormat>;

export const TextFormatJsonSchema = z
  .object({ type: z.literal("json_schema"), ...jsonSchemaFields, schema: JsonSchema })
  .openapi("TextFormatJsonSchema", {
    description: "The reply is a JSON document valid for `schema` (the Responses API's flat form).",
  });

export const TextFormat = z
  .discriminatedUnion("type", [ResponseFormatText, ResponseFormatJsonObject, TextFormatJsonSchema])
  .openapi("TextFormat", {
    description:
      "The Responses API's `text.format`: `text` (default), `json_object` or `json_schema`, enforced as chat's `response_format` (constrained decoding: a reply that ends by itself parses and matches the schema; `max_output_tokens` can cut it first, status `incomplete`). Not combinable with `num_beams` > 1.",
  });
export type TextFormat = z.infer<typeof TextFormat>;

/** The runner's form of a response format (either surface's); undefined for free text. */
export function toOutputFormat(format: ResponseFormat | TextFormat | null | undefined): OutputFormat | undefined {
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return { type: "json_object" };
  return { type: "json_schema", schema: ("json_schema" in format ? format.json_schema.schema : format.schema) ?? {} };
}
