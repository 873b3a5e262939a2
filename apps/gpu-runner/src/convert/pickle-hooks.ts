// The contract between the pickle VM and its caller's allow-list: GLOBAL yields an inert
// GlobalRef only when the caller accepts the name, and every "call" opcode is a hook that
// builds plain data. Nothing in this contract can import or run code.

/** A global the allow-list accepted; inert until the caller gives it meaning. */
export class GlobalRef {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** What the unpickler asks its caller; each hook throws to refuse. */
export interface PickleHooks {
  /** Called at GLOBAL/STACK_GLOBAL: return a GlobalRef to accept, or throw. */
  global(module: string, name: string): GlobalRef;
  /** REDUCE: `fn(*args)` for an accepted global. */
  reduce(fn: GlobalRef, args: unknown[]): unknown;
  /** NEWOBJ: `cls.__new__(cls, *args)`. */
  newobj(cls: GlobalRef, args: unknown[]): unknown;
  /** BUILD: apply `state` to `obj` (returns the object to keep on the stack). */
  build(obj: unknown, state: unknown): unknown;
  /** BINPERSID: the object a persistent id stands for (torch: a storage). */
  persistentLoad(pid: unknown): unknown;
  /** SETITEM(S) on something that is not a Map (e.g. a dict subclass built by NEWOBJ). */
  setItems?(obj: unknown, pairs: [unknown, unknown][]): void;
}
