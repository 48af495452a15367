-- pgbench script for scripts/load-create.sh: one create as a plain tenant transaction (the way
-- every other tenant write runs: app/src/server/db.rs `tenant_txn`), four round trips: BEGIN,
-- the SETs, the contact with its history in one INSERT, COMMIT. What scripts/load/create.sql
-- does in one. pgbench sends the statements unprepared. :tenant is set by the caller.
\set n random(1, 1000000000000)
BEGIN;
SET LOCAL ROLE leads_app \; SET LOCAL app.tenant_id = ':tenant';
WITH inserted AS (
  INSERT INTO leads (tenant_id, id, email, email_key, name, first_name, last_name, company,
                     status, score, attributes, created, updated)
  VALUES (':tenant', gen_random_uuid(), 'sql-' || :n || '-' || :client_id || '@load.example',
          'sql-' || :n || '-' || :client_id || '@load.example', 'Ada Lovelace', 'Ada', 'Lovelace',
          'Acme', 'active', :n % 101, '{"plan":"pro","seats":3}', now(), now())
  ON CONFLICT (tenant_id, email_key) DO NOTHING
  RETURNING id)
INSERT INTO lead_events (tenant_id, id, lead_id, at, kind, actor_user_id, actor_token, via, changes)
SELECT ':tenant', gen_random_uuid(), id, now(), 'created', NULL, 'load', 'api',
       '{"email":{"from":null,"to":"x"}}' FROM inserted;
COMMIT;
