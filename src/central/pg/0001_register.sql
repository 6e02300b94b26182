-- kattoo central, PostgreSQL schema version 1: the register as the SQLite store has it at its
-- schema 4 (stations and their keys, batches, records, audit rows, biometrics, templates and
-- possible duplicates). Applied in one transaction with its row in kattoo_schema.
--
-- Identifiers compare and sort byte by byte (COLLATE "C"), as in SQLite and in Rust, whatever
-- the database's locale: a pair of records is stored in registration id order, checked here.

CREATE TABLE identity (
    id integer PRIMARY KEY CHECK (id = 1),
    -- Central's age identity file, encrypted to the central passphrase (age scrypt).
    protected bytea NOT NULL,
    recipient text NOT NULL,
    created_at text NOT NULL
);

CREATE TABLE stations (
    station_id text COLLATE "C" PRIMARY KEY,
    name text NOT NULL,
    region text NOT NULL,
    -- The station's current key (PEM).
    public_key text NOT NULL,
    certificate bytea NOT NULL,
    added_at text NOT NULL
);

-- Every key a station has signed with, in the order central registered them.
CREATE TABLE station_keys (
    added_order bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    public_key text PRIMARY KEY,
    station_id text COLLATE "C" NOT NULL REFERENCES stations (station_id),
    certificate bytea NOT NULL,
    added_at text NOT NULL,
    replaces text REFERENCES station_keys (public_key),
    added_by text,
    reason text,
    revoked_at text,
    revoked_by text,
    revoked_reason text,
    CHECK ((replaces IS NULL) = (added_by IS NULL)),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX station_keys_station ON station_keys (station_id);

-- Accepted batches, numbered per key: (key, sequence) and the file's SHA-256 are each unique,
-- so two importers racing on one batch cannot both commit it.
CREATE TABLE batches (
    station_id text COLLATE "C" NOT NULL REFERENCES stations (station_id),
    station_key text NOT NULL REFERENCES station_keys (public_key),
    sequence bigint NOT NULL CHECK (sequence >= 1),
    sha256 text COLLATE "C" NOT NULL UNIQUE,
    previous_sha256 text NOT NULL,
    record_count bigint NOT NULL,
    audit_head_seq bigint NOT NULL,
    audit_head_hash text NOT NULL,
    imported_at text NOT NULL,
    PRIMARY KEY (station_key, sequence)
);
CREATE INDEX batches_station ON batches (station_id);

CREATE TABLE records (
    -- The register's insertion order: imports commit one at a time from their duplicate search
    -- on (an advisory lock), so a record numbered n is visible once every record below it is.
    import_no bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    registration_id text COLLATE "C" PRIMARY KEY,
    station_id text COLLATE "C" NOT NULL REFERENCES stations (station_id),
    batch_sequence bigint NOT NULL,
    pin text COLLATE "C" NOT NULL,
    -- Where the citizen votes (the record's citizen.precinct), for the precinct's voter list.
    precinct text COLLATE "C" NOT NULL,
    record_json bytea NOT NULL,
    signature bytea NOT NULL,
    supersedes text COLLATE "C"
);
CREATE INDEX records_pin ON records (pin);
CREATE INDEX records_station ON records (station_id);
CREATE INDEX records_precinct ON records (precinct);
CREATE INDEX records_supersedes ON records (supersedes) WHERE supersedes IS NOT NULL;

-- Biometric files by SHA-256, stored once whatever the number of records naming them.
CREATE TABLE biometrics (
    sha256 text COLLATE "C" PRIMARY KEY,
    data bytea NOT NULL
);
-- Photos and compressed images do not compress again: keep them out of line, uncompressed.
ALTER TABLE biometrics ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE audit (
    station_id text COLLATE "C" NOT NULL,
    station_key text NOT NULL REFERENCES station_keys (public_key),
    seq bigint NOT NULL,
    event bytea NOT NULL,
    prev bytea NOT NULL,
    hash bytea NOT NULL,
    PRIMARY KEY (station_key, seq)
);
CREATE INDEX audit_station ON audit (station_id);

CREATE TABLE templates (
    registration_id text COLLATE "C" NOT NULL REFERENCES records (registration_id),
    position smallint NOT NULL CHECK (position BETWEEN 1 AND 10),
    iso bytea NOT NULL,
    PRIMARY KEY (registration_id, position)
);

CREATE TABLE duplicates (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_id text COLLATE "C" NOT NULL REFERENCES records (registration_id),
    second_id text COLLATE "C" NOT NULL REFERENCES records (registration_id),
    score double precision NOT NULL,
    fingers text NOT NULL,
    found_at text NOT NULL,
    decision text CHECK (decision IN ('confirmed', 'not-a-duplicate')),
    decided_by text,
    reason text,
    decided_at text,
    CHECK (first_id < second_id),
    CHECK ((decision IS NULL) = (decided_by IS NULL)),
    UNIQUE (first_id, second_id)
);
