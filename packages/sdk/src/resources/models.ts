// /v1/models: the models the API serves.
import type { RequestOptions, WithRequestId } from "../core/options";
import type { ModelList } from "../types";
import { APIResource } from "./resource";

export class Models extends APIResource {
  /** GET /v1/models (one page: the list is short). */
  list(options?: RequestOptions): Promise<WithRequestId<ModelList>> {
    return this.transport.json({ method: "GET", path: "/v1/models" }, options);
  }
}
