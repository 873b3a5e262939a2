-- Idempotency-Key records in progress are leases: `holder` is the request that claimed the key
-- and renews `locked_until` (epoch ms) while it runs. A holder that died stops renewing, and a
-- retry may claim the key once the lease has lapsed (instead of waiting out the 24 h window).
-- `scope` is now namespaced (`account:<id>`, `admin:`), so no account id can name the admin scope;
-- records under the old scopes simply age out of the 24 h window.
ALTER TABLE idempotency_keys ADD COLUMN holder TEXT;
ALTER TABLE idempotency_keys ADD COLUMN locked_until INTEGER;
