-- Roles, enforced by Postgres (issue 12, first part). Four group roles carry the privileges;
-- each person logs in as their own role, a member of one of them:
--   secret_shop_lead      everything an operator does, plus managing operators (a lead's login
--                         also has CREATEROLE);
--   secret_shop_operator  targets, personas, shops, the review queue, overrides, reports;
--   secret_shop_worker    what the engine needs (sync, send approved mail, jobs, drafting into
--                         the queue): it may not approve, and deletes nothing;
--   secret_shop_client    reads its portfolio: targets, shops, facts, grades (scoped to its own
--                         client when clients exist), nothing of personas, mail or the queue.
-- Roles are global to the server; several databases (tests) may create them at once, so each is
-- created only if missing and a concurrent creation is not an error.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['secret_shop_lead', 'secret_shop_operator', 'secret_shop_worker',
                             'secret_shop_client'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END LOOP;
    BEGIN
        GRANT secret_shop_operator TO secret_shop_lead;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
    END;
END $$;

GRANT USAGE ON SCHEMA public
    TO secret_shop_lead, secret_shop_operator, secret_shop_worker, secret_shop_client;
-- Every login reads the schema's version at start (see `Store::ensure_schema`).
GRANT SELECT ON _sqlx_migrations
    TO secret_shop_lead, secret_shop_operator, secret_shop_worker, secret_shop_client;

-- Operators: the product's tables, and the tables later migrations add (same owner).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO secret_shop_operator;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO secret_shop_operator;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO secret_shop_operator;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO secret_shop_operator;

-- The worker: reads everything, writes what the engine writes, deletes nothing.
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO secret_shop_worker;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO secret_shop_worker;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE ON TABLES TO secret_shop_worker;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO secret_shop_worker;
-- Leases are let go of by deleting them.
GRANT DELETE ON leases TO secret_shop_worker;
-- What operators own the worker only reads: clients, targets (but for a bounce marking the
-- address), personas and their templates.
REVOKE UPDATE ON targets, personas, persona_templates, clients FROM secret_shop_worker;
GRANT UPDATE (email_status, updated_at) ON targets TO secret_shop_worker;

-- Who is an operator, and in what role, is a lead's business: the others only read it (and
-- note when they were last seen).
REVOKE INSERT, UPDATE, DELETE ON operators FROM secret_shop_operator, secret_shop_worker;
GRANT INSERT, UPDATE, DELETE ON operators TO secret_shop_lead;
GRANT UPDATE (last_seen_at) ON operators TO secret_shop_operator, secret_shop_worker;
-- The record is append-only for everyone but the owner.
REVOKE UPDATE, DELETE ON audit_log FROM secret_shop_operator, secret_shop_worker;

-- Clients read their portfolio only.
GRANT SELECT ON targets, shops, facts, grades, website_snapshots TO secret_shop_client;

-- Only an operator approves: whoever else tries (the worker, a client with a stray grant) is
-- refused by the database itself, whatever the application does.
CREATE FUNCTION refuse_approval_by_non_operators() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'approved'
       AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'approved')
       AND NOT pg_has_role(session_user, 'secret_shop_operator', 'MEMBER')
       -- The schema owner may anyway (it owns this trigger); single-login set-ups act as it.
       AND session_user <> (SELECT pg_get_userbyid(datdba) FROM pg_database
                            WHERE datname = current_database()) THEN
        RAISE EXCEPTION '% may not approve drafts: only an operator approves', session_user
            USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER messages_approval_by_operators
    BEFORE INSERT OR UPDATE OF status ON messages
    FOR EACH ROW EXECUTE FUNCTION refuse_approval_by_non_operators();
