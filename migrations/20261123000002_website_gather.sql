-- Website gathering: what the crawl did besides the pages it kept (robots.txt, pages skipped
-- and why, off-site links not followed, the limit that stopped it), so a snapshot explains
-- itself later.
ALTER TABLE website_snapshots
    ADD COLUMN crawl JSONB NOT NULL DEFAULT '{}';

-- The report reads the newest successful snapshot of a target.
CREATE INDEX website_snapshots_ok_idx ON website_snapshots (target_id, finished_at DESC)
    WHERE status = 'ok';
