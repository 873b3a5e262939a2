// /v1/batches: many chat completions run asynchronously; results and errors download as
// JSONL and are parsed line by line.
import type { RequestOptions, WithRequestId } from "../core/options";
import type { PageIterator } from "../core/pagination";
import { Stream } from "../core/stream";
import type { Batch, BatchCreateParams, BatchList, BatchListParams, BatchOutputLine } from "../types";
import { APIResource, seg } from "./resource";

export class Batches extends APIResource {
  /** POST /v1/batches */
  create(body: BatchCreateParams, options?: RequestOptions): Promise<WithRequestId<Batch>> {
    return this.transport.json({ method: "POST", path: "/v1/batches", body }, options);
  }

  /** GET /v1/batches/{id} */
  retrieve(batchId: string, options?: RequestOptions): Promise<WithRequestId<Batch>> {
    return this.transport.json({ method: "GET", path: `/v1/batches/${seg(batchId)}` }, options);
  }

  /** GET /v1/batches, newest first by default; iterate for every page. */
  list(query?: BatchListParams, options?: RequestOptions): PageIterator<BatchList> {
    return this.paginate("/v1/batches", query, options);
  }

  /** POST /v1/batches/{id}/cancel */
  cancel(batchId: string, options?: RequestOptions): Promise<WithRequestId<Batch>> {
    return this.transport.json({ method: "POST", path: `/v1/batches/${seg(batchId)}/cancel` }, options);
  }

  /** GET /v1/batches/{id}/output: the successful requests' lines, streamed. */
  results(batchId: string, options?: RequestOptions): Promise<Stream<BatchOutputLine>> {
    return this.download(batchId, "output", options);
  }

  /** GET /v1/batches/{id}/errors: the failed requests' lines, streamed. */
  errors(batchId: string, options?: RequestOptions): Promise<Stream<BatchOutputLine>> {
    return this.download(batchId, "errors", options);
  }

  private async download(batchId: string, kind: "output" | "errors", options?: RequestOptions) {
    const request = {
      method: "GET",
      path: `/v1/batches/${seg(batchId)}/${kind}`,
      accept: "application/jsonl",
    } as const;
    const { response, controller, release } = await this.transport.send(request, options);
    return new Stream(Stream.jsonlItems<BatchOutputLine>(response), controller, response, release);
  }
}
