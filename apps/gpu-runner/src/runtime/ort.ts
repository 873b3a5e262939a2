// The only module that imports onnxruntime-node. Sessions are created from file paths so
// ORT reads external data from disk itself (a session built from a JS buffer would hold
// the weights twice). Tensors cross this boundary as typed arrays plus dims.
import * as ort from "onnxruntime-node";

export type ExecutionProvider = "cpu" | "cuda";

export interface SessionOptions {
  provider: ExecutionProvider;
  /** Intra-op threads (0 = ORT's default: one per core). */
  threads: number;
  /** Let ORT pack weights for faster GEMMs; costs a second copy of each packed weight. */
  prepack?: boolean;
}

export type TypedArray = Float32Array | BigInt64Array | Int32Array | Uint8Array;

export interface TensorValue {
  data: TypedArray;
  dims: readonly number[];
}

export type Feeds = Record<string, TensorValue>;

export class Session {
  private constructor(
    private readonly inner: ort.InferenceSession,
    readonly path: string,
  ) {}

  static async create(path: string, opts: SessionOptions): Promise<Session> {
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [opts.provider],
      graphOptimizationLevel: "all",
      intraOpNumThreads: opts.threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      extra: {
        session: {
          ...(opts.prepack === false ? { disable_prepacking: "1" } : {}),
          // ORT's pool threads spin after a run waiting for more work; in the runner the next
          // run follows only after JS has sampled, streamed and scheduled, so the spinning
          // thread just takes a core from that work (measured: ~0.4 ms per decode step on 2
          // cores). Threads still spin within a run, where it pays.
          force_spinning_stop: "1",
        },
      },
    };
    return new Session(await ort.InferenceSession.create(path, options), path);
  }

  get inputNames(): readonly string[] {
    return this.inner.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.inner.outputNames;
  }

  /**
   * Runs the graph. `outputs` may bind preallocated tensors: ORT then writes into their
   * memory instead of allocating (used to append to KV buffers in place).
   */
  async run(feeds: Feeds, outputs?: Record<string, TensorValue | null>): Promise<Record<string, TensorValue>> {
    const f: Record<string, ort.Tensor> = {};
    for (const [name, v] of Object.entries(feeds)) f[name] = toTensor(v);
    let fetches: Record<string, ort.Tensor | null> | undefined;
    if (outputs) {
      fetches = {};
      for (const [name, v] of Object.entries(outputs)) fetches[name] = v ? toTensor(v) : null;
    }
    const res = fetches ? await this.inner.run(f, fetches) : await this.inner.run(f);
    const out: Record<string, TensorValue> = {};
    for (const [name, t] of Object.entries(res)) out[name] = { data: t.data as TypedArray, dims: t.dims };
    return out;
  }

  async release(): Promise<void> {
    await this.inner.release();
  }
}

function toTensor(v: TensorValue): ort.Tensor {
  const type =
    v.data instanceof Float32Array
      ? "float32"
      : v.data instanceof BigInt64Array
        ? "int64"
        : v.data instanceof Int32Array
          ? "int32"
          : "uint8";
  return new ort.Tensor(type, v.data, v.dims as number[]);
}
