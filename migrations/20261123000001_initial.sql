-- The whole secret-shop schema (DESIGN.md §1-§4). Later issues add behaviour, not tables.
-- Ids are BIGINT identities so operators can type them (`target show 12`).
-- Every enum-like column has a CHECK; the Rust enums in src/domain/ use the same spellings.

CREATE TABLE operators (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE CHECK (name <> ''),
    display_name  TEXT,
    role          TEXT NOT NULL DEFAULT 'operator' CHECK (role IN ('admin', 'operator', 'read_only')),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at  TIMESTAMPTZ
);

CREATE TABLE targets (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name              TEXT NOT NULL CHECK (name <> ''),
    street            TEXT NOT NULL DEFAULT '',
    city              TEXT NOT NULL DEFAULT '',
    state             TEXT NOT NULL DEFAULT '',
    zip               TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',
    email             TEXT NOT NULL DEFAULT '',
    website           TEXT NOT NULL DEFAULT '',
    owners            TEXT NOT NULL DEFAULT '',
    property_manager  TEXT NOT NULL DEFAULT '',
    time_zone         TEXT,                 -- IANA name; NULL = the configured default
    notes             TEXT NOT NULL DEFAULT '',
    tags              TEXT[] NOT NULL DEFAULT '{}',
    email_status      TEXT NOT NULL DEFAULT 'unknown' CHECK (email_status IN ('unknown', 'ok', 'bouncing')),
    created_by        BIGINT REFERENCES operators (id),
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at        TIMESTAMPTZ,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX targets_live_name_idx ON targets (lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX targets_created_idx ON targets (created_at);
CREATE INDEX targets_manager_idx ON targets (property_manager) WHERE deleted_at IS NULL;

-- Ranges and choices a persona is drawn from.
CREATE TABLE persona_templates (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                   TEXT NOT NULL UNIQUE CHECK (name <> ''),
    description            TEXT NOT NULL DEFAULT '',
    budget_min             INTEGER NOT NULL CHECK (budget_min > 0),
    budget_max             INTEGER NOT NULL,
    bedrooms_min           INTEGER NOT NULL CHECK (bedrooms_min >= 0),
    bedrooms_max           INTEGER NOT NULL,
    bathrooms_min          DOUBLE PRECISION NOT NULL CHECK (bathrooms_min >= 0),
    bathrooms_max          DOUBLE PRECISION NOT NULL,
    credit_score_min       INTEGER NOT NULL CHECK (credit_score_min BETWEEN 300 AND 850),
    credit_score_max       INTEGER NOT NULL CHECK (credit_score_max BETWEEN 300 AND 850),
    income_multiple_min    DOUBLE PRECISION NOT NULL CHECK (income_multiple_min > 0), -- monthly income / rent
    income_multiple_max    DOUBLE PRECISION NOT NULL,
    move_in_days_min       INTEGER NOT NULL DEFAULT 14 CHECK (move_in_days_min >= 0),
    move_in_days_max       INTEGER NOT NULL DEFAULT 60,
    preferences            TEXT[] NOT NULL DEFAULT '{}',
    pets                   TEXT[] NOT NULL DEFAULT '{}',
    occupants              TEXT[] NOT NULL DEFAULT '{}',
    rental_histories       TEXT[] NOT NULL DEFAULT '{}',
    writing_styles         TEXT[] NOT NULL DEFAULT '{}',
    created_by             BIGINT REFERENCES operators (id),
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at             TIMESTAMPTZ,
    CHECK (budget_max >= budget_min),
    CHECK (bedrooms_max >= bedrooms_min),
    CHECK (bathrooms_max >= bathrooms_min),
    CHECK (credit_score_max >= credit_score_min),
    CHECK (income_multiple_max >= income_multiple_min),
    CHECK (move_in_days_max >= move_in_days_min)
);

-- A mailbox the app reads and sends through. Host columns NULL = use the configured servers;
-- passwords never live here, only the name of the environment variable that holds one.
CREATE TABLE mailboxes (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    address        TEXT NOT NULL UNIQUE CHECK (address <> ''),
    kind           TEXT NOT NULL CHECK (kind IN ('catch_all', 'plus', 'dedicated')),
    imap_host      TEXT,
    imap_port      INTEGER CHECK (imap_port BETWEEN 1 AND 65535),
    imap_tls       TEXT CHECK (imap_tls IN ('none', 'starttls', 'tls')),
    imap_user      TEXT,
    smtp_host      TEXT,
    smtp_port      INTEGER CHECK (smtp_port BETWEEN 1 AND 65535),
    smtp_tls       TEXT CHECK (smtp_tls IN ('none', 'starttls', 'tls')),
    smtp_user      TEXT,
    password_env   TEXT,
    enabled        BOOLEAN NOT NULL DEFAULT true,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Sync state per mailbox and folder: committed together with the messages it covers.
CREATE TABLE mailbox_folders (
    mailbox_id      BIGINT NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    folder          TEXT NOT NULL,
    uidvalidity     BIGINT,
    highest_uid     BIGINT NOT NULL DEFAULT 0,
    last_synced_at  TIMESTAMPTZ,
    last_error      TEXT,
    PRIMARY KEY (mailbox_id, folder)
);

CREATE TABLE personas (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    template_id           BIGINT REFERENCES persona_templates (id),
    first_name            TEXT NOT NULL CHECK (first_name <> ''),
    last_name             TEXT NOT NULL CHECK (last_name <> ''),
    email                 TEXT NOT NULL UNIQUE CHECK (email LIKE '%_@_%'),
    mailbox_id            BIGINT REFERENCES mailboxes (id),
    phone                 TEXT NOT NULL DEFAULT '',
    rental_budget         INTEGER NOT NULL CHECK (rental_budget > 0),
    bedrooms              INTEGER NOT NULL CHECK (bedrooms >= 0),
    bathrooms             DOUBLE PRECISION NOT NULL CHECK (bathrooms >= 0),
    preferences           TEXT NOT NULL DEFAULT '',
    pets                  TEXT NOT NULL DEFAULT '',
    credit_score          INTEGER NOT NULL CHECK (credit_score BETWEEN 300 AND 850),
    monthly_income        INTEGER NOT NULL CHECK (monthly_income >= 0),
    additional_occupants  TEXT NOT NULL DEFAULT '',
    rental_history        TEXT NOT NULL DEFAULT '',
    writing_style         TEXT NOT NULL DEFAULT '',
    move_in_date          DATE,
    first_used_at         TIMESTAMPTZ,      -- set by the first shop; the address is frozen from then on
    created_by            BIGINT REFERENCES operators (id),
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at            TIMESTAMPTZ,
    version               INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX personas_live_idx ON personas (last_name, first_name) WHERE deleted_at IS NULL;
CREATE INDEX personas_template_idx ON personas (template_id);

CREATE TABLE shops (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id         BIGINT NOT NULL REFERENCES targets (id),
    persona_id        BIGINT NOT NULL REFERENCES personas (id),
    status            TEXT NOT NULL DEFAULT 'new' CHECK (status IN (
                          'new', 'awaiting_review', 'awaiting_send', 'awaiting_reply', 'replied',
                          'completed', 'blocked', 'cancelled', 'timed_out', 'failed')),
    status_reason     TEXT,
    required_fields   TEXT[] NOT NULL DEFAULT '{}',  -- the checklist, as community field paths
    sequence          JSONB NOT NULL DEFAULT '{}',   -- follow-up settings frozen at start
    follow_ups_sent   INTEGER NOT NULL DEFAULT 0,
    next_action_at    TIMESTAMPTZ,
    started_by        BIGINT REFERENCES operators (id),
    started_at        TIMESTAMPTZ,
    ended_at          TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX shops_status_idx ON shops (status, updated_at);
CREATE INDEX shops_target_idx ON shops (target_id);
CREATE INDEX shops_persona_idx ON shops (persona_id);
CREATE INDEX shops_created_idx ON shops (created_at);
CREATE INDEX shops_next_action_idx ON shops (next_action_at) WHERE next_action_at IS NOT NULL;

-- Every mail, both ways. Outbound rows are drafts until sent; inbound rows keep the raw bytes.
CREATE TABLE messages (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop_id            BIGINT REFERENCES shops (id),
    mailbox_id         BIGINT REFERENCES mailboxes (id),
    direction          TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound')),
    kind               TEXT NOT NULL CHECK (kind IN ('inquiry', 'follow_up', 'nudge', 'response', 'unmatched')),
    status             TEXT CHECK (status IN (
                           'pending_review', 'approved', 'queued', 'sending', 'sent', 'failed', 'rejected')),
    message_id         TEXT UNIQUE,            -- RFC 5322 Message-ID without angle brackets
    in_reply_to        TEXT,
    reference_ids      TEXT[] NOT NULL DEFAULT '{}',
    from_addr          TEXT NOT NULL DEFAULT '',
    from_name          TEXT NOT NULL DEFAULT '',
    to_addrs           TEXT[] NOT NULL DEFAULT '{}',
    cc_addrs           TEXT[] NOT NULL DEFAULT '{}',
    delivered_to       TEXT[] NOT NULL DEFAULT '{}',   -- Delivered-To / X-Original-To of inbound copies
    subject            TEXT NOT NULL DEFAULT '',
    body_text          TEXT NOT NULL DEFAULT '',
    body_html          TEXT,
    raw                BYTEA,
    parse_error        TEXT,                   -- set when the raw message could not be parsed
    is_auto_reply      BOOLEAN NOT NULL DEFAULT false,
    is_bounce          BOOLEAN NOT NULL DEFAULT false,
    responder_kind     TEXT CHECK (responder_kind IN ('auto', 'ai', 'human')),
    date_header        TIMESTAMPTZ,            -- the Date the sender claims
    received_at        TIMESTAMPTZ,            -- when we stored it
    sent_at            TIMESTAMPTZ,
    read_at            TIMESTAMPTZ,
    imap_folder        TEXT,
    imap_uidvalidity   BIGINT,
    imap_uid           BIGINT,
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at    TIMESTAMPTZ,
    send_lease_until   TIMESTAMPTZ,            -- a sender holds a `sending` row until then
    wait_reason        TEXT,                   -- why an approved message is not sent yet
    last_error         TEXT,
    claimed_by         BIGINT REFERENCES operators (id),
    claimed_until      TIMESTAMPTZ,
    approved_by        BIGINT REFERENCES operators (id),
    approved_at        TIMESTAMPTZ,
    rejected_by        BIGINT REFERENCES operators (id),
    rejected_reason    TEXT,
    edited_by          BIGINT REFERENCES operators (id),
    generation         JSONB,                  -- model, prompt template version, temperature, instructions
    analysis           JSONB,                  -- inbound: responder, extraction and signals as read
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    version            INTEGER NOT NULL DEFAULT 1,
    UNIQUE (mailbox_id, imap_folder, imap_uidvalidity, imap_uid),
    CHECK ((direction = 'outbound') = (status IS NOT NULL)),
    CHECK (direction = 'inbound' OR kind IN ('inquiry', 'follow_up', 'nudge')),
    CHECK (direction = 'outbound' OR kind IN ('response', 'unmatched')),
    CHECK (kind = 'unmatched' OR direction = 'inbound' OR shop_id IS NOT NULL)
);
CREATE INDEX messages_shop_idx ON messages (shop_id, created_at);
CREATE INDEX messages_outbox_idx ON messages (status, next_attempt_at) WHERE direction = 'outbound';
CREATE INDEX messages_received_idx ON messages (received_at) WHERE direction = 'inbound';
CREATE INDEX messages_unmatched_idx ON messages (created_at) WHERE kind = 'unmatched';
CREATE INDEX messages_in_reply_to_idx ON messages (in_reply_to);

-- Facts the agent (or the website) gave, each with its evidence. Old values are superseded, not deleted.
CREATE TABLE facts (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop_id            BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    field_path         TEXT NOT NULL CHECK (field_path <> ''),   -- e.g. application_fee, floor_plans[2br].min_rental_price
    value              JSONB NOT NULL,
    source_message_id  BIGINT REFERENCES messages (id),
    evidence           TEXT NOT NULL DEFAULT '',
    confidence         REAL CHECK (confidence BETWEEN 0 AND 1),
    extracted_by       TEXT NOT NULL DEFAULT 'offline',
    superseded_by      BIGINT REFERENCES facts (id),
    conflict           BOOLEAN NOT NULL DEFAULT false,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX facts_shop_idx ON facts (shop_id, field_path);
CREATE INDEX facts_current_idx ON facts (shop_id) WHERE superseded_by IS NULL;

CREATE TABLE website_snapshots (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id    BIGINT NOT NULL REFERENCES targets (id),
    status       TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'failed')),
    root_url     TEXT NOT NULL,
    pages        JSONB NOT NULL DEFAULT '[]',   -- [{url, title, status, text}]
    community    JSONB,                         -- the community schema filled from the pages
    error        TEXT,
    extracted_by TEXT,
    started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at  TIMESTAMPTZ
);
CREATE INDEX website_snapshots_target_idx ON website_snapshots (target_id, started_at DESC);

CREATE TABLE grades (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop_id             BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    rubric_version      TEXT NOT NULL,
    total               DOUBLE PRECISION NOT NULL CHECK (total >= 0),
    max_total           DOUBLE PRECISION NOT NULL DEFAULT 100,
    criteria            JSONB NOT NULL DEFAULT '[]',  -- [{key, score, max, reason, evidence}]
    metrics             JSONB NOT NULL DEFAULT '{}',  -- measured: first response time, replies, ...
    fair_housing_flag   BOOLEAN NOT NULL DEFAULT false,
    model               TEXT NOT NULL DEFAULT 'offline',
    graded_by           BIGINT REFERENCES operators (id),
    is_current          BOOLEAN NOT NULL DEFAULT true,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX grades_one_current_idx ON grades (shop_id) WHERE is_current;
CREATE INDEX grades_created_idx ON grades (created_at);

-- Background work, claimed with FOR UPDATE SKIP LOCKED.
CREATE TABLE jobs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN (
                      'extract_facts', 'plan_follow_up', 'draft_follow_up', 'grade_shop',
                      'gather_website', 'classify_message')),
    payload       JSONB NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'dead')),
    run_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
    locked_by     TEXT,
    locked_until  TIMESTAMPTZ,
    last_error    TEXT,
    dedupe_key    TEXT UNIQUE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE status = 'queued';
CREATE INDEX jobs_dead_idx ON jobs (updated_at) WHERE status = 'dead';

CREATE TABLE audit_log (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    operator     TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (action <> ''),
    entity_type  TEXT NOT NULL CHECK (entity_type IN (
                     'operator', 'target', 'persona_template', 'persona', 'mailbox', 'shop', 'message',
                     'fact', 'grade', 'job', 'website_snapshot')),
    entity_id    BIGINT,
    detail       JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, at);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- Raw messages compress better and faster with lz4 where the server has it (Debian's does).
DO $$
BEGIN
    ALTER TABLE messages ALTER COLUMN raw SET COMPRESSION lz4;
    ALTER TABLE messages ALTER COLUMN body_text SET COMPRESSION lz4;
    ALTER TABLE messages ALTER COLUMN body_html SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'lz4 compression unavailable; raw messages use the default';
END $$;

-- A persona's address never changes once a shop has used it (the agent knows it by then).
CREATE FUNCTION personas_freeze_email() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.first_used_at IS NOT NULL AND NEW.email IS DISTINCT FROM OLD.email THEN
        RAISE EXCEPTION 'persona % has been used in a shop; its address % cannot change',
            OLD.id, OLD.email USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER personas_freeze_email BEFORE UPDATE OF email ON personas
    FOR EACH ROW EXECUTE FUNCTION personas_freeze_email();
