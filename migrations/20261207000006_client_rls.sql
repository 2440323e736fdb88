-- A client's login sees its own client's portfolio and nothing else (issue 12): row-level
-- security on what it may read, keyed on targets.client_id. The login is tied to its client in
-- operators.client_id (a lead's `operator add NAME --role client --client C`).
ALTER TABLE operators ADD COLUMN client_id BIGINT REFERENCES clients (id);

-- The client of the connected login (NULL for everyone else). Runs with the owner's rights:
-- a client cannot read the operators table itself.
CREATE FUNCTION session_client() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT client_id FROM operators WHERE name = session_user
$$;
REVOKE ALL ON FUNCTION session_client() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION session_client() TO secret_shop_client;

GRANT SELECT ON clients TO secret_shop_client;

-- Staff (lead, operator, worker) see every row, as before; a client its own. The owner (and a
-- superuser) is not subject to these policies.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['clients', 'targets', 'shops', 'facts', 'grades',
                             'website_snapshots'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY staff_all ON %I FOR ALL '
                       'TO secret_shop_lead, secret_shop_operator, secret_shop_worker '
                       'USING (true) WITH CHECK (true)', t);
    END LOOP;
END $$;

CREATE POLICY client_own ON clients FOR SELECT TO secret_shop_client
    USING (id = session_client());
CREATE POLICY client_own ON targets FOR SELECT TO secret_shop_client
    USING (client_id = session_client());
-- The subqueries read targets and shops under the client's own policies.
CREATE POLICY client_own ON shops FOR SELECT TO secret_shop_client
    USING (target_id IN (SELECT id FROM targets));
CREATE POLICY client_own ON facts FOR SELECT TO secret_shop_client
    USING (shop_id IN (SELECT id FROM shops));
CREATE POLICY client_own ON grades FOR SELECT TO secret_shop_client
    USING (shop_id IN (SELECT id FROM shops));
CREATE POLICY client_own ON website_snapshots FOR SELECT TO secret_shop_client
    USING (target_id IN (SELECT id FROM targets));
