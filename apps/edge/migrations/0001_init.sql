-- Accounts, API keys (SHA-256 hashes only), uploaded files and the per-account conversation
-- index. Ids are time-ordered (src/http/ids.ts), so `ORDER BY id` is creation order.
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE, -- lowercase hex SHA-256 of the whole key
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX api_keys_account ON api_keys(account_id, id);

CREATE TABLE files (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  purpose TEXT NOT NULL,
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  width INTEGER,
  height INTEGER,
  preprocessed_sha256 TEXT, -- vision files: hash of the 224x224 RGB tensor in R2
  created_at INTEGER NOT NULL
);
CREATE INDEX files_account ON files(account_id, id);

-- Mirrors of immutable conversation fields plus counters, so listing never wakes a Durable Object.
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  model TEXT NOT NULL,
  system TEXT,
  metadata TEXT NOT NULL,
  message_count INTEGER NOT NULL DEFAULT 0,
  last_message_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX conversations_account ON conversations(account_id, id);
