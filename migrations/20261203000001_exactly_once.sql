-- Nothing lost, nothing sent twice (issue 10).

-- A stored inbound message is a mailbox copy, identified by (mailbox, folder, uidvalidity, uid).
-- The Message-ID threads replies and recognises our own sent copies; one agent mail to two
-- personas is two copies with one Message-ID, and both are kept. It stays unique among our own
-- outbound messages, which we name ourselves.
ALTER TABLE messages DROP CONSTRAINT messages_message_id_key;
CREATE UNIQUE INDEX messages_outbound_message_id_key ON messages (message_id)
    WHERE direction = 'outbound';
CREATE INDEX messages_message_id_idx ON messages (message_id);
-- After a UIDVALIDITY change the server renumbers a folder: a copy is recognised by its bytes
-- and re-keyed, not stored again.
ALTER TABLE messages ADD COLUMN raw_sha256 BYTEA GENERATED ALWAYS AS (sha256(raw)) STORED;
CREATE INDEX messages_copy_hash_idx ON messages (mailbox_id, imap_folder, raw_sha256)
    WHERE direction = 'inbound';

-- The outbox. `attempts` now counts SMTP attempts only (a claim is not a try).
-- send_owner: the claim's token; only its holder may start SMTP, and it renews send_lease_until.
-- smtp_started_at: an SMTP attempt began and its outcome is not known yet. A message in that
--   state is never sent again before a real check of the mailbox (Sent, and the copy the
--   sender receives) says it did not go out.
-- raw: the exact bytes handed to SMTP, so Sent gets the same message.
-- sent_copy_filed: the copy in the Sent folder exists; finished after a crash or an IMAP outage.
ALTER TABLE messages
    ADD COLUMN send_owner UUID,
    ADD COLUMN smtp_started_at TIMESTAMPTZ,
    ADD COLUMN sent_copy_filed BOOLEAN NOT NULL DEFAULT false;
-- Mail sent before this kept no bytes to file: take it as filed.
UPDATE messages SET sent_copy_filed = true WHERE direction = 'outbound' AND status = 'sent';
CREATE INDEX messages_sent_copy_idx ON messages (id)
    WHERE direction = 'outbound' AND status = 'sent' AND NOT sent_copy_filed;

-- Leases replace session advisory locks for "one syncer per mailbox" and "one scheduler": a
-- holder renews its lease while it makes progress; a holder that stops (SIGSTOP, a suspended
-- laptop) loses it when it expires, and one whose process is gone (no session with its
-- application_name left) loses it at once. Times are the database's, so clients' clocks do not
-- matter.
CREATE TABLE leases (
    name         TEXT PRIMARY KEY,          -- 'mailbox:<id>', 'scheduler'
    holder       TEXT NOT NULL,             -- host:pid, for operators
    holder_app   TEXT NOT NULL DEFAULT '',  -- the holder process's application_name
    token        UUID NOT NULL,
    acquired_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    renewed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL
);
