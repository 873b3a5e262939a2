// Files: images uploaded once and referenced by id (purpose "vision"), batch input JSONL
// (purpose "batch") and batch results (purpose "batch_output", written by the edge). Stored in
// R2 by the edge.
import { z } from "@hono/zod-openapi";
import { LIMITS, listOf, paginationQuery, Sha256Hex, SUPPORTED_IMAGE_MEDIA_TYPES, UnixTime } from "../common";

export const FILE_PURPOSES = ["vision", "batch", "batch_output"] as const;
export const FilePurpose = z.enum(FILE_PURPOSES).openapi("FilePurpose");
export type FilePurpose = z.infer<typeof FilePurpose>;
/** What a client may upload; `batch_output` files are written by batches only. */
export const UploadPurpose = z.enum(["vision", "batch"]).openapi("UploadPurpose");
export type UploadPurpose = z.infer<typeof UploadPurpose>;

export const FileObject = z
  .object({
    id: z.string().openapi({ example: "file-8a41c2f07d" }),
    object: z.literal("file"),
    bytes: z.number().int().nonnegative(),
    sha256: Sha256Hex.openapi({ description: "SHA-256 of the uploaded bytes." }),
    width: z
      .number()
      .int()
      .positive()
      .nullable()
      .openapi({ description: "Image width in pixels; null for batch files." }),
    height: z
      .number()
      .int()
      .positive()
      .nullable()
      .openapi({ description: "Image height in pixels; null for batch files." }),
    purpose: FilePurpose,
    filename: z.string(),
    created_at: UnixTime,
    status: z.literal("processed").openapi({
      description:
        "OpenAI's file status. Always `processed`: an upload is validated (an image decoded) before it is answered.",
    }),
    expires_at: UnixTime.nullable().openapi({ description: "Files do not expire: always null." }),
  })
  .openapi("File");
export type FileObject = z.infer<typeof FileObject>;

export const UploadFileRequest = z
  .object({
    file: z
      .file()
      .max(LIMITS.maxFileBytes, { message: `file larger than ${LIMITS.maxFileBytes} bytes` })
      .openapi({ type: "string", format: "binary", description: "The file's bytes, with a filename." }),
    purpose: UploadPurpose,
  })
  .superRefine((req, ctx) => {
    // The part's declared type is not checked: clients send `application/octet-stream` for a
    // stream or a buffer, and the edge takes the format from the bytes when it decodes them.
    if (req.purpose === "vision" && req.file.size > LIMITS.maxImageBytes) {
      ctx.addIssue({ code: "custom", path: ["file"], message: `images are limited to ${LIMITS.maxImageBytes} bytes` });
    }
  })
  .openapi("UploadFileRequest", {
    description: `\`vision\`: one image (${SUPPORTED_IMAGE_MEDIA_TYPES.join(", ")}, recognized by its bytes whatever the part's Content-Type; ≤ ${LIMITS.maxImageBytes / 1024 / 1024} MB), decoded on upload. \`batch\`: a JSONL file of batch requests (≤ ${LIMITS.maxFileBytes / 1024 / 1024} MB).`,
  });
export type UploadFileRequest = z.infer<typeof UploadFileRequest>;

export const FileDeleted = z
  .object({ id: z.string(), object: z.literal("file"), deleted: z.literal(true) })
  .openapi("FileDeleted");
export type FileDeleted = z.infer<typeof FileDeleted>;

export const FileList = listOf(FileObject, "FileList");
export type FileList = z.infer<typeof FileList>;

export const ListFilesQuery = paginationQuery("desc").extend({
  purpose: FilePurpose.optional().openapi({ description: "Only files of this purpose." }),
});
