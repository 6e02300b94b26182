-- kattoo central, PostgreSQL schema version 2: citizens' data sealed under central's key
-- (docs/formats/central-columns-v1.md). A record's PIN is looked up by its keyed hash
-- (pin_mac); its JSON, its templates and its biometric files are sealed values, each starting
-- with the byte 0x01. Between this file's two halves kattoo seals the rows an older kattoo
-- stored in the clear, in the same transaction, with the key the central passphrase opens.

ALTER TABLE records ADD COLUMN pin_mac bytea;

-- kattoo: seal the rows here

ALTER TABLE records DROP COLUMN pin;
ALTER TABLE records ALTER COLUMN pin_mac SET NOT NULL;
ALTER TABLE records ADD CONSTRAINT records_pin_mac_length CHECK (octet_length(pin_mac) = 32);
CREATE INDEX records_pin_mac ON records (pin_mac);
-- A value in the clear is refused, whoever writes it.
ALTER TABLE records ADD CONSTRAINT records_json_sealed
    CHECK (substring(record_json FROM 1 FOR 1) = '\x01'::bytea AND octet_length(record_json) >= 41);
ALTER TABLE templates ADD CONSTRAINT templates_iso_sealed
    CHECK (substring(iso FROM 1 FOR 1) = '\x01'::bytea AND octet_length(iso) >= 41);
ALTER TABLE biometrics ADD CONSTRAINT biometrics_data_sealed
    CHECK (substring(data FROM 1 FOR 1) = '\x01'::bytea AND octet_length(data) >= 41);
