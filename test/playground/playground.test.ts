// The playground page in Chromium against the real stack: key, image, a streamed reply that
// grows token by token, a second turn with a new image, stop, clear, and the API's errors.
// Screenshots of each state go to test-artifacts/playground/.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { MMGPT, NotFoundError } from "@mmgpt/sdk";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ARTIFACTS, type Browser, openBrowser } from "./browser";
import { readGrowth, steps, watchGrowth } from "./page";

const chromium = inject("chromium");
const images = join(import.meta.dirname, "../../apps/edge/test/vectors/images");
const photo = readFileSync(join(images, "jpeg-exif6.jpg"));
const second = readFileSync(join(images, "png-small.png"));
// Budgets of the last test: a page that paints late or grows past them is a regression. The
// paint budget is several times what an idle 2-core machine measures (a blocking script or a
// network wait would blow it); the bundle budget leaves a third over today's size.
const PAINT_BUDGET_MS = 1000;
const GZIP_BUDGET_BYTES = 16 * 1024;
// A PNG signature and nothing else: the SDK accepts it as image/png, the API refuses it.
const badPng = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

describe.skipIf(!chromium)("playground page (Chromium)", () => {
  const origin = inject("baseURL").replace(/\/v1\/?$/, "");
  const apiKey = inject("apiKey");
  let api: MMGPT;
  let browser: Browser;
  let page: Page;

  const replies = () => page.locator("#transcript .msg.assistant");
  const lastReply = () => replies().last();
  const setParam = (name: string, value: string) => page.locator(`#params input[name="${name}"]`).fill(value);
  const attach = (name: string, mimeType: string, buffer: Buffer) =>
    page.locator("#image-picker").setInputFiles({ name, mimeType, buffer });
  const sendWithEnter = async (text: string) => {
    await page.locator("#message").fill(text);
    await page.locator("#message").press("Enter");
  };
  const waitReplies = (n: number, state: "done" | "ended") =>
    page
      .locator(`#transcript .msg.assistant.${state}`)
      .nth(n - 1)
      .waitFor({ timeout: 60_000 });

  beforeAll(async () => {
    api = new MMGPT({ baseURL: origin, apiKey });
    browser = await openBrowser(chromium);
    page = browser.page;
    page.on("pageerror", (e) => process.stderr.write(`[page error] ${e.message}\n`));
    await page.goto(`${origin}/`);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("is served at / and /playground, and asks for an API key kept in localStorage", async () => {
    const other = await browser.context.newPage();
    const res = await other.goto(`${origin}/playground`);
    expect(res?.status()).toBe(200);
    expect(await other.title()).toBe("MultiModal-GPT playground");
    await other.close();

    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("api-key");
    await browser.screenshot("01-empty");
    await page.getByLabel("API key").fill(apiKey);
    await page.getByRole("button", { name: "Save key" }).click();
    expect(await page.evaluate(() => localStorage.getItem("mmgpt.playground.apiKey"))).toBe(apiKey);
    await expect.poll(() => page.getByRole("button", { name: "Forget key" }).isVisible()).toBe(true);
  });

  it("an image can be dropped on the chat or pasted, and removed", async () => {
    const base64 = second.toString("base64");
    const attachVia = (how: "drop" | "paste", name: string) =>
      page.evaluate(
        ({ how, name, base64 }) => {
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          const data = new DataTransfer();
          data.items.add(new File([bytes], name, { type: "image/png" }));
          const chat = document.querySelector(".chat")!;
          if (how === "drop") {
            chat.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
            chat.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
          } else {
            document.dispatchEvent(
              new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
            );
          }
        },
        { how, name, base64 },
      );
    for (const [how, name] of [
      ["drop", "dropped.png"],
      ["paste", "pasted.png"],
    ] as const) {
      await attachVia(how, name);
      await expect
        .poll(() => page.locator("#preview-name").textContent())
        .toMatch(new RegExp(`^${name} \\(\\d+ KB\\)$`));
      expect(await page.locator("#preview").isVisible()).toBe(true);
      await page.getByRole("button", { name: "Remove image" }).click();
      expect(await page.locator("#preview").isVisible()).toBe(false);
    }
  });

  it("sends an image and a question, and the reply streams in token by token", async () => {
    await setParam("max_tokens", "48");
    await attach("photo.jpg", "image/jpeg", photo);
    await expect.poll(() => page.locator("#preview").isVisible()).toBe(true);
    await watchGrowth(page);
    await sendWithEnter("What is in this image?");
    await waitReplies(1, "done");
    const growth = await readGrowth(page);
    const visible = steps(growth.frames);
    // Several deltas, seen across several frames with the text longer each time.
    expect(growth.mutations).toBeGreaterThanOrEqual(5);
    expect(visible.length).toBeGreaterThanOrEqual(3);
    expect(visible).toEqual([...visible].sort((a, b) => a - b));
    const text = await lastReply().locator(".reply").textContent();
    expect(text!.length).toBe(visible.at(-1));
    expect(await lastReply().getAttribute("aria-busy")).toBe("false");
    await expect.poll(() => page.locator("#transcript .msg.user img.thumb").count()).toBe(1);

    const prompt = await page.locator("#prompt").textContent();
    expect(prompt).toContain("### Image:\n<image>\n\n### Instruction:\nWhat is in this image?\n\n### Response:\n");
    expect(await page.locator("#conversation-id").textContent()).toMatch(/Conversation conv_/);
    await page.locator("#prompt-panel summary").click();
    await browser.screenshot("02-streamed-reply");
  });

  it("a second turn with another image continues the same server conversation", async () => {
    const first = (await lastReply().locator(".reply").textContent())!;
    const conversationId = (await page.locator("#conversation-id").textContent())!.replace("Conversation ", "");
    await attach("second.png", "image/png", second);
    await sendWithEnter("And in this one?");
    await waitReplies(2, "done");

    const prompt = (await page.locator("#prompt").textContent())!;
    expect(prompt.match(/<image>/g)).toHaveLength(2);
    expect(prompt).toContain(`### Response:\n${first}\n\n### Image:\n<image>\n\n### Instruction:\nAnd in this one?`);
    const messages = [];
    for await (const m of api.conversations.messages.list(conversationId)) messages.push(m);
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    await browser.screenshot("03-second-turn");
  });

  it("Escape stops a long reply mid-stream; the next message still goes through", async () => {
    await setParam("max_tokens", "1500");
    await watchGrowth(page);
    await sendWithEnter("Tell me a very long story.");
    await expect.poll(() => page.locator("#stop").isVisible()).toBe(true);
    await expect.poll(async () => (await lastReply().locator(".reply").textContent())!.length).toBeGreaterThan(20);
    await page.keyboard.press("Escape");
    await waitReplies(1, "ended");
    expect(await lastReply().locator(".meta").textContent()).toMatch(/Stopped/);
    const stoppedAt = (await lastReply().locator(".reply").textContent())!.length;
    // The generation really stopped: the server records the turn as cancelled and unlocks the
    // conversation (at once, or after the relay's 10 s stall limit when the disconnect does not
    // reach the worker), with nothing committed. Only then is "no more text" worth checking.
    const conversationId = (await page.locator("#conversation-id").textContent())!.replace("Conversation ", "");
    // `generating` and `last_error` are the edge's extension fields (not in the contract's type).
    const state = async () =>
      (await api.conversations.retrieve(conversationId)) as unknown as {
        generating: boolean;
        last_error: { code: string } | null;
        message_count: number;
      };
    await expect.poll(async () => (await state()).generating, { timeout: 30_000 }).toBe(false);
    const conversation = await state();
    expect(conversation.last_error?.code).toBe("cancelled");
    expect(conversation.message_count).toBe(4); // the two earlier turns only
    const { frames } = await readGrowth(page);
    expect((await lastReply().locator(".reply").textContent())!.length).toBe(stoppedAt);
    expect(Math.max(...frames)).toBe(stoppedAt);
    expect(await page.locator("#stop").isVisible()).toBe(false);
    await browser.screenshot("04-stopped");

    await setParam("max_tokens", "8");
    await sendWithEnter("Short answer please.");
    await waitReplies(3, "done");
    expect(await page.locator("#error").isVisible()).toBe(false);
  });

  it("beams > 1 says streaming is off and still answers", async () => {
    await setParam("num_beams", "2");
    await expect.poll(() => page.locator("#beams-note").isVisible()).toBe(true);
    await sendWithEnter("Beam search now.");
    await waitReplies(4, "done");
    await setParam("num_beams", "1");
    await expect.poll(() => page.locator("#beams-note").isVisible()).toBe(false);
  });

  it("Clear history empties the page and deletes the server conversation", async () => {
    const conversationId = (await page.locator("#conversation-id").textContent())!.replace("Conversation ", "");
    await page.getByRole("button", { name: "Clear history" }).click();
    expect(await page.locator("#transcript > *").count()).toBe(0);
    expect(await page.locator("#empty").isVisible()).toBe(true);
    expect(await page.locator("#prompt").textContent()).toBe("(nothing sent yet)");
    await expect
      .poll(() =>
        api.conversations.retrieve(conversationId).then(
          () => "exists",
          (e) => e instanceof NotFoundError,
        ),
      )
      .toBe(true);
    await browser.screenshot("05-cleared");
  });

  it("a bad image shows the API's own error message", async () => {
    const conv = await api.conversations.create();
    const expected = await api.conversations.messages
      .create(conv.id, {
        content: [
          { type: "text", text: "x" },
          { type: "image_url", image_url: { url: `data:image/png;base64,${badPng.toString("base64")}` } },
        ],
      })
      .then(
        () => null,
        (e: { error?: { message?: string } }) => e.error?.message ?? null,
      );
    expect(expected).toBeTruthy();
    await attach("broken.png", "image/png", badPng);
    await sendWithEnter("What is this?");
    await page.locator("#error").waitFor({ state: "visible" });
    const shown = (await page.locator("#error").textContent())!;
    expect(shown).toContain(expected!);
    expect(shown).toMatch(/\(request req_\w+\)/);
    expect(await lastReply().locator(".meta").textContent()).toMatch(/Failed/);
    await browser.screenshot("06-bad-image");
  });

  it("429 and 503 from the API show their message and the wait", async () => {
    const envelope = (type: string, code: string, message: string) =>
      JSON.stringify({ error: { type, code, message, param: null, request_id: "req_fake" } });
    // Faked at the network layer with the API's envelope: a real 429 needs an exhausted
    // bucket and a real 503 a stopped runner, which would disturb the shared stack.
    await page.route("**/v1/conversations/*/messages", (route) =>
      route.fulfill({
        status: 429,
        headers: { "content-type": "application/json", "retry-after": "12" },
        body: envelope("requests", "rate_limit_exceeded", "Rate limit exceeded; retry in 12 s."),
      }),
    );
    await sendWithEnter("Hello?");
    await expect
      .poll(() => page.locator("#error").textContent())
      .toBe("Rate limit reached: Rate limit exceeded; retry in 12 s. (request req_fake)");
    await browser.screenshot("07-rate-limited");
    await page.unroute("**/v1/conversations/*/messages");
    await page.route("**/v1/conversations/*/messages", (route) =>
      route.fulfill({
        status: 503,
        headers: { "content-type": "application/json", "retry-after": "5" },
        body: envelope("server_error", "runner_unavailable", "No model runner is available."),
      }),
    );
    await sendWithEnter("Hello again?");
    await expect
      .poll(() => page.locator("#error").textContent())
      .toBe("The model is unavailable right now: No model runner is available. Try again in 5 s. (request req_fake)");
    await page.unroute("**/v1/conversations/*/messages");
  });

  it("works on a phone-sized screen, and Forget key removes the key", async () => {
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${origin}/`);
    await phone.locator("#params input[name=max_tokens]").fill("24");
    await phone.locator("#image-picker").setInputFiles({ name: "photo.jpg", mimeType: "image/jpeg", buffer: photo });
    await phone.locator("#message").fill("Describe the picture.");
    await phone.locator("#message").press("Enter");
    await phone.locator("#transcript .msg.assistant.done").waitFor({ timeout: 60_000 });
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await browser.screenshot("08-phone", phone, true);
    await phone.getByRole("button", { name: "Forget key" }).click();
    expect(await phone.evaluate(() => localStorage.getItem("mmgpt.playground.apiKey"))).toBeNull();
    expect(await phone.getByLabel("API key").inputValue()).toBe("");
    await phone.close();
  });

  it("paints within its budget (cold cache, median of 5 loads) and stays within its size budget", async () => {
    const fresh = await browser.context.newPage();
    await fresh.bringToFront();
    const cdp = await browser.context.newCDPSession(fresh);
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    const runs: { fp: number; fcp: number }[] = [];
    for (let i = 0; i < 5; i++) {
      await fresh.goto(`${origin}/?run=${i}`, { waitUntil: "load" });
      // Paint entries can land after the load event.
      await fresh.waitForFunction(() => performance.getEntriesByType("paint").length >= 2, null, { timeout: 10_000 });
      runs.push(
        await fresh.evaluate(() => {
          const at = (name: string) => performance.getEntriesByName(name, "paint")[0]!.startTime;
          return { fp: at("first-paint"), fcp: at("first-contentful-paint") };
        }),
      );
    }
    await fresh.close();
    const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
    const dist = join(import.meta.dirname, "../../apps/playground/dist");
    const files = ["index.html", "app.js", "app.css"].map((f) => readFileSync(join(dist, f)));
    const metrics = {
      first_paint_ms: median(runs.map((r) => r.fp)),
      first_contentful_paint_ms: median(runs.map((r) => r.fcp)),
      runs: runs.map((r) => Math.round(r.fcp)),
      bytes: files.reduce((n, b) => n + b.length, 0),
      gzip: files.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0),
    };
    const goals = {
      first_contentful_paint_ms: {
        goal: `≤ ${PAINT_BUDGET_MS}`,
        met: metrics.first_contentful_paint_ms <= PAINT_BUDGET_MS,
      },
      gzip: { goal: `≤ ${GZIP_BUDGET_BYTES}`, met: metrics.gzip <= GZIP_BUDGET_BYTES },
    };
    writeFileSync(join(ARTIFACTS, "metrics.json"), `${JSON.stringify({ ...metrics, goals }, null, 2)}\n`);
    expect(metrics.first_contentful_paint_ms).toBeGreaterThan(0);
    expect(metrics.first_contentful_paint_ms).toBeLessThanOrEqual(PAINT_BUDGET_MS);
    expect(metrics.gzip).toBeLessThanOrEqual(GZIP_BUDGET_BYTES);
  });
});
