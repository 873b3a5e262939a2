// Shaping MultiModal-GPT's reply text: the template section headers that end a reply, and the
// whitespace trim the original demo applied (`.strip()`), also as a streaming filter.

/*
 * Why these stops. The demo (open-mmlab/Multimodal-GPT app.py) generated until EOS or
 * max_new_tokens and returned `decoded.split("### Response:")[-1].strip()`. A model that runs on
 * past its answer writes the next template section itself ("\n\n### Instruction:\n…" — an
 * invented user turn), and the demo then returned the reply to that invented turn. A chat API
 * should return the first answer, so generation stops at any section header of the template
 * (prompt/template.ts). Only the exact headers, preceded by the blank line the template puts
 * before them, are stops: a reply may contain ordinary markdown "### " headings.
 */
export const DEFAULT_STOPS: readonly string[] = [
  "\n\n### Instruction:",
  "\n\n### Response:",
  "\n\n### Image:",
  "\n\n### Input:",
];

/** The whole reply trimmed as the demo did (`str.strip()`: leading and trailing whitespace). */
export function trimReply(text: string): string {
  return text.trim();
}

/**
 * trimReply for a stream: drops leading whitespace and holds back trailing whitespace until
 * non-whitespace text follows it (so inner whitespace passes through unchanged). The pieces of
 * `push` plus `flush` concatenate to trimReply(whole text).
 */
export class ReplyTrimmer {
  private started = false;
  private pendingSpace = "";

  push(text: string): string {
    let t = text;
    if (!this.started) {
      t = t.trimStart();
      if (t === "") return "";
      this.started = true;
    }
    const body = t.trimEnd();
    if (body === "") {
      this.pendingSpace += t;
      return "";
    }
    const out = this.pendingSpace + body;
    this.pendingSpace = t.slice(body.length);
    return out;
  }

  /** End of the reply: the held whitespace was trailing, so it is dropped. */
  flush(): string {
    this.pendingSpace = "";
    return "";
  }
}
