// The batch queue's message: which request of which batch to run. The request itself stays in
// the input file (R2); the BatchDO knows its byte range.
export interface BatchMessage {
  batch_id: string;
  /** 1-based line of the input file. */
  line: number;
}

export const BATCH_QUEUE_NAME = "mmgpt-batch-requests";
