-- pgbench script for scripts/load-create.sh: the contact's INSERT of scripts/load/create.sql
-- alone, as the table's owner, outside a transaction: no role, no workspace setting, no history.
-- What the database does for the bare write. :tenant is set by the caller.
\set n random(1, 1000000000000)
INSERT INTO leads (tenant_id, id, email, email_key, name, first_name, last_name, company, status,
                   score, attributes, created, updated)
VALUES (':tenant', gen_random_uuid(), 'bare-' || :n || '-' || :client_id || '@load.example',
        'bare-' || :n || '-' || :client_id || '@load.example', 'Ada Lovelace', 'Ada', 'Lovelace',
        'Acme', 'active', :n % 101, '{"plan":"pro","seats":3}', now(), now())
ON CONFLICT (tenant_id, email_key) DO NOTHING;
