-- The field mapping of DESIGN §8: one for all filters, since Brevo attributes belong to the
-- contact, not to a list. Until it is first saved (no row in field_mapping_saved) a sync maps
-- first and last name as before, so existing installs keep working unchanged; a saved empty
-- mapping writes no attribute at all.

CREATE TABLE field_mapping_entries (
    position        INTEGER PRIMARY KEY,
    pipedrive_field TEXT NOT NULL CHECK (length(pipedrive_field) BETWEEN 1 AND 200),
    brevo_attribute TEXT NOT NULL UNIQUE COLLATE NOCASE
        CHECK (length(brevo_attribute) BETWEEN 1 AND 200)
);

CREATE TABLE field_mapping_saved (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    saved_at INTEGER NOT NULL
);
