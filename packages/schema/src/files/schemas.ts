// Files: images uploaded once and referenced by id (purpose "vision"), and batch input JSONL
// (purpose "batch"). Stored in R2 by the edge.
import { z } from "@hono/zod-openapi";
import { LIMITS, listOf, paginationQuery, Sha256Hex, SUPPORTED_IMAGE_MEDIA_TYPES, UnixTime } from "../common";

export const FILE_PURPOSES = ["vision", "batch"] as const;
export const FilePurpose = z.enum(FILE_PURPOSES).openapi("FilePurpose");
export type FilePurpose = z.infer<typeof FilePurpose>;

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
  })
  .openapi("File");
export type FileObject = z.infer<typeof FileObject>;

const imageTypes: readonly string[] = SUPPORTED_IMAGE_MEDIA_TYPES;

export const UploadFileRequest = z
  .object({
    file: z
      .file()
      .max(LIMITS.maxFileBytes, { message: `file larger than ${LIMITS.maxFileBytes} bytes` })
      .openapi({ type: "string", format: "binary", description: "The file's bytes, with a filename." }),
    purpose: FilePurpose,
  })
  .superRefine((req, ctx) => {
    if (req.purpose === "vision") {
      if (req.file.size > LIMITS.maxImageBytes) {
        ctx.addIssue({
          code: "custom",
          path: ["file"],
          message: `images are limited to ${LIMITS.maxImageBytes} bytes`,
        });
      }
      if (req.file.type && !imageTypes.includes(req.file.type)) {
        ctx.addIssue({
          code: "custom",
          path: ["file"],
          message: `vision files must be one of ${SUPPORTED_IMAGE_MEDIA_TYPES.join(", ")}`,
        });
      }
    }
  })
  .openapi("UploadFileRequest", {
    description: `\`vision\`: one image (${SUPPORTED_IMAGE_MEDIA_TYPES.join(", ")}; ≤ ${LIMITS.maxImageBytes / 1024 / 1024} MB), decoded on upload. \`batch\`: a JSONL file of batch requests (≤ ${LIMITS.maxFileBytes / 1024 / 1024} MB).`,
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
