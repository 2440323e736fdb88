-- A grade needs an operator's review for more than fair housing: a reply that tried to instruct
-- an AI does too (issue 10). Whether, and why, get their own columns; `fair_housing_flag` keeps
-- its name's meaning (the thread raised a fair-housing flag).
ALTER TABLE grades
    ADD COLUMN needs_review BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN review_reasons TEXT[] NOT NULL DEFAULT '{}';

-- Until now a grade needed review exactly when it had fair-housing flags; its reasons are those
-- flags, worded as the application words them.
UPDATE grades g SET
    needs_review = true,
    review_reasons = ARRAY(
        SELECT 'fair-housing flag: ' || chr(8220) || coalesce(f ->> 'quote', '') || chr(8221)
               || ' (' || coalesce(f ->> 'reason', '') || ')'
        FROM jsonb_array_elements(
            CASE WHEN jsonb_typeof(g.criteria -> 'fair_housing_flags') = 'array'
                 THEN g.criteria -> 'fair_housing_flags' ELSE '[]'::jsonb END
        ) WITH ORDINALITY AS t(f, n)
        ORDER BY n
    )
WHERE g.fair_housing_flag;
