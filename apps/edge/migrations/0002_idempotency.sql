-- Idempotency-Key records: the first response to a POST, replayed for 24 h to retries with the
-- same key and body. `status` is NULL while the first request is still running.
CREATE TABLE idempotency_keys (
  scope TEXT NOT NULL, -- account id, or "admin" for /v1/admin
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL, -- SHA-256 of method, path and body
  status INTEGER,
  content_type TEXT,
  body TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (scope, key)
);
