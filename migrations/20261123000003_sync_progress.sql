-- A long sync's progress, for the status bar of every operator: messages to fetch in this pass
-- and how many are stored so far. NULL when no pass is running.
ALTER TABLE mailbox_folders ADD COLUMN sync_total INTEGER, ADD COLUMN sync_done INTEGER;
