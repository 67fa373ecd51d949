-- Code tables as data: the CMS/X12/NCHS reference files claim edits use, imported by
-- `handoff codes import` (store/codes.py). These are reference tables, not audit-log tables: a new
-- quarter's file is a new load beside the old one (rows are never edited), and the rules use the
-- latest load of each table. Each row names its load; the load names the source file, its sha256
-- and when it was loaded (kept once per load rather than repeated on 2.55M PTP rows).
CREATE TABLE code_table_loads (
    id                bigserial PRIMARY KEY,
    table_name        text NOT NULL CHECK (table_name IN ('icd10cm', 'ptp', 'mue', 'add_on', 'modifiers',
                                                          'place_of_service', 'adjustment_codes')),
    source_file       text NOT NULL,           -- path relative to the data folder ('+' joins several)
    sha256            text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    sources           jsonb NOT NULL DEFAULT '[]'::jsonb,  -- [{"file", "sha256", "bytes"}] per source file
    row_count         bigint NOT NULL CHECK (row_count >= 0),
    effective_quarter text,                    -- e.g. '2024Q3', 'FY2025'; NULL when the file does not say
    loaded_by         text NOT NULL,
    loaded_at         timestamptz NOT NULL DEFAULT now(),
    seconds           double precision,
    UNIQUE (table_name, sha256)                -- re-importing the same file is a no-op
);

-- ICD-10-CM with billability and the age/sex edits derived from the tabular list.
CREATE TABLE code_icd10cm (
    load_id         bigint NOT NULL REFERENCES code_table_loads (id),
    code            text NOT NULL,              -- no dot
    billable        boolean NOT NULL,
    age_min         smallint,
    age_max         smallint,
    sex             text CHECK (sex IN ('F', 'M')),
    edit_source     text,
    effective_start date,
    effective_end   date
);
CREATE INDEX code_icd10cm_load_code ON code_icd10cm (load_id, code);

-- NCCI practitioner procedure-to-procedure edits (2.55M rows a quarter; deletion 9999-12-31 = active).
CREATE TABLE code_ncci_ptp (
    load_id            bigint NOT NULL REFERENCES code_table_loads (id),
    column1_code       text NOT NULL,
    column2_code       text NOT NULL,
    effective_date     date,
    deletion_date      date NOT NULL,
    modifier_indicator smallint NOT NULL CHECK (modifier_indicator IN (0, 1, 9)),
    rationale          text NOT NULL
);
CREATE INDEX code_ncci_ptp_load ON code_ncci_ptp (load_id);

-- NCCI medically unlikely edits (all service types; the rules use the practitioner rows).
CREATE TABLE code_ncci_mue (
    load_id        bigint NOT NULL REFERENCES code_table_loads (id),
    code           text NOT NULL,
    units          integer NOT NULL,
    mai            smallint NOT NULL,
    rationale      text NOT NULL,
    service        text NOT NULL,
    effective_date date,
    deletion_date  date
);
CREATE INDEX code_ncci_mue_load ON code_ncci_mue (load_id);

-- NCCI add-on code edits ('CCCCC' = no primary listed, edit type 2).
CREATE TABLE code_ncci_add_on (
    load_id        bigint NOT NULL REFERENCES code_table_loads (id),
    primary_code   text NOT NULL,
    add_on_code    text NOT NULL,
    edit_type      smallint NOT NULL,
    effective_date date,
    deletion_date  date
);
CREATE INDEX code_ncci_add_on_load ON code_ncci_add_on (load_id);

CREATE TABLE code_modifiers (
    load_id        bigint NOT NULL REFERENCES code_table_loads (id),
    code           text NOT NULL,
    type           text NOT NULL,
    description    text NOT NULL,
    effective_date date,
    deletion_date  date
);
CREATE INDEX code_modifiers_load ON code_modifiers (load_id);

CREATE TABLE code_place_of_service (
    load_id        bigint NOT NULL REFERENCES code_table_loads (id),
    code           text NOT NULL,
    type           text NOT NULL,
    name           text NOT NULL,
    effective_date date,
    deletion_date  date
);
CREATE INDEX code_place_of_service_load ON code_place_of_service (load_id);

-- CARC / RARC / group codes (X12), with the dates each code is valid.
CREATE TABLE code_adjustment_reasons (
    load_id     bigint NOT NULL REFERENCES code_table_loads (id),
    code        text NOT NULL,
    type        text NOT NULL,                 -- CARC / RARC / Group
    description text NOT NULL,
    start_date  date,
    end_date    date
);
CREATE INDEX code_adjustment_reasons_load ON code_adjustment_reasons (load_id);
