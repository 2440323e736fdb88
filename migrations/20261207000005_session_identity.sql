-- Who is acting is the database's answer (issue 12): a login that is not the schema owner acts as
-- itself. Its operators row is made on first use by a function that runs with the owner's
-- rights (operators is a lead's table otherwise), and every audit entry it writes is signed with
-- its login whatever name the client put in.

-- The background name (scheduler, sync) exists before any worker login needs it.
INSERT INTO operators (name) VALUES ('system') ON CONFLICT (name) DO NOTHING;

CREATE FUNCTION register_session_operator() RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO operators (name) VALUES (session_user)
    ON CONFLICT (name) DO UPDATE SET last_seen_at = now()
    RETURNING id
$$;
REVOKE ALL ON FUNCTION register_session_operator() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION register_session_operator()
    TO secret_shop_lead, secret_shop_operator, secret_shop_worker;

-- The schema owner (and a superuser) may name the operator: single-login set-ups, the demo and
-- the tests act through it, and it owns this trigger anyway. Everyone else signs as themselves.
CREATE FUNCTION audit_signed_by_session() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user AND rolsuper)
       AND session_user <> (SELECT pg_get_userbyid(datdba) FROM pg_database
                            WHERE datname = current_database()) THEN
        NEW.operator := session_user;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER audit_log_signed
    BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_signed_by_session();
