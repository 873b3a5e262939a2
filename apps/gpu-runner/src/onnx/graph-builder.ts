// Builds an ONNX ModelProto op by op through one `node()` helper (as onnxruntime-genai's
// builder does). Node names read like paths, constants are stored once, and weights are
// either external data pointing into an existing file (safetensors) or bytes the builder
// appends to its own external-data file. Nothing here imports onnxruntime.
import { create, toBinary } from "@bufbuild/protobuf";
import {
  type AttributeProto,
  AttributeProtoSchema,
  AttributeProto_AttributeType as AttrType,
  TensorProto_DataType as DT,
  GraphProtoSchema,
  ModelProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  type TensorProto,
  TensorProto_DataLocation,
  TensorProtoSchema,
  TypeProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from "onnx-buf";

export { DT };

export type AttrValue = number | string | number[] | { float: number } | { floats: number[] } | { int: number };
export type Attrs = Record<string, AttrValue>;
/** A dim is a fixed size or a symbolic name such as "batch_size". */
export type Dim = number | string;

/** Where an external initializer's bytes live, relative to the model's directory. */
export interface ExternalRef {
  location: string;
  offset: number;
  length: number;
}

const IR_VERSION = 10n;
export const OPSET = 21;
export const MS_DOMAIN = "com.microsoft";

const BYTES: Partial<Record<DT, number>> = {
  [DT.FLOAT]: 4,
  [DT.FLOAT16]: 2,
  [DT.BFLOAT16]: 2,
  [DT.INT64]: 8,
  [DT.INT32]: 4,
  [DT.UINT8]: 1,
  [DT.BOOL]: 1,
};

/** Sink for bytes that become external data (the builder's own `.bin` file). */
export interface DataSink {
  /** Appends bytes, returns where they went. */
  append(bytes: Uint8Array): ExternalRef;
}

export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, string>();
  private readonly usesMs: boolean[] = [false];
  private counter = 0;

  constructor(
    readonly graphName: string,
    private readonly sink: DataSink,
    /** Tensors at or above this many bytes go to external data. */
    private readonly externalThreshold = 1024,
  ) {}

  input(name: string, type: DT, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: DT, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /**
   * Adds one node. `path` names it (`/model/layers.0/attn/q_proj/MatMul`); outputs are named
   * after the path unless given. Returns the output names.
   */
  node(
    op: string,
    inputs: string[],
    path: string,
    attrs: Attrs = {},
    opts: { domain?: string; outputs?: number | string[] } = {},
  ): string[] {
    const nodeName = this.unique(path.endsWith(`/${op}`) ? path : `${path}/${op}`);
    const outs =
      typeof opts.outputs === "object"
        ? opts.outputs
        : Array.from({ length: opts.outputs ?? 1 }, (_, i) => `${nodeName}/output_${i}`);
    if (opts.domain === MS_DOMAIN) this.usesMs[0] = true;
    this.nodes.push(
      create(NodeProtoSchema, {
        name: nodeName,
        opType: op,
        domain: opts.domain ?? "",
        input: inputs,
        output: outs,
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return outs;
  }

  /** Shorthand for single-output nodes. */
  op(op: string, inputs: string[], path: string, attrs: Attrs = {}, domain?: string): string {
    return this.node(op, inputs, path, attrs, { domain })[0];
  }

  /** A constant initializer, deduplicated by content so each value is stored once. */
  constant(type: DT, dims: number[], values: ArrayLike<number> | ArrayLike<bigint>): string {
    const key = `${type}|${dims.join(",")}|${Array.from(values as ArrayLike<number>).join(",")}`;
    const hit = this.constants.get(key);
    if (hit) return hit;
    const name = this.unique(`/const/${type}_${this.counter++}`);
    this.initializer(name, type, dims, encode(type, values));
    this.constants.set(key, name);
    return name;
  }

  i64(values: number[], dims: number[] = [values.length]): string {
    return this.constant(
      DT.INT64,
      dims,
      values.map((v) => BigInt(v)),
    );
  }

  f32(values: number[], dims: number[] = [values.length]): string {
    return this.constant(DT.FLOAT, dims, values);
  }

  /** An initializer holding the given bytes (external when large). */
  initializer(name: string, type: DT, dims: number[], bytes: Uint8Array): string {
    this.names.add(name);
    if (bytes.byteLength >= this.externalThreshold) {
      return this.externalInitializer(name, type, dims, this.sink.append(bytes));
    }
    this.initializers.push(
      create(TensorProtoSchema, {
        name,
        dataType: type,
        dims: dims.map(BigInt),
        rawData: bytes as Uint8Array<ArrayBuffer>,
      }),
    );
    return name;
  }

  /** An initializer whose bytes already live in a file (e.g. straight inside a safetensors file). */
  externalInitializer(name: string, type: DT, dims: number[], ref: ExternalRef): string {
    const expected = dims.reduce((a, b) => a * b, 1) * (BYTES[type] ?? Number.NaN);
    if (expected !== ref.length) {
      throw new Error(`initializer ${name}: ${ref.length} bytes for dims [${dims}] of type ${DT[type]}`);
    }
    this.names.add(name);
    this.initializers.push(
      create(TensorProtoSchema, {
        name,
        dataType: type,
        dims: dims.map(BigInt),
        dataLocation: TensorProto_DataLocation.EXTERNAL,
        externalData: [
          { key: "location", value: ref.location },
          { key: "offset", value: String(ref.offset) },
          { key: "length", value: String(ref.length) },
        ],
      }),
    );
    return name;
  }

  toBytes(): Uint8Array {
    const opsetImport = [{ domain: "", version: BigInt(OPSET) }];
    if (this.usesMs[0]) opsetImport.push({ domain: MS_DOMAIN, version: 1n });
    const model = create(ModelProtoSchema, {
      irVersion: IR_VERSION,
      producerName: "mmgpt",
      producerVersion: "0.1.0",
      opsetImport,
      graph: create(GraphProtoSchema, {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      }),
    });
    return toBinary(ModelProtoSchema, model);
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  private unique(name: string): string {
    let n = name;
    for (let i = 1; this.names.has(n); i++) n = `${name}_${i}`;
    this.names.add(n);
    return n;
  }
}

function valueInfo(name: string, type: DT, dims: Dim[]): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: "tensorType",
        value: {
          elemType: type,
          shape: {
            dim: dims.map((d) =>
              typeof d === "number"
                ? { value: { case: "dimValue" as const, value: BigInt(d) } }
                : { value: { case: "dimParam" as const, value: d } },
            ),
          },
        },
      },
    }),
  });
}

