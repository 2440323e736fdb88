-- Every text a draft has had (issue 11): the AI's or the offline drafter's, each operator edit,
-- a regeneration with its instructions, a restore, a recall. Numbered from 1 per draft; the
-- message row holds the current text, this table everything it was.
CREATE TABLE draft_versions (
    message_id    BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    number        INT NOT NULL CHECK (number > 0),
    subject       TEXT NOT NULL,
    body_text     TEXT NOT NULL,
    how           TEXT NOT NULL CHECK (how IN ('ai', 'offline', 'edit', 'restore', 'recall')),
    author        TEXT NOT NULL,
    instructions  TEXT,
    restored_from INT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, number)
);

-- The drafts made before versions were kept start with their current text as version 1.
INSERT INTO draft_versions (message_id, number, subject, body_text, how, author, created_at)
SELECT id, 1, coalesce(subject, ''), coalesce(body_text, ''),
       CASE WHEN generation IS NULL THEN 'edit'
            WHEN generation ->> 'model' = 'offline' THEN 'offline'
            ELSE 'ai' END,
       'system', created_at
FROM messages WHERE direction = 'outbound';
