-- A catalog as Shoebox schema version 19 wrote it (Motion Photos): the version 18 fixture,
-- then the version 19 step.
CREATE TABLE assets (
    id              INTEGER PRIMARY KEY,
    hash            TEXT NOT NULL UNIQUE,
    path            TEXT NOT NULL UNIQUE,
    original_name   TEXT NOT NULL,
    size            INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('photo', 'video')),
    mime            TEXT NOT NULL,
    taken_local     TEXT NOT NULL,
    taken_offset    INTEGER,
    taken_source    TEXT NOT NULL,
    width           INTEGER,
    height          INTEGER,
    orientation     INTEGER,
    make            TEXT,
    model           TEXT,
    lens            TEXT,
    iso             INTEGER,
    exposure_time   REAL,
    f_number        REAL,
    focal_length_mm REAL,
    gps_lat         REAL,
    gps_lon         REAL,
    gps_alt         REAL,
    duration_ms     INTEGER,
    description     TEXT,
    imported_at     TEXT NOT NULL,
    thumb_state     TEXT NOT NULL,
    source_path     TEXT
);
CREATE INDEX assets_by_time ON assets (taken_local DESC);
CREATE TABLE pending (
    path          TEXT PRIMARY KEY,
    hash          TEXT NOT NULL,
    original_name TEXT NOT NULL,
    source_path   TEXT,
    created_at    TEXT NOT NULL
);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    imported    INTEGER NOT NULL,
    duplicates  INTEGER NOT NULL,
    skipped     INTEGER NOT NULL,
    rejected    INTEGER NOT NULL
);
INSERT INTO assets VALUES (1,
  'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262',
  'originals/2023/07/IMG_0042.JPG', 'IMG_0042.JPG', 4242, 'photo', 'image/jpeg',
  '2023-07-01T12:34:56.000', 120, 'exif', 4000, 3000, 1, 'Canon', 'EOS R6', 'RF24-105mm', 400,
  0.004, 4.0, 50.0, 48.8584, 2.2945, 35.0, NULL, 'Paris', '2023-07-02T08:00:00Z', 'ok',
  '/media/card/DCIM/IMG_0042.JPG');
