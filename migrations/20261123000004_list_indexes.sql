-- Indexes for the TUI's first frame and lists at scale (benches/tui.rs: 100k messages, 5k shops).
-- The agent's first answer per shop (the dashboard's median first response).
CREATE INDEX messages_shop_answer_idx ON messages (shop_id, (coalesce(received_at, created_at)))
    WHERE direction = 'inbound' AND NOT is_auto_reply AND NOT is_bounce
      AND coalesce(responder_kind, 'human') <> 'auto';
-- Our first sent message per shop.
CREATE INDEX messages_shop_sent_idx ON messages (shop_id, sent_at)
    WHERE direction = 'outbound' AND status = 'sent';
-- The outbound state the shops list shows, read from the index alone.
CREATE INDEX messages_shop_outbound_idx ON messages (shop_id)
    INCLUDE (status, sent_at, wait_reason, next_attempt_at) WHERE direction = 'outbound';
-- The shops list's order.
CREATE INDEX shops_activity_idx ON shops (updated_at DESC, id DESC);
-- The inbox's order (newest first, unknown times last).
CREATE INDEX messages_inbox_order_idx ON messages (received_at DESC NULLS LAST, id DESC)
    WHERE direction = 'inbound';
