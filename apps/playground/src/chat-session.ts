// One server-side conversation driven through the SDK: created on the first turn, then each
// turn is `conversations.messages.create` (streamed unless beam search). Only committed turns
// count: a stopped or failed reply is not kept by the server, so it is not kept here either.
import type { ConversationMessage, MessageCreateParams, MMGPT } from "@mmgpt/sdk";
import { APIUserAbortError, ConflictError } from "@mmgpt/sdk";
import type { Sampling } from "./params";
import { streams } from "./params";
import { type PromptTurn, reconstructPrompt } from "./prompt";

const BUSY_WAIT_MS = 15_000;

export type TurnResult = { status: "completed"; message: ConversationMessage } | { status: "stopped"; text: string };

export class ChatSession {
  private conversationId: string | null = null;
  private system: string | null = null;
  private committed: PromptTurn[] = [];
  private controller: AbortController | null = null;
  /** When the last reply was stopped: the server needs a moment to cancel it and unlock. */
  private stoppedAt = 0;

  constructor(private readonly client: () => MMGPT) {}

  get busy(): boolean {
    return this.controller !== null;
  }

  get id(): string | null {
    return this.conversationId;
  }

  /** The prompt the model receives for a new user turn after the committed ones. */
  promptFor(text: string, hasImage: boolean): string {
    return reconstructPrompt([...this.committed, { user: text, hasImage }], this.system);
  }

  /** Sends one user turn; `onDelta` gets the streamed text. Throws the SDK's errors. */
  async send(
    content: MessageCreateParams["content"],
    turn: { text: string; hasImage: boolean },
    sampling: Sampling,
    onDelta: (text: string) => void,
  ): Promise<TurnResult> {
    if (this.controller) throw new Error("A reply is already being generated.");
    const controller = new AbortController();
    this.controller = controller;
    const signal = controller.signal;
    let text = "";
    try {
      const id = await this.ensureConversation(signal);
      let message: ConversationMessage | null;
      if (streams(sampling)) {
        const stream = await this.afterStop(signal, () =>
          this.client().conversations.messages.create(id, { content, ...sampling, stream: true }, { signal }),
        );
        for await (const event of stream) {
          if (event.object === "conversation.message.delta") {
            text += event.delta.content;
            onDelta(event.delta.content);
          }
        }
        message = stream.finalMessage;
      } else {
        message = await this.afterStop(signal, () =>
          this.client().conversations.messages.create(id, { content, ...sampling }, { signal }),
        );
        onDelta(messageText(message));
      }
      if (signal.aborted) return this.stopped(text);
      if (!message)
        throw new Error("The reply ended before the server committed it; it is not part of the conversation.");
      this.committed.push({ user: turn.text, hasImage: turn.hasImage, answer: messageText(message) });
      return { status: "completed", message };
    } catch (error) {
      if (error instanceof APIUserAbortError || signal.aborted) return this.stopped(text);
      throw error;
    } finally {
      this.controller = null;
    }
  }

  /** Stops the reply being generated (the server cancels it and keeps neither message). */
  stop(): void {
    this.controller?.abort();
  }

  /** Forgets the conversation; the server copy is deleted in the background. */
  reset(): void {
    this.stop();
    const id = this.conversationId;
    this.conversationId = null;
    this.system = null;
    this.committed = [];
    if (id) void this.deleteWhenIdle(id);
  }

  /** A stopped reply keeps the conversation busy for a moment, and a busy one cannot be deleted. */
  private async deleteWhenIdle(id: string): Promise<void> {
    const client = this.client();
    for (const deadline = Date.now() + BUSY_WAIT_MS; ; ) {
      try {
        await client.conversations.delete(id);
        return;
      } catch (error) {
        if (!(error instanceof ConflictError) || Date.now() > deadline) return; // best effort
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private stopped(text: string): TurnResult {
    this.stoppedAt = Date.now();
    return { status: "stopped", text };
  }

  /**
   * Calls `send`; right after a stop the server may still be cancelling that reply and answers
   * 409 conversation_busy for a moment, so the call is repeated for up to BUSY_WAIT_MS.
   */
  private async afterStop<T>(signal: AbortSignal, send: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await send();
      } catch (error) {
        const busy = error instanceof ConflictError && error.code === "conversation_busy";
        if (!busy || Date.now() - this.stoppedAt > BUSY_WAIT_MS || signal.aborted) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  private async ensureConversation(signal: AbortSignal): Promise<string> {
    if (this.conversationId) return this.conversationId;
    const conversation = await this.client().conversations.create({ metadata: { source: "playground" } }, { signal });
    this.conversationId = conversation.id;
    this.system = conversation.system ?? null;
    return conversation.id;
  }
}

export function messageText(message: ConversationMessage): string {
  return message.content.map((part) => (part.type === "text" ? part.text : "")).join("");
}
