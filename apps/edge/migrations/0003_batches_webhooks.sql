-- Batches: the per-account index (ownership, listing); each batch's state lives in its BatchDO.
CREATE TABLE batches (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX batches_account ON batches(account_id, id);

-- Webhook endpoints. `secret` is the signing secret encrypted at rest (src/webhooks/secret-box.ts).
CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  url TEXT NOT NULL,
  events TEXT NOT NULL, -- JSON array of event types
  description TEXT,
  secret TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  disabled_at INTEGER, -- set when a delivery answered 410 Gone
  disabled_reason TEXT
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints(account_id, id);

-- Events, with the exact body sent on every attempt (the signature covers these bytes).
CREATE TABLE webhook_events (
  id TEXT PRIMARY KEY, -- also the webhook-id header
  account_id TEXT NOT NULL,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- The outbox: one delivery per (event, endpoint); the queue only carries its id.
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  event_id TEXT NOT NULL REFERENCES webhook_events(id),
  endpoint_id TEXT NOT NULL,
  status TEXT NOT NULL, -- pending | delivered | failed
  attempts INTEGER NOT NULL DEFAULT 0,
  first_attempt_at INTEGER,
  last_attempt_at INTEGER,
  last_status_code INTEGER,
  last_error TEXT,
  next_attempt_at INTEGER,
  leased_until INTEGER, -- ms; an attempt is in flight until then (duplicate messages wait)
  delivered_at INTEGER,
  created_at INTEGER NOT NULL,
  UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, created_at);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries(status, next_attempt_at);
