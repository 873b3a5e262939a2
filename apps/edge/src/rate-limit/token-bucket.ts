// A token bucket as a pure function: `burst` tokens at most, refilled at `perSecond`. One
// request takes one token from a key's request bucket; a generation takes its cost in model
// tokens from its account's token bucket (generation-cost.ts). Times are milliseconds; answers are whole seconds for headers.
export interface BucketState {
  tokens: number;
  updatedMs: number;
}

export interface BucketConfig {
  perSecond: number;
  burst: number;
}

export interface TakeResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** The same in milliseconds, for OpenAI's reset durations (`1.5s`, `120ms`). */
  resetMs: number;
  /** Seconds until one token is available (0 when allowed). */
  retryAfterSeconds: number;
}

/** Takes `cost` tokens (one request: 1); a cost above the bucket's size needs a full bucket. */
export function take(
  state: BucketState | null,
  config: BucketConfig,
  nowMs: number,
  cost = 1,
): [BucketState, TakeResult] {
  const need = Math.min(cost, config.burst);
  const elapsed = state ? Math.max(0, nowMs - state.updatedMs) / 1000 : 0;
  const refilled = state ? Math.min(config.burst, state.tokens + elapsed * config.perSecond) : config.burst;
  const allowed = refilled >= need;
  const tokens = allowed ? refilled - need : refilled;
  const result: TakeResult = {
    allowed,
    limit: config.burst,
    remaining: Math.floor(tokens),
    resetSeconds: Math.ceil((config.burst - tokens) / config.perSecond),
    resetMs: Math.ceil(((config.burst - tokens) / config.perSecond) * 1000),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((need - tokens) / config.perSecond)),
  };
  return [{ tokens, updatedMs: nowMs }, result];
}
