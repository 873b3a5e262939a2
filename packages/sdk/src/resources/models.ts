// /v1/models: the models the API serves.
import type { RequestOptions, WithRequestId } from "../core/options";
import type { Model, ModelList } from "../types";
import { APIResource } from "./resource";

export class Models extends APIResource {
  /** GET /v1/models (one page: the list is short). */
  list(options?: RequestOptions): Promise<WithRequestId<ModelList>> {
    return this.transport.json({ method: "GET", path: "/v1/models" }, options);
  }

  /** GET /v1/models/{model}: NotFoundError (`model_not_found`) when it is not served. */
  retrieve(model: string, options?: RequestOptions): Promise<WithRequestId<Model>> {
    return this.transport.json({ method: "GET", path: `/v1/models/${encodeURIComponent(model)}` }, options);
  }
}
