-- Clients (issue 12 §3): the company a shop program is run for. Targets belong to a client;
-- the client of a shop is its target's. Row-level security for client logins will key on
-- targets.client_id (hence its index); this migration only adds the data.
CREATE TABLE clients (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL CHECK (name <> ''),
    contact     TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    created_by  BIGINT REFERENCES operators (id),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at  TIMESTAMPTZ,
    version     INTEGER NOT NULL DEFAULT 1
);
-- One live client per name, whatever its case; a deleted client's name may be used again.
CREATE UNIQUE INDEX clients_name_key ON clients (lower(name)) WHERE deleted_at IS NULL;

-- Existing targets have no client (NULL). Soft deletes only, so no ON DELETE action.
ALTER TABLE targets ADD COLUMN client_id BIGINT REFERENCES clients (id);
CREATE INDEX targets_client_idx ON targets (client_id);

ALTER TABLE audit_log DROP CONSTRAINT audit_log_entity_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_entity_type_check CHECK (entity_type IN (
    'operator', 'target', 'persona_template', 'persona', 'mailbox', 'shop', 'message',
    'fact', 'grade', 'job', 'website_snapshot', 'client'));
