// The allow-list that gives meaning to a torch state-dict pickle: OrderedDict, tensor
// rebuilds and storage types become plain descriptors (TensorRef, StorageRef); a few config
// record classes become inert data. Any other global is refused by name before use.
import { ConvertError } from "./errors.js";
import { GlobalRef, type PickleHooks } from "./pickle.js";

export type TorchDtype = "F32" | "F16" | "BF16" | "I64";

/** One `archive/data/<key>` entry, as named by a persistent id. */
export class StorageRef {
  constructor(
    readonly dtype: TorchDtype,
    readonly key: string,
    readonly location: string,
    readonly numel: number,
  ) {}
}

/** A tensor as a view of a storage: what `_rebuild_tensor_v2` would have built. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

/** An allow-listed config object (mmengine/mmcv Config, addict Dict), kept as inert data. */
export class PickledObject {
  readonly items = new Map<unknown, unknown>();
  state: unknown = undefined;
  constructor(
    readonly cls: string,
    readonly args: unknown[],
  ) {}
}

const STORAGE_TYPES: Record<string, TorchDtype> = {
  "torch.FloatStorage": "F32",
  "torch.HalfStorage": "F16",
  "torch.BFloat16Storage": "BF16",
  "torch.LongStorage": "I64",
};
const CALLABLES = [
  "collections.OrderedDict",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_tensor",
  "torch._utils._rebuild_parameter",
];
/** MultiModal-GPT saves its `tuning_config` as an mmengine Config; these only ever hold data. */
const CONFIG_RECORDS = [
  "mmengine.config.config.Config",
  "mmengine.config.config.ConfigDict",
  "mmcv.utils.config.Config",
  "mmcv.utils.config.ConfigDict",
  "addict.addict.Dict",
];
const ALLOWED = new Set([...Object.keys(STORAGE_TYPES), ...CALLABLES, ...CONFIG_RECORDS]);

function refusalHint(qualified: string): string {
  if (qualified.startsWith("__torch__.")) {
    return " (this is a TorchScript archive, e.g. OpenAI's ViT-L-14.pt: export its state dict with open_clip first)";
  }
  if (qualified === "torch.storage._load_from_bytes")
    return " (a tensor pickled inside a pickle: re-save the state dict)";
  return "";
}

export function torchHooks(source: string): PickleHooks {
  const storages = new Map<string, StorageRef>();
  const bad = (msg: string) => new ConvertError("bad_pickle", `${source}: ${msg}`);
  const nat = (v: unknown, what: string): number => {
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw bad(`${what} must be a natural number`);
    return v;
  };
  const ints = (v: unknown, what: string): number[] => {
    if (!Array.isArray(v)) throw bad(`${what} must be a tuple`);
    return v.map((d, i) => nat(d, `${what}[${i}]`));
  };
  const tensor = (args: unknown[]): TensorRef => {
    const [storage, offset, size, stride] = args;
    if (!(storage instanceof StorageRef)) throw bad("_rebuild_tensor_v2: first argument is not a storage");
    return new TensorRef(storage, nat(offset, "storage offset"), ints(size, "size"), ints(stride, "stride"));
  };
  return {
    global(module, name) {
      const q = `${module}.${name}`;
      if (!ALLOWED.has(q)) {
        throw new ConvertError(
          "unsafe_pickle",
          `${source}: refused pickle global ${q}: only state-dict globals are allowed (${CALLABLES.join(", ")}, torch storage types)${refusalHint(q)}`,
        );
      }
      return new GlobalRef(module, name);
    },
    reduce(fn, args) {
      switch (fn.qualified) {
        case "collections.OrderedDict": {
          const m = new Map<unknown, unknown>();
          const pairs = args.length === 0 ? [] : args[0];
          if (!Array.isArray(pairs)) throw bad("OrderedDict(...) expects a list of pairs");
          for (const p of pairs) if (Array.isArray(p) && p.length === 2) m.set(p[0], p[1]);
          return m;
        }
        case "torch._utils._rebuild_tensor_v2":
        case "torch._utils._rebuild_tensor":
          return tensor(args);
        case "torch._utils._rebuild_parameter":
          if (!(args[0] instanceof TensorRef)) throw bad("_rebuild_parameter: data is not a tensor");
          return args[0];
        default:
          throw new ConvertError("unsafe_pickle", `${source}: refused call of ${fn.qualified}`);
      }
    },
    newobj(cls, args) {
      if (!CONFIG_RECORDS.includes(cls.qualified)) {
        throw new ConvertError("unsafe_pickle", `${source}: refused to instantiate ${cls.qualified}`);
      }
      return new PickledObject(cls.qualified, args);
    },
    build(obj, state) {
      // OrderedDict state is the state dict's `_metadata` (module versions): not needed.
      if (obj instanceof Map) return obj;
      if (obj instanceof PickledObject) {
        obj.state = state;
        return obj;
      }
      throw bad("BUILD on an object that is not an allow-listed record");
    },
    setItems(obj, pairs) {
      if (!(obj instanceof PickledObject)) throw bad("SETITEMS on an object that is not a dict");
      for (const [k, v] of pairs) obj.items.set(k, v);
    },
    persistentLoad(pid) {
      if (!Array.isArray(pid) || pid[0] !== "storage" || pid.length !== 5) {
        throw bad(
          `unsupported persistent id ${JSON.stringify(pid)} (expected ('storage', type, key, location, numel))`,
        );
      }
      const [, type, key, location, numel] = pid;
      const dtype = type instanceof GlobalRef ? STORAGE_TYPES[type.qualified] : undefined;
      if (!dtype) {
        const name = type instanceof GlobalRef ? type.qualified : String(type);
        throw bad(`unsupported storage type ${name} (supported: ${Object.keys(STORAGE_TYPES).join(", ")})`);
      }
      if (typeof key !== "string" || typeof location !== "string")
        throw bad("storage key and location must be strings");
      const known = storages.get(key);
      if (known) return known;
      const s = new StorageRef(dtype, key, location, nat(numel, "storage numel"));
      storages.set(key, s);
      return s;
    },
  };
}
