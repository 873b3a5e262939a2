// The batch queue's message: which request of which batch to run. The request itself stays in
// the input file (R2); the BatchDO knows its byte range. The account's BatchDispatchDO decides
// when a line goes on the queue (dispatch-do.ts), and hears back through `account_id`.
export interface BatchMessage {
  batch_id: string;
  /** 1-based line of the input file. */
  line: number;
  /** The batch's account. Absent on messages queued before the dispatcher: nobody to tell. */
  account_id?: string;
}

export const BATCH_QUEUE_NAME = "mmgpt-batch-requests";
