// Message content as OpenAI sends it: a string, or parts (text, image_url). Shared by chat
// completions and conversation messages. An image is a data URL, an https URL or a file id.
import { z } from "@hono/zod-openapi";
import { ID_PREFIXES, LIMITS, SUPPORTED_IMAGE_MEDIA_TYPES } from "../common";

const DATA_URL_HEAD_RE = /^data:image\/(png|jpeg|jpg|webp|gif);base64,/;
const FILE_ID_RE = /^file-[A-Za-z0-9_-]{1,64}$/;
/** Longest data URL accepted: base64 of the largest image, plus the header. */
const MAX_IMAGE_URL_LENGTH = Math.ceil(LIMITS.maxImageBytes / 3) * 4 + 64;

export type ImageUrlKind = "data" | "https" | "file";

/** Which of the three accepted forms an (already validated) image URL is. */
export function imageUrlKind(url: string): ImageUrlKind {
  if (url.startsWith("data:")) return "data";
  if (url.startsWith(ID_PREFIXES.file)) return "file";
  return "https";
}

/**
 * A data URL with a base64 payload, checked by a linear scan: a regex over a whole payload of
 * millions of characters is one backtracking step each, and V8's regex stack can overflow.
 */
function isDataUrl(value: string): boolean {
  const head = DATA_URL_HEAD_RE.exec(value.slice(0, 40));
  if (!head) return false;
  let end = value.length;
  if (value.endsWith("==")) end -= 2;
  else if (value.endsWith("=")) end -= 1;
  if (end === head[0].length) return false;
  for (let i = head[0].length; i < end; i++) if (!isBase64Char(value.charCodeAt(i))) return false;
  return true;
}

function isBase64Char(c: number): boolean {
  // A–Z, a–z, 0–9, '+', '/'
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

function isHttpsUrl(value: string): boolean {
  if (!value.startsWith("https://")) return false;
  try {
    return new URL(value).hostname.length > 0;
  } catch {
    return false;
  }
}

export const ImageUrl = z
  .string()
  .max(MAX_IMAGE_URL_LENGTH, { message: `image too large (max ${LIMITS.maxImageBytes} bytes)` })
  .refine((url) => isDataUrl(url) || FILE_ID_RE.test(url) || isHttpsUrl(url), {
    message: `must be a data:image/…;base64, URL (${SUPPORTED_IMAGE_MEDIA_TYPES.join(", ")}), an https:// URL or a file id (file-…)`,
  })
  .openapi({
    description: `A \`data:image/{png,jpeg,webp,gif};base64,…\` URL, an \`https://\` URL the edge fetches, or the id of a file uploaded with purpose \`vision\` (\`file-…\`). At most ${LIMITS.maxImageBytes / 1024 / 1024} MB.`,
    example: "https://upload.wikimedia.org/wikipedia/commons/3/3a/Cat03.jpg",
  });

export const TextPart = z
  .object({
    type: z.literal("text"),
    text: z.string().max(LIMITS.maxTextLength),
  })
  .openapi("TextContentPart", { example: { type: "text", text: "What is in this image?" } });
export type TextPart = z.infer<typeof TextPart>;

const ImageUrlObject = z.object({
  url: ImageUrl,
  detail: z
    .enum(["auto", "low", "high"])
    .optional()
    .openapi({ description: "Accepted and ignored: every image is resized to 224x224 for the vision encoder." }),
});

export const ImageUrlPart = z
  .object({
    type: z.literal("image_url"),
    // Some clients send the URL itself (`"image_url": "https://…"`); it becomes `{url}` here.
    image_url: z
      .union([ImageUrl, ImageUrlObject])
      .transform((value) => (typeof value === "string" ? { url: value } : value))
      .openapi({ description: "`{url, detail}`, or the URL as a plain string." }),
  })
  .openapi("ImageContentPart", {
    example: { type: "image_url", image_url: { url: "file-8a41c2f07d" } },
  });
export type ImageUrlPart = z.infer<typeof ImageUrlPart>;

export const UserContentPart = z.discriminatedUnion("type", [TextPart, ImageUrlPart]).openapi("UserContentPart");
export type UserContentPart = z.infer<typeof UserContentPart>;

/** User content: a string, or parts with at most LIMITS.maxImagesPerMessage images. */
export const UserContent = z
  .union(
    [
      z.string().max(LIMITS.maxTextLength),
      z
        .array(UserContentPart)
        .min(1)
        .superRefine((parts, ctx) => {
          checkTextLength(parts, ctx);
          const over = contentImages(parts)[LIMITS.maxImagesPerMessage];
          if (over) {
            ctx.addIssue({
              code: "custom",
              path: [over.part, "image_url", "url"],
              message: `at most ${LIMITS.maxImagesPerMessage} images per message`,
            });
          }
        }),
    ],
    { error: "content must be a string or a non-empty array of text and image_url parts" },
  )
  .openapi("UserContent", {
    description: `Text, or parts: text parts are joined by a newline; up to ${LIMITS.maxImagesPerMessage} \`image_url\` parts, each rendered as its own \`### Image:\` block, in message order, before the turn's instruction.`,
  });
export type UserContent = z.infer<typeof UserContent>;

/**
 * A message's text parts together are one turn's text, so they share LIMITS.maxTextLength (per
 * part alone, any number of parts made a request of unbounded text).
 */
export function checkTextLength(parts: ReadonlyArray<{ type: string; text?: string }>, ctx: z.RefinementCtx): void {
  let length = 0;
  for (const [part, p] of parts.entries()) {
    length += p.text?.length ?? 0;
    if (length > LIMITS.maxTextLength) {
      ctx.addIssue({
        code: "custom",
        path: [part, "text"],
        message: `the text parts of a message are at most ${LIMITS.maxTextLength} characters together`,
      });
      return;
    }
  }
}

/** System and assistant content: text only. */
export const TextContent = z.union(
  [z.string().max(LIMITS.maxTextLength), z.array(TextPart).min(1).superRefine(checkTextLength)],
  { error: "content must be a string or a non-empty array of text parts" },
);
export type TextContent = z.infer<typeof TextContent>;

/** Joins text parts the way the edge renders them into one turn: separated by a newline. */
export function contentText(content: string | ReadonlyArray<{ type: string; text?: string }>): string {
  if (typeof content === "string") return content;
  return content
    .filter((p) => p.type === "text")
    .map((p) => p.text ?? "")
    .join("\n");
}

/** The images of a user content, in message order: each URL and the index of its part. */
export function contentImages(content: UserContent): Array<{ url: string; part: number }> {
  if (typeof content === "string") return [];
  return content.flatMap((p, part) => (p.type === "image_url" ? [{ url: p.image_url.url, part }] : []));
}
