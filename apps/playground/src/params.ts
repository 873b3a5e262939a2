// The parameters panel: reads the form into the request's sampling fields. Beam search
// (beams > 1) produces the reply at the end, so such a turn is sent without streaming.

export interface Sampling {
  max_tokens: number;
  temperature: number;
  top_k: number;
  top_p: number;
  num_beams: number;
  seed?: number;
}

/** Field name → [default, min, max]; the same bounds the API validates. */
export const FIELDS = {
  max_tokens: [512, 1, 2048],
  temperature: [1, 0, 2],
  top_k: [20, 0, 1000],
  top_p: [1, 0.01, 1],
  num_beams: [1, 1, 8],
} as const;

/** The sampling fields from raw input values; out-of-range or blank values fall back or clamp. */
export function readSampling(values: Record<string, string>): Sampling {
  const out: Record<string, number> = {};
  for (const [name, [fallback, min, max]] of Object.entries(FIELDS)) {
    const n = Number.parseFloat(values[name] ?? "");
    out[name] = Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
  }
  const sampling = out as unknown as Sampling;
  sampling.max_tokens = Math.round(sampling.max_tokens);
  sampling.top_k = Math.round(sampling.top_k);
  sampling.num_beams = Math.round(sampling.num_beams);
  const seed = Number.parseInt(values.seed ?? "", 10);
  if (Number.isSafeInteger(seed) && seed >= 0) sampling.seed = seed;
  return sampling;
}

export const streams = (s: Sampling): boolean => s.num_beams <= 1;

/** Binds the panel: `read()` gives the current values; the beams note follows the beams field. */
export function bindParams(form: HTMLFormElement, beamsNote: HTMLElement): { read(): Sampling } {
  const read = () => {
    const values: Record<string, string> = {};
    for (const [name, value] of new FormData(form)) values[name] = String(value);
    return readSampling(values);
  };
  const update = () => {
    beamsNote.hidden = streams(read());
  };
  form.addEventListener("input", update);
  form.addEventListener("reset", () => setTimeout(update));
  form.addEventListener("submit", (e) => e.preventDefault());
  update();
  return { read };
}
