-- Stored responses (POST /v1/responses with store: true): the Response object and its input,
-- for GET /v1/responses/{id}, its input_items, and previous_response_id chains. Written only
-- when a reply completes. Existing tables are unchanged.
CREATE TABLE responses (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  previous_response_id TEXT, -- may name a response deleted since: the chain then starts here
  root_id TEXT NOT NULL, -- the chain's first response: its runner affinity key (KV cache reuse)
  conversation_id TEXT,
  body TEXT NOT NULL, -- the Response object (JSON), without the `prompt` extension
  input_items TEXT NOT NULL, -- the input as stored messages (JSON): images by hash, never URLs
  created_at INTEGER NOT NULL
);
CREATE INDEX responses_account ON responses(account_id, id);
