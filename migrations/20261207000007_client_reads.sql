-- What a client's login reads to see its portfolio in the TUI and in `report` (issue 12): the
-- mail of its own shops as it was sent and received (never a draft, a rejected or a recalled
-- message: the review queue is the team's), the personas of its shops without their private
-- details, who started a shop or decided on it, and the record of its own shops. Row-level
-- security scopes each to the client's targets (see the client_rls migration).

-- The client's operators row is made by the lead who adds it; reading it back registers nothing
-- new (the function runs with the owner's rights).
GRANT EXECUTE ON FUNCTION register_session_operator() TO secret_shop_client;

GRANT SELECT ON messages, audit_log, overrides, flag_decisions TO secret_shop_client;
-- A persona as the leasing office met it; not its credit, income, phone, history or style.
GRANT SELECT (id, first_name, last_name, email, rental_budget, bedrooms, bathrooms, pets,
              move_in_date, preferences) ON personas TO secret_shop_client;
GRANT SELECT (id, name) ON operators TO secret_shop_client;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['messages', 'audit_log', 'overrides', 'flag_decisions',
                             'personas'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY staff_all ON %I FOR ALL '
                       'TO secret_shop_lead, secret_shop_operator, secret_shop_worker '
                       'USING (true) WITH CHECK (true)', t);
    END LOOP;
END $$;

-- The subqueries read shops and targets under the client's own policies.
CREATE POLICY client_own ON messages FOR SELECT TO secret_shop_client
    USING (shop_id IN (SELECT id FROM shops)
           AND (direction = 'inbound' OR status = 'sent'));
CREATE POLICY client_own ON personas FOR SELECT TO secret_shop_client
    USING (id IN (SELECT persona_id FROM shops));
CREATE POLICY client_own ON overrides FOR SELECT TO secret_shop_client
    USING (shop_id IN (SELECT id FROM shops));
CREATE POLICY client_own ON flag_decisions FOR SELECT TO secret_shop_client
    USING (shop_id IN (SELECT id FROM shops));
CREATE POLICY client_own ON audit_log FOR SELECT TO secret_shop_client
    USING ((entity_type = 'client' AND entity_id IN (SELECT id FROM clients))
           OR (entity_type = 'target' AND entity_id IN (SELECT id FROM targets))
           OR (entity_type = 'shop' AND entity_id IN (SELECT id FROM shops))
           OR (entity_type = 'message' AND entity_id IN (SELECT id FROM messages))
           OR (entity_type = 'fact' AND entity_id IN (SELECT id FROM facts))
           OR (entity_type = 'grade' AND entity_id IN (SELECT id FROM grades)));
