// Routes of /v1/files.
import { createRoute } from "@hono/zod-openapi";
import {
  BASE_ERRORS,
  COMMON_RESPONSE_HEADERS,
  errorResponses,
  FileId,
  IdempotencyHeaders,
  jsonResponse,
  pathParam,
} from "../common";
import { FileDeleted, FileList, FileObject, ListFilesQuery, UploadFileRequest } from "./schemas";

const tags = ["Files"];
export const FileParams = pathParam("file_id", FileId);

const imageFileExample: FileObject = {
  id: "file-8a41c2f07d",
  object: "file",
  bytes: 183_204,
  sha256: "5d41402abc4b2a76b9719d911017c592ae2e5ab4e4b0e1a0c5d0b6ad1b7f3e21",
  width: 1600,
  height: 1200,
  purpose: "vision",
  filename: "cat.jpg",
  created_at: 1795772400,
  status: "processed",
  expires_at: null,
};

export const uploadFileRoute = createRoute({
  method: "post",
  path: "/v1/files",
  operationId: "uploadFile",
  tags,
  summary: "Upload a file",
  description: "Upload an image to reference as `file-…` in messages, or a JSONL file of batch requests.",
  request: {
    headers: IdempotencyHeaders,
    body: {
      required: true,
      content: {
        "multipart/form-data": {
          schema: UploadFileRequest,
          example: { file: "(binary: cat.jpg)", purpose: "vision" },
        },
      },
    },
  },
  responses: {
    200: jsonResponse(FileObject, "The stored file.", imageFileExample),
    ...errorResponses(...BASE_ERRORS, 415),
  },
});

export const listFilesRoute = createRoute({
  method: "get",
  path: "/v1/files",
  operationId: "listFiles",
  tags,
  summary: "List files",
  request: { query: ListFilesQuery },
  responses: {
    200: jsonResponse(FileList, "A page of files, newest first by default.", {
      object: "list",
      data: [imageFileExample],
      has_more: false,
      first_id: imageFileExample.id,
      last_id: imageFileExample.id,
    }),
    ...errorResponses(...BASE_ERRORS),
  },
});

export const getFileRoute = createRoute({
  method: "get",
  path: "/v1/files/{file_id}",
  operationId: "getFile",
  tags,
  summary: "Get a file's metadata",
  request: { params: FileParams },
  responses: {
    200: jsonResponse(FileObject, "The file.", imageFileExample),
    ...errorResponses(...BASE_ERRORS, 404),
  },
});

export const getFileContentRoute = createRoute({
  method: "get",
  path: "/v1/files/{file_id}/content",
  operationId: "getFileContent",
  tags,
  summary: "Download a file's content",
  description: "The bytes as uploaded, with the file's original media type (`application/jsonl` for batch files).",
  request: { params: FileParams },
  responses: {
    200: {
      description: "The file's bytes.",
      headers: COMMON_RESPONSE_HEADERS,
      content: {
        "application/octet-stream": { schema: { type: "string", format: "binary" }, example: "(binary)" },
      },
    },
    ...errorResponses(...BASE_ERRORS, 404),
  },
});

export const deleteFileRoute = createRoute({
  method: "delete",
  path: "/v1/files/{file_id}",
  operationId: "deleteFile",
  tags,
  summary: "Delete a file",
  description: "Messages that already used the image keep it; new references to the id fail with `not_found`.",
  request: { params: FileParams },
  responses: {
    200: jsonResponse(FileDeleted, "Deleted.", { id: imageFileExample.id, object: "file", deleted: true }),
    ...errorResponses(...BASE_ERRORS, 404),
  },
});