INSERT INTO settings VALUES ('library', '{"version":1,"allowed_extensions":["jpg","png"],"max_file_size":1048576}');
INSERT INTO imports VALUES (1, '2023-07-02T08:00:00Z', '2023-07-02T08:00:05Z', 1, 0, 0, 0);
ALTER TABLE assets ADD COLUMN favourite INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assets ADD COLUMN trashed_at TEXT;
CREATE TABLE albums (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE album_assets (
    album_id INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
    hash     TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (album_id, hash)
);
UPDATE assets SET favourite = 1;
INSERT INTO albums VALUES (1, 'Paris 2023', '2023-07-03T00:00:00Z');
INSERT INTO album_assets VALUES (1, 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262', '2023-07-03T00:00:00Z');
CREATE TABLE watch_seen (
    path     TEXT PRIMARY KEY,
    size     INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    outcome  TEXT NOT NULL,
    reason   TEXT,
    seen_at  TEXT NOT NULL
);
INSERT INTO watch_seen VALUES ('/home/me/Sync/IMG_0042.JPG', 4242, 1688200000000000000, 'imported', NULL, '2023-07-02T08:00:00Z');
CREATE TABLE store_objects (
    target      TEXT NOT NULL,
    hash        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    size        INTEGER NOT NULL,
    uploaded_at TEXT NOT NULL,
    verified_at TEXT,
    PRIMARY KEY (target, hash, kind)
);
CREATE TABLE store_state (
    target          TEXT PRIMARY KEY,
    last_backup     TEXT,
    last_result     TEXT,
    last_verify     TEXT,
    last_verify_ok  INTEGER,
    last_error      TEXT,
    snapshot_mark   TEXT
);
INSERT INTO store_objects VALUES ('local', 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262', 'original', 'originals/2023/07/IMG_0042.JPG', 4242, '2023-07-02T09:00:00Z', '2023-07-02T09:00:00Z');
INSERT INTO store_state VALUES ('local', '2023-07-02T09:00:00Z', '1 uploaded, 0 already there, 0 failed', NULL, NULL, NULL, '1:1:1.0:0|1|1|1|0');
ALTER TABLE store_state ADD COLUMN complete_mark TEXT;
UPDATE store_state SET complete_mark = NULL;
-- version 6
CREATE TABLE changes (
        seq INTEGER PRIMARY KEY,
        hlc TEXT NOT NULL,
        op  TEXT NOT NULL
    );
    CREATE TABLE field_values (
        hash  TEXT NOT NULL,
        field TEXT NOT NULL,
        hlc   TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (hash, field)
    );
    CREATE TABLE peers (
        device      TEXT PRIMARY KEY,
        name        TEXT,
        applied_seq INTEGER NOT NULL DEFAULT 0,
        last_seen   TEXT
    );
    ALTER TABLE assets ADD COLUMN origin TEXT;
    ALTER TABLE assets ADD COLUMN announced INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE albums ADD COLUMN uid TEXT;
    UPDATE albums SET uid = lower(hex(randomblob(8)));
    CREATE UNIQUE INDEX albums_by_uid ON albums (uid);
    ALTER TABLE albums ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
INSERT INTO changes (seq, hlc, op) VALUES (1, '1688207696000.000000.0123456789abcdef', '{"op":"set","hash":"af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262","field":"favourite","value":true}');
INSERT INTO field_values (hash, field, hlc, value) VALUES ('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262', 'favourite', '1688207696000.000000.0123456789abcdef', 'true');
INSERT INTO peers (device, name, applied_seq, last_seen) VALUES ('fedcba9876543210', 'laptop', 3, '2026-11-29T10:00:00Z');
-- version 7
CREATE TABLE purges (
        hash     TEXT PRIMARY KEY,
        frontier TEXT NOT NULL,
        at_ms    INTEGER NOT NULL
    );
INSERT INTO purges (hash, frontier, at_ms) VALUES ('0000000000000000000000000000000000000000000000000000000000000001', '{"0123456789abcdef":1}', 1764000000000);
-- version 8
CREATE TABLE sidecars (
        hash TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        json TEXT NOT NULL
    );
    -- Albums a photo was put in before it arrived are looked up by field when it arrives.
    CREATE INDEX field_values_by_field ON field_values (field);
INSERT INTO sidecars (hash, name, json) VALUES ('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262', 'IMG_0042.JPG.json', '{"title": "IMG_0042.JPG", "photoTakenTime": {"timestamp": "1688207696"}}');
-- version 9
ALTER TABLE assets ADD COLUMN motion_of TEXT;
    CREATE INDEX assets_by_motion_of ON assets (motion_of) WHERE motion_of IS NOT NULL;
-- version 10
CREATE INDEX store_objects_by_hash ON store_objects (hash, kind);
-- version 11
CREATE INDEX assets_by_source ON assets (source_path) WHERE source_path IS NOT NULL;
-- version 12
    ALTER TABLE assets ADD COLUMN rating INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE assets ADD COLUMN rotation INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE assets ADD COLUMN orig_taken_local TEXT;
    ALTER TABLE assets ADD COLUMN orig_taken_offset INTEGER;
    CREATE TABLE asset_keywords (
        photo TEXT NOT NULL,
        word  TEXT NOT NULL,
        PRIMARY KEY (photo, word)
    ) WITHOUT ROWID;
    CREATE INDEX keywords_by_word ON asset_keywords (word);
    CREATE VIRTUAL TABLE search_index USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');
    CREATE TABLE search_dirty (id INTEGER PRIMARY KEY);
    INSERT INTO search_dirty SELECT id FROM assets;
    CREATE TRIGGER search_asset_new AFTER INSERT ON assets
        BEGIN INSERT OR IGNORE INTO search_dirty VALUES (NEW.id); END;
    CREATE TRIGGER search_asset_edit AFTER UPDATE OF path, original_name, kind, make, model, lens,
        description, taken_local, gps_lat, gps_lon ON assets
        BEGIN INSERT OR IGNORE INTO search_dirty VALUES (NEW.id); END;
    CREATE TRIGGER search_asset_gone AFTER DELETE ON assets
        BEGIN INSERT OR IGNORE INTO search_dirty VALUES (OLD.id); END;
    CREATE TRIGGER search_album_in AFTER INSERT ON album_assets
        BEGIN INSERT OR IGNORE INTO search_dirty SELECT id FROM assets WHERE hash = NEW.hash; END;
    CREATE TRIGGER search_album_out AFTER DELETE ON album_assets
        BEGIN INSERT OR IGNORE INTO search_dirty SELECT id FROM assets WHERE hash = OLD.hash; END;
    CREATE TRIGGER search_album_name AFTER UPDATE OF name ON albums
        BEGIN INSERT OR IGNORE INTO search_dirty
            SELECT a.id FROM album_assets aa JOIN assets a ON a.hash = aa.hash
            WHERE aa.album_id = NEW.id; END;
    CREATE TRIGGER search_keyword_in AFTER INSERT ON asset_keywords
        BEGIN INSERT OR IGNORE INTO search_dirty SELECT id FROM assets WHERE hash = NEW.photo; END;
    CREATE TRIGGER search_keyword_out AFTER DELETE ON asset_keywords
        BEGIN INSERT OR IGNORE INTO search_dirty SELECT id FROM assets WHERE hash = OLD.photo; END;
-- version 13
CREATE INDEX album_assets_by_hash ON album_assets (hash);
-- version 14
ALTER TABLE assets ADD COLUMN place_city TEXT;
ALTER TABLE assets ADD COLUMN place_region TEXT;
ALTER TABLE assets ADD COLUMN place_country TEXT;
ALTER TABLE assets ADD COLUMN place_cc TEXT;
CREATE INDEX assets_place_pending ON assets (id)
    WHERE place_cc IS NULL AND gps_lat IS NOT NULL;
DROP TRIGGER search_asset_edit;
CREATE TRIGGER search_asset_edit AFTER UPDATE OF path, original_name, kind, make, model, lens,
    description, taken_local, gps_lat, gps_lon, place_city, place_region, place_country ON assets
    BEGIN INSERT OR IGNORE INTO search_dirty VALUES (NEW.id); END;
-- version 15
CREATE TABLE looks (
    id     INTEGER PRIMARY KEY,
    coarse INTEGER,
    fine   BLOB
);
CREATE TRIGGER looks_asset_gone AFTER DELETE ON assets
    BEGIN DELETE FROM looks WHERE id = OLD.id; END;
-- version 16
ALTER TABLE assets ADD COLUMN gps_fixed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assets ADD COLUMN orig_gps_lat REAL;
ALTER TABLE assets ADD COLUMN orig_gps_lon REAL;
ALTER TABLE assets ADD COLUMN orig_gps_alt REAL;
-- version 17
CREATE TABLE month_counts (
    view  TEXT NOT NULL,
    month TEXT NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (view, month)
) WITHOUT ROWID;
INSERT INTO month_counts
    SELECT CASE WHEN trashed_at IS NULL THEN 'all' ELSE 'trash' END, substr(taken_local, 1, 7),
           count(*)
    FROM assets WHERE motion_of IS NULL GROUP BY 1, 2;
INSERT INTO month_counts
    SELECT 'favourites', substr(taken_local, 1, 7), count(*) FROM assets
    WHERE motion_of IS NULL AND trashed_at IS NULL AND favourite = 1 GROUP BY 2;
CREATE TRIGGER month_counts_new AFTER INSERT ON assets WHEN NEW.motion_of IS NULL BEGIN
    INSERT INTO month_counts
        SELECT CASE WHEN NEW.trashed_at IS NULL THEN 'all' ELSE 'trash' END,
               substr(NEW.taken_local, 1, 7), 1 WHERE 1
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO month_counts
        SELECT 'favourites', substr(NEW.taken_local, 1, 7), 1
        WHERE NEW.favourite = 1 AND NEW.trashed_at IS NULL
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER month_counts_gone AFTER DELETE ON assets WHEN OLD.motion_of IS NULL BEGIN
    UPDATE month_counts SET n = n - 1 WHERE month = substr(OLD.taken_local, 1, 7)
        AND (view = CASE WHEN OLD.trashed_at IS NULL THEN 'all' ELSE 'trash' END
             OR (view = 'favourites' AND OLD.favourite = 1 AND OLD.trashed_at IS NULL));
    DELETE FROM month_counts WHERE month = substr(OLD.taken_local, 1, 7) AND n <= 0;
END;
CREATE TRIGGER month_counts_edit AFTER UPDATE OF taken_local, trashed_at, favourite, motion_of
    ON assets WHEN OLD.taken_local IS NOT NEW.taken_local
        OR (OLD.trashed_at IS NULL) != (NEW.trashed_at IS NULL)
        OR OLD.favourite IS NOT NEW.favourite OR OLD.motion_of IS NOT NEW.motion_of
BEGIN
    UPDATE month_counts SET n = n - 1 WHERE OLD.motion_of IS NULL
        AND month = substr(OLD.taken_local, 1, 7)
        AND (view = CASE WHEN OLD.trashed_at IS NULL THEN 'all' ELSE 'trash' END
             OR (view = 'favourites' AND OLD.favourite = 1 AND OLD.trashed_at IS NULL));
    DELETE FROM month_counts WHERE month = substr(OLD.taken_local, 1, 7) AND n <= 0;
    INSERT INTO month_counts
        SELECT CASE WHEN NEW.trashed_at IS NULL THEN 'all' ELSE 'trash' END,
               substr(NEW.taken_local, 1, 7), 1 WHERE NEW.motion_of IS NULL
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO month_counts
        SELECT 'favourites', substr(NEW.taken_local, 1, 7), 1
        WHERE NEW.motion_of IS NULL AND NEW.favourite = 1 AND NEW.trashed_at IS NULL
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TABLE album_month_counts (
    album_id INTEGER NOT NULL,
    month    TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (album_id, month)
) WITHOUT ROWID;
INSERT INTO album_month_counts
    SELECT aa.album_id, substr(a.taken_local, 1, 7), count(*)
    FROM album_assets aa JOIN assets a ON a.hash = aa.hash
    WHERE a.trashed_at IS NULL AND a.motion_of IS NULL GROUP BY 1, 2;
CREATE TRIGGER album_counts_in AFTER INSERT ON album_assets BEGIN
    INSERT INTO album_month_counts
        SELECT NEW.album_id, substr(taken_local, 1, 7), 1 FROM assets
        WHERE hash = NEW.hash AND trashed_at IS NULL AND motion_of IS NULL
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER album_counts_out AFTER DELETE ON album_assets BEGIN
    UPDATE album_month_counts SET n = n - 1 WHERE album_id = OLD.album_id
        AND month = (SELECT substr(taken_local, 1, 7) FROM assets
                     WHERE hash = OLD.hash AND trashed_at IS NULL AND motion_of IS NULL);
    DELETE FROM album_month_counts WHERE album_id = OLD.album_id AND n <= 0;
END;
CREATE TRIGGER album_counts_asset_new AFTER INSERT ON assets
    WHEN NEW.trashed_at IS NULL AND NEW.motion_of IS NULL BEGIN
    INSERT INTO album_month_counts
        SELECT album_id, substr(NEW.taken_local, 1, 7), 1 FROM album_assets
        WHERE hash = NEW.hash
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER album_counts_asset_gone AFTER DELETE ON assets
    WHEN OLD.trashed_at IS NULL AND OLD.motion_of IS NULL BEGIN
    UPDATE album_month_counts SET n = n - 1 WHERE month = substr(OLD.taken_local, 1, 7)
        AND album_id IN (SELECT album_id FROM album_assets WHERE hash = OLD.hash);
    DELETE FROM album_month_counts WHERE month = substr(OLD.taken_local, 1, 7) AND n <= 0;
END;
CREATE TRIGGER album_counts_asset_edit AFTER UPDATE OF taken_local, trashed_at, motion_of
    ON assets WHEN OLD.taken_local IS NOT NEW.taken_local
        OR (OLD.trashed_at IS NULL) != (NEW.trashed_at IS NULL)
        OR OLD.motion_of IS NOT NEW.motion_of
BEGIN
    UPDATE album_month_counts SET n = n - 1
        WHERE OLD.trashed_at IS NULL AND OLD.motion_of IS NULL
        AND month = substr(OLD.taken_local, 1, 7)
        AND album_id IN (SELECT album_id FROM album_assets WHERE hash = OLD.hash);
    DELETE FROM album_month_counts WHERE month = substr(OLD.taken_local, 1, 7) AND n <= 0;
    INSERT INTO album_month_counts
        SELECT album_id, substr(NEW.taken_local, 1, 7), 1 FROM album_assets
        WHERE hash = NEW.hash AND NEW.trashed_at IS NULL AND NEW.motion_of IS NULL
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER album_counts_album_gone AFTER DELETE ON albums BEGIN
    DELETE FROM album_month_counts WHERE album_id = OLD.id;
END;
DROP INDEX assets_by_time;
CREATE INDEX assets_by_time ON assets (taken_local DESC, path);

-- version 18
CREATE TABLE xmp_sidecars (
    target TEXT NOT NULL,
    photo  TEXT NOT NULL,
    key    TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (target, photo)
) WITHOUT ROWID;

-- version 19
ALTER TABLE assets ADD COLUMN motion_offset INTEGER;
PRAGMA user_version = 19;
