// /v1/files: upload images (purpose "vision") and batch input JSONL (purpose "batch") as
// multipart/form-data, from a Blob/File, bytes, or a path in Node.
import type { RequestOptions, WithRequestId } from "../core/options";
import type { PageIterator } from "../core/pagination";
import { toNamedBlob, type Uploadable } from "../core/uploads";
import { sniffImageType } from "../helpers/mime";
import type { FileDeleted, FileList, FileListParams, FileObject, UploadPurpose } from "../types";
import { APIResource, seg } from "./resource";

export interface FileCreateParams {
  /** A Blob or File, bytes (a Node Buffer works), or, in Node, a filesystem path. */
  file: Uploadable | string;
  purpose: UploadPurpose;
  /** Defaults to the File's or path's name, else `upload`. */
  filename?: string;
}

export class Files extends APIResource {
  /** POST /v1/files (multipart). */
  async create(params: FileCreateParams, options?: RequestOptions): Promise<WithRequestId<FileObject>> {
    const mediaType = (bytes: Uint8Array) =>
      params.purpose === "batch" ? "application/jsonl" : (sniffImageType(bytes) ?? "application/octet-stream");
    const { blob, filename } = await toNamedBlob(params.file, params.filename, mediaType);
    const form = new FormData();
    form.append("purpose", params.purpose);
    form.append("file", blob, filename);
    return this.transport.json({ method: "POST", path: "/v1/files", body: form }, options);
  }

  /** GET /v1/files/{id} */
  retrieve(fileId: string, options?: RequestOptions): Promise<WithRequestId<FileObject>> {
    return this.transport.json({ method: "GET", path: `/v1/files/${seg(fileId)}` }, options);
  }

  /** GET /v1/files/{id}/content: the raw Response (use `.arrayBuffer()`, `.text()` or `.body`). */
  async content(fileId: string, options?: RequestOptions): Promise<Response> {
    const request = { method: "GET", path: `/v1/files/${seg(fileId)}/content`, accept: "*/*" } as const;
    return (await this.transport.send(request, options)).response;
  }

  /** DELETE /v1/files/{id} */
  delete(fileId: string, options?: RequestOptions): Promise<WithRequestId<FileDeleted>> {
    return this.transport.json({ method: "DELETE", path: `/v1/files/${seg(fileId)}` }, options);
  }

  /** GET /v1/files, newest first by default; iterate for every page. */
  list(query?: FileListParams, options?: RequestOptions): PageIterator<FileList> {
    return this.paginate("/v1/files", query, options);
  }
}
