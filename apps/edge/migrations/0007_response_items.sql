-- The message items of stored responses (each input item and each output message), by id, so
-- that a Responses `item_reference` finds the response holding it. Written with the response
-- (one batch), deleted just before it. Existing tables are unchanged; responses stored before this migration have
-- no rows here (their items cannot be referenced).
CREATE TABLE response_items (
  id TEXT PRIMARY KEY, -- msg_…
  account_id TEXT NOT NULL,
  response_id TEXT NOT NULL REFERENCES responses(id)
);
CREATE INDEX response_items_response ON response_items(response_id);
