// Rebuilds the prompt the model received for a reply (the original demo's "actual inputs")
// from the conversation's committed turns, with MultiModal-GPT's template as MODEL.md states it
// and the runner renders it (apps/gpu-runner/src/prompt/template.ts). The API returns the exact
// prompt with each reply; this reconstruction stands in only until the reply arrives.

export const TEMPLATE =
  "Below is an instruction that describes a task. Write a response that appropriately completes the request.";
export const IMAGE_PLACEHOLDER = "<image>";

export interface PromptTurn {
  user: string;
  hasImage: boolean;
  /** The committed reply; absent for the turn being answered. */
  answer?: string;
}

/** The prompt text: earlier turns with their answers, then the new instruction. */
export function reconstructPrompt(turns: readonly PromptTurn[], system?: string | null): string {
  return turns
    .map((turn, i) => {
      const preamble = i === 0 ? (system ?? TEMPLATE) : "";
      const image = turn.hasImage ? `\n\n### Image:\n${IMAGE_PLACEHOLDER}` : "";
      return `${preamble}${image}\n\n### Instruction:\n${turn.user}\n\n### Response:\n${turn.answer ?? ""}`;
    })
    .join("");
}
