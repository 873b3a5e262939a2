// One generated turn of a conversation, shared by `POST …/messages` and `POST /v1/responses`
// with `conversation`: take the DO's generation lock (409 conversation_busy otherwise), read the
// items, and either commit the turn's messages (the only write) or release the lock recording
// the failure as `last_error`. The lock is a lease, renewed (lease.ts) from `begin` until the
// turn commits or fails, so a worker that dies mid-turn leaves a lock that lapses.
import type { Context } from "hono";
import { edgeConfig } from "../config";
import type { AppEnv } from "../env";
import { ApiError } from "../errors/api-error";
import { newId, unixSeconds } from "../http/ids";
import { conversationStub } from "./access";
import type { ConversationMeta, MessageRow, NewMessage } from "./conversation-sql";
import { updateCounters } from "./index-store";
import { keepLease } from "./lease";

export class ConversationTurn {
  private constructor(
    private readonly c: Context<AppEnv>,
    readonly conversationId: string,
    private readonly generationId: string,
    readonly meta: ConversationMeta,
    readonly history: MessageRow[],
    private readonly stopLease: () => void,
  ) {}

  static async begin(c: Context<AppEnv>, conversationId: string, param: string): Promise<ConversationTurn> {
    const generationId = newId("gen_");
    const leaseMs = edgeConfig(c.env).generationLeaseMs;
    const stub = conversationStub(c, conversationId);
    const begun = await stub.begin(generationId, leaseMs);
    if (!begun.ok && begun.reason === "busy") {
      throw new ApiError("conversation_busy", "This conversation is generating a reply; wait for it to finish.");
    }
    if (!begun.ok) throw new ApiError("not_found", "No such conversation.", { param });
    const stopLease = keepLease(stub, generationId, leaseMs);
    return new ConversationTurn(c, conversationId, generationId, begun.meta, begun.history, stopLease);
  }

  private get stub() {
    return conversationStub(this.c, this.conversationId);
  }

  /** Appends the messages and releases the lock; the index's counters follow. */
  async commit(messages: NewMessage[]): Promise<void> {
    this.stopLease();
    const counters = await this.stub.commit(this.generationId, messages);
    if (!counters) throw new ApiError("internal_error", "The conversation changed during generation.");
    await updateCounters(this.c.env.DB, this.conversationId, counters);
  }

  /**
   * Releases the lock. With an error, records it as `last_error` (a client that left records
   * `cancelled`); without one (the request's own fault, e.g. a bad image) records nothing.
   * Never throws, and does nothing once the lock is gone (committed or released).
   */
  async fail(error: ApiError | null, cancelled = false): Promise<void> {
    this.stopLease();
    const record = error && {
      code: cancelled ? "cancelled" : error.code,
      message: cancelled ? "The client disconnected before the reply completed." : error.message,
      request_id: this.c.get("requestId"),
      at: unixSeconds(),
    };
    await this.stub.fail(this.generationId, record).catch(() => {});
  }
}
