-- Batch result files get OpenAI's purpose `batch_output` (they were `batch`, like the inputs).
-- Result files are named `<batch id>_output.jsonl` / `<batch id>_error.jsonl` by the edge.
UPDATE files SET purpose = 'batch_output'
WHERE purpose = 'batch' AND EXISTS (
  SELECT 1 FROM batches b
  WHERE b.account_id = files.account_id AND files.filename IN (b.id || '_output.jsonl', b.id || '_error.jsonl')
);
