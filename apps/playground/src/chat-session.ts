// One server-side conversation driven through the SDK: created on the first turn, then each
// turn is `conversations.messages.create` (streamed unless beam search). Only committed turns
// count: a stopped or failed reply is not kept by the server, so it is not kept here either.
import type { ConversationMessage, MessageCreateParams, MMGPT } from "@mmgpt/sdk";
import { APIUserAbortError } from "@mmgpt/sdk";
import type { Sampling } from "./params";
import { streams } from "./params";
import { type PromptTurn, reconstructPrompt } from "./prompt";

export type TurnResult = { status: "completed"; message: ConversationMessage } | { status: "stopped"; text: string };

export class ChatSession {
  private conversationId: string | null = null;
  private system: string | null = null;
  private committed: PromptTurn[] = [];
  private controller: AbortController | null = null;

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
        const stream = await this.client().conversations.messages.create(
          id,
          { content, ...sampling, stream: true },
          { signal },
        );
        for await (const event of stream) {
          if (event.object === "conversation.message.delta") {
            text += event.delta.content;
            onDelta(event.delta.content);
          }
        }
        message = stream.finalMessage;
      } else {
        message = await this.client().conversations.messages.create(id, { content, ...sampling }, { signal });
        onDelta(messageText(message));
      }
      if (signal.aborted) return { status: "stopped", text };
      if (!message)
        throw new Error("The reply ended before the server committed it; it is not part of the conversation.");
      this.committed.push({ user: turn.text, hasImage: turn.hasImage, answer: messageText(message) });
      return { status: "completed", message };
    } catch (error) {
      if (error instanceof APIUserAbortError || signal.aborted) return { status: "stopped", text };
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
    if (id)
      this.client()
        .conversations.delete(id)
        .catch(() => {});
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