function attribute(name: string, v: AttrValue): AttributeProto {
  // Float attributes must be typed FLOAT even when whole numbers: callers wrap them.
  if (typeof v === "number") return create(AttributeProtoSchema, { name, type: AttrType.INT, i: BigInt(v) });
  if (typeof v === "string")
    return create(AttributeProtoSchema, { name, type: AttrType.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return create(AttributeProtoSchema, { name, type: AttrType.INTS, ints: v.map(BigInt) });
  if ("float" in v) return create(AttributeProtoSchema, { name, type: AttrType.FLOAT, f: v.float });
  if ("floats" in v) return create(AttributeProtoSchema, { name, type: AttrType.FLOATS, floats: v.floats });
  return create(AttributeProtoSchema, { name, type: AttrType.INT, i: BigInt(v.int) });
}

function encode(type: DT, values: ArrayLike<number> | ArrayLike<bigint>): Uint8Array {
  switch (type) {
    case DT.FLOAT:
      return bytesOf(Float32Array.from(values as ArrayLike<number>));
    case DT.INT64:
      return bytesOf(BigInt64Array.from(values as ArrayLike<bigint>));
    case DT.INT32:
      return bytesOf(Int32Array.from(values as ArrayLike<number>));
    default:
      throw new Error(`constant of type ${DT[type]} not supported`);
  }
}

export function bytesOf(a: ArrayBufferView): Uint8Array<ArrayBuffer> {
  // Weights never live in a SharedArrayBuffer; the proto types want a plain ArrayBuffer.
  return new Uint8Array(a.buffer as ArrayBuffer, a.byteOffset, a.byteLength);
}

/** Float attribute helper: ONNX requires FLOAT-typed attributes for float params. */
export const float = (f: number) => ({ float: f });
