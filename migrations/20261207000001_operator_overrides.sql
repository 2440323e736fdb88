-- Operators correct the machine, on the record (issue 11, part 5).

-- An operator's word on a fair-housing flag of a shop's grade: confirmed (the statement is a
-- violation, the grade's cap stays) or cleared (it is not, the cap goes). Keyed by the flag's
-- quote, which a re-grade of the same thread raises again, so the decision outlives re-grading.
CREATE TABLE flag_decisions (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop_id      BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    quote        TEXT NOT NULL,
    flag_reason  TEXT NOT NULL DEFAULT '',          -- why the machine flagged it (familial status)
    verdict      TEXT NOT NULL CHECK (verdict IN ('confirmed', 'cleared')),
    reason       TEXT NOT NULL DEFAULT '',          -- the operator's why
    operator     TEXT NOT NULL,
    decided_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (shop_id, quote),
    CHECK (verdict = 'confirmed' OR reason <> '')
);

-- An operator's value for a fact (field path) or a grade criterion (its key). The machine's
-- own values stay where they are (facts, grades.criteria): extraction and grading never write
-- here, so re-running them never overwrites an operator.
CREATE TABLE overrides (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop_id        BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('fact', 'criterion')),
    key            TEXT NOT NULL CHECK (key <> ''),
    value          JSONB NOT NULL,
    machine_value  JSONB,                           -- what the machine said when it was set
    reason         TEXT NOT NULL CHECK (reason <> ''),
    operator       TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (shop_id, kind, key)
);
