-- Code tables (migration 030): loads, bulk COPY of rows, and reading the latest load back.

-- name: find_load
SELECT id, table_name, source_file, sha256, row_count, effective_quarter, loaded_by, loaded_at
FROM code_table_loads WHERE table_name = %(table_name)s AND sha256 = %(sha256)s;

-- name: insert_load
-- row_count is set once the rows are in (same transaction), see finish_load.
INSERT INTO code_table_loads (table_name, source_file, sha256, sources, row_count, effective_quarter, loaded_by)
VALUES (%(table_name)s, %(source_file)s, %(sha256)s, %(sources)s, 0, %(effective_quarter)s, %(loaded_by)s)
RETURNING id, loaded_at;

-- name: finish_load
UPDATE code_table_loads SET row_count = %(row_count)s, seconds = %(seconds)s WHERE id = %(id)s;

-- name: latest_loads
-- The newest load of every table: the one the rules use.
SELECT DISTINCT ON (table_name) id, table_name, source_file, sha256, row_count, effective_quarter, loaded_by, loaded_at
FROM code_table_loads ORDER BY table_name, loaded_at DESC, id DESC;

-- name: list_loads
SELECT id, table_name, source_file, sha256, row_count, effective_quarter, loaded_by, loaded_at, seconds
FROM code_table_loads ORDER BY loaded_at DESC, id DESC;

-- name: copy_icd10cm
COPY code_icd10cm (load_id, code, billable, age_min, age_max, sex, edit_source, effective_start, effective_end) FROM STDIN (FORMAT binary);

-- name: copy_ptp
COPY code_ncci_ptp (load_id, column1_code, column2_code, effective_date, deletion_date, modifier_indicator, rationale) FROM STDIN (FORMAT binary);

-- name: copy_mue
COPY code_ncci_mue (load_id, code, units, mai, rationale, service, effective_date) FROM STDIN (FORMAT binary);

-- name: copy_add_on
COPY code_ncci_add_on (load_id, primary_code, add_on_code, edit_type) FROM STDIN (FORMAT binary);

-- name: copy_modifiers
COPY code_modifiers (load_id, code, type, description) FROM STDIN (FORMAT binary);

-- name: copy_place_of_service
COPY code_place_of_service (load_id, code, type, name) FROM STDIN (FORMAT binary);

-- name: copy_adjustment_codes
COPY code_adjustment_reasons (load_id, code, type, description, start_date, end_date) FROM STDIN (FORMAT binary);

-- name: icd10cm_rows
SELECT code, billable, age_min, age_max, sex, edit_source, effective_start, effective_end
FROM code_icd10cm WHERE load_id = %(load_id)s;

-- name: ptp_rows
SELECT column1_code, column2_code, effective_date, deletion_date, modifier_indicator, rationale
FROM code_ncci_ptp WHERE load_id = %(load_id)s;

-- name: mue_rows
SELECT code, units, mai, rationale, service, effective_date FROM code_ncci_mue WHERE load_id = %(load_id)s;

-- name: add_on_rows
SELECT primary_code, add_on_code, edit_type FROM code_ncci_add_on WHERE load_id = %(load_id)s;

-- name: modifiers_rows
SELECT code, type, description FROM code_modifiers WHERE load_id = %(load_id)s;

-- name: place_of_service_rows
SELECT code, type, name FROM code_place_of_service WHERE load_id = %(load_id)s;

-- name: adjustment_codes_rows
SELECT code, type, description, start_date, end_date FROM code_adjustment_reasons WHERE load_id = %(load_id)s;

-- name: lock_table_import
-- One import of a given table at a time (two processes importing the same file: the second is a no-op).
SELECT pg_advisory_xact_lock(%(lock)s);

-- name: copy_out_ptp
-- The PTP rows of one load as tab-separated text for a columnar read (deletion date as yyyymmdd).
COPY (SELECT column1_code, column2_code, to_char(deletion_date, 'YYYYMMDD'), modifier_indicator, rationale
      FROM code_ncci_ptp WHERE load_id = %(load_id)s) TO STDOUT;
