-- When a draft was rejected: a rejected follow-up holds the planner until something changes
-- (a new reply, or a message an operator asked for), so the time must not move with later
-- updates of the row.
ALTER TABLE messages ADD COLUMN rejected_at TIMESTAMPTZ;
UPDATE messages SET rejected_at = updated_at WHERE status = 'rejected';
