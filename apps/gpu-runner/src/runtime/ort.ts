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

/** Uint16Array carries float16 (IEEE half bits): Node 20 has no Float16Array. */
export type TypedArray = Float32Array | BigInt64Array | Int32Array | Uint8Array | Uint16Array;

export interface TensorValue {
  data: TypedArray;
  dims: readonly number[];
}

export type Feeds = Record<string, TensorValue>;

export class Session {
  private readonly last = new Map<string, ort.Tensor>();

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
    for (const [name, v] of Object.entries(feeds)) f[name] = this.tensor(`in:${name}`, v);
    let fetches: Record<string, ort.Tensor | null> | undefined;
    if (outputs) {
      fetches = {};
      for (const [name, v] of Object.entries(outputs)) fetches[name] = v ? this.tensor(`out:${name}`, v) : null;
    }
    const res = fetches ? await this.inner.run(f, fetches) : await this.inner.run(f);
    const out: Record<string, TensorValue> = {};
    for (const [name, t] of Object.entries(res)) out[name] = { data: t.data as TypedArray, dims: t.dims };
    return out;
  }

  /**
   * ORT tensors wrap the typed array (no copy), so the last one made for an input or output
   * serves again while its array and dims are the same: KV views and bound outputs are the same
   * arrays step after step, and building ~25 tensors per decode step cost ~25 µs (a few % of a
   * tiny model's step). A plain map by name: a WeakMap over every step's fresh arrays cost more GC
   * than it saved.
   */
  private tensor(key: string, v: TensorValue): ort.Tensor {
    const last = this.last.get(key);
    if (last && last.data === v.data && sameDims(last.dims, v.dims)) return last;
    const t = toTensor(v);
    this.last.set(key, t);
    return t;
  }

  async release(): Promise<void> {
    this.last.clear();
    await this.inner.release();
  }
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function toTensor(v: TensorValue): ort.Tensor {
  const type =
    v.data instanceof Float32Array
      ? "float32"
      : v.data instanceof BigInt64Array
        ? "int64"
        : v.data instanceof Int32Array
          ? "int32"
          : v.data instanceof Uint16Array
            ? "float16"
            : "uint8";
  return new ort.Tensor(type, v.data, v.dims as number[]);
}
