-- A reply is parsed once, at sync: what the reader needs (sender, subject, body_text, body_html,
-- is_auto_reply, is_bounce) is stored with the message, and reading it builds the reply from
-- those columns instead of parsing the raw bytes again. Rows stored before (and inbound rows
-- written another way, e.g. the demo's history) have reply_parts false: they are parsed from raw.
ALTER TABLE messages ADD COLUMN reply_parts BOOLEAN NOT NULL DEFAULT false;
COMMENT ON COLUMN messages.reply_parts IS
    'true when sync stored the parsed reply (body_text, body_html, sender, subject, is_auto_reply, is_bounce): the reader builds it from these columns; false: parse raw again';
