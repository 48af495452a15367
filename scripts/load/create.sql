-- pgbench script for scripts/load-create.sh: what the server sends for one create on PostgreSQL
-- (service/lead_events.rs `insert_created`): the `create_lead` function of migration m0011,
-- one statement that switches role and workspace and writes the contact with its history, with
-- values of the same kinds (the history's change list is shorter). pgbench sends it unprepared,
-- where the server prepares it once per connection. :tenant is set by the caller.
\set n random(1, 1000000000000)
SELECT create_lead(':tenant', gen_random_uuid(), 'sql-' || :n || '-' || :client_id || '@load.example',
                   'sql-' || :n || '-' || :client_id || '@load.example', 'Ada Lovelace', 'Ada',
                   'Lovelace', 'Acme', 'active', (:n % 101)::int, '{"plan":"pro","seats":3}', now(),
                   gen_random_uuid(), NULL, 'load', 'api', '{"email":{"from":null,"to":"x"}}');
