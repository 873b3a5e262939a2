// Page-side probes for the browser tests: how the next reply's text grows (one length per
// animation frame, and the count of text mutations), read back after the reply is done.
import type { Page } from "playwright-core";

export interface Growth {
  /** characterData mutations inside the transcript since `watchGrowth`. */
  mutations: number;
  /** The watched reply's text length, sampled once per animation frame (0 before it shows text). */
  frames: number[];
}

declare global {
  interface Window {
    __growth?: Growth & { observer: MutationObserver; running: boolean };
  }
}

export async function watchGrowth(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.__growth?.observer.disconnect();
    if (window.__growth) window.__growth.running = false;
    const observer = new MutationObserver((records) => {
      for (const r of records) if (r.type === "characterData" && window.__growth) window.__growth.mutations++;
    });
    observer.observe(document.getElementById("transcript")!, { subtree: true, characterData: true });
    const growth = { mutations: 0, frames: [] as number[], observer, running: true };
    window.__growth = growth;
    // The reply to watch is the next one added, not one already on the page.
    const index = document.querySelectorAll("#transcript .reply").length;
    const sample = () => {
      if (!growth.running) return;
      const reply = document.querySelectorAll("#transcript .reply")[index];
      growth.frames.push(reply && !reply.querySelector(".pending") ? (reply.textContent ?? "").length : 0);
      requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  });
}

export async function readGrowth(page: Page): Promise<Growth> {
  return page.evaluate(() => {
    const g = window.__growth!;
    g.running = false;
    g.observer.disconnect();
    return { mutations: g.mutations, frames: g.frames };
  });
}

/** Distinct non-zero lengths, in order: how many visible steps the reply grew in. */
export function steps(frames: number[]): number[] {
  return frames.filter((n, i) => n > 0 && n !== frames[i - 1]);
}
