-- facts.confidence (in the schema from the start, never filled until issue 13): how sure the
-- reader is of each fact, 0-1, from how it was read.
COMMENT ON COLUMN facts.confidence IS
    'how sure the reader is, 0-1: 0.9 a table cell or a labelled line, 0.75 a sentence, 0.6 inferred (a community-wide statement, the sentence before), 0.5 a weak cue, 0.8 a model; below 0.7 an operator checks it; NULL for facts read before it was kept';
