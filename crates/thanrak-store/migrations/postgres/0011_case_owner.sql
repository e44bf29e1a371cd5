-- Referral cases (issue 10), second step: who opened a case is kept on the case (a list reads it
-- with the case instead of from each case's first event), the officer of the agency who owns it
-- (who accepted it, or who took it over), and an index that counts an area's cases by agency and
-- state (the dashboard's referral status) from the index alone. A comment is an event whose
-- state does not change (from_state = to_state).
ALTER TABLE cases ADD COLUMN created_by_name TEXT NOT NULL DEFAULT '';
UPDATE cases SET created_by_name = COALESCE(
    (SELECT e.user_name FROM case_events e WHERE e.case_id = cases.id ORDER BY e.id LIMIT 1), '');
ALTER TABLE cases ADD COLUMN owner TEXT;
CREATE INDEX cases_status ON cases (village_code, agency, state, due_on);
