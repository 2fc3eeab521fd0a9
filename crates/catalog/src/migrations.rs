//! Schema migrations keyed on `PRAGMA user_version`; each runs in one transaction.

use crate::{Error, Result};
use rusqlite::Connection;
use std::path::Path;

/// Each step's SQL, in order; step `i` takes the schema from version `i` to `i + 1`.
const STEPS: &[&str] = &[
    // v1: the library core. `pending` is the placement journal: a row is committed before a file
    // is renamed into originals/ and removed with the asset's insert, so a crash in between is
    // found on the next open without scanning the whole library.
    r#"
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
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE imports (
        id          INTEGER PRIMARY KEY,
        started_at  TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        imported    INTEGER NOT NULL,
        duplicates  INTEGER NOT NULL,
        skipped     INTEGER NOT NULL,
        rejected    INTEGER NOT NULL
    );
    "#,
    // v2: organising. Favourites, trash and albums live in the catalog so that they are backed up
    // and restored with it.
    r#"
    ALTER TABLE assets ADD COLUMN favourite INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE assets ADD COLUMN trashed_at TEXT;
    CREATE TABLE albums (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE album_assets (
        album_id INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
        hash     TEXT NOT NULL,
        added_at TEXT NOT NULL,
        PRIMARY KEY (album_id, hash)
    );
    "#,
    // v3: watch folders remember each file version they handed over (path, size, mtime), so a
    // restart neither re-hashes what was imported nor retries what was rejected.
    r#"
    CREATE TABLE watch_seen (
        path     TEXT PRIMARY KEY,
        size     INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        outcome  TEXT NOT NULL,
        reason   TEXT,
        seen_at  TEXT NOT NULL
    );
    "#,
    // v4: backup targets. What each target holds (by content hash, under which key, verified
    // when) makes a no-op backup free of per-object requests; `store_state` keeps the figures the
    // status panel shows.
    r#"
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
    "#,
    // v5: the fingerprint (with the thumbnail sizes) at which a backup to the target last left
    // nothing behind, so that a backup with nothing new is known without a catalog-wide query.
    r#"
    ALTER TABLE store_state ADD COLUMN complete_mark TEXT;
    "#,
    // v6: the library shared across devices. `changes` is this device's append-only log of
    // edits, each stamped with a hybrid logical clock; `field_values` holds the winning value
    // and clock of every (photo, field) seen from any device (last writer wins by clock, so
    // every delivery order gives the same result, and a value for a photo not yet known waits
    // there for it); `peers` records how far each other device's log has been applied.
    // `origin` is the device that imported a photo (NULL: this one); `announced` marks this
    // device's photos already written to its log. Albums get an id that is the same on every
    // device (`uid`); their name, deletion and each membership are fields like a photo's.
    // `pinned` (this device only) keeps an album's originals on this computer.
    r#"
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
    "#,
    // v7: photos deleted for good here (the trash emptied), with what this device had seen of
    // every change log then (`frontier`, JSON {device: seq}): prune deletes their store bytes
    // only once every other active device has seen as much and let go of them too.
    r#"
    CREATE TABLE purges (
        hash     TEXT PRIMARY KEY,
        frontier TEXT NOT NULL,
        at_ms    INTEGER NOT NULL
    );
    "#,
    // v8: what a Google Takeout sidecar said about a photo, kept as it was (so backups and
    // restores carry it); field values found by field.
    r#"
    CREATE TABLE sidecars (
        hash TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        json TEXT NOT NULL
    );
    -- Albums a photo was put in before it arrived are looked up by field when it arrives.
    CREATE INDEX field_values_by_field ON field_values (field);
    "#,
    // v9: the video of a Live Photo points at its photo and is shown with it.
    r#"
    ALTER TABLE assets ADD COLUMN motion_of TEXT;
    CREATE INDEX assets_by_motion_of ON assets (motion_of) WHERE motion_of IS NOT NULL;
    "#,
    // v10: a photo's objects on any store, found by its hash (taking in another device's
    // photos asks this for each one).
    r#"
    CREATE INDEX store_objects_by_hash ON store_objects (hash, kind);
    "#,
    // v11: assets found by where they were imported from (a Live Photo's other half, looked up
    // for every file an import adds).
    r#"
    CREATE INDEX assets_by_source ON assets (source_path) WHERE source_path IS NOT NULL;
    "#,
    // v12: finding and tidying. A rating (0–5), a rotation (quarter turns clockwise, shown by
    // thumbnails and the viewer; the original untouched), a corrected capture time (`taken_*`
    // hold the date in use; `orig_taken_*` the date the file gave, while corrected), keywords
    // (`photo` is the asset's hash: a name that never shadows `assets.hash` in a correlated
    // subquery), and a full-text index of what people search for (rowid = assets.id). The index is
    // refreshed lazily: triggers mark an asset dirty, a search refreshes dirty rows first.
    r#"
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
    "#,
    // v13: the albums a photo is in, found by its hash (the search index names them for every
    // photo it indexes; the info panel asks too).
    r#"
    CREATE INDEX album_assets_by_hash ON album_assets (hash);
    "#,
    // v14: places in words, from the offline gazetteer: `place_cc` is NULL until looked up, ''
    // when no town is near (the sea, the poles). Photos with a position waiting for it are
    // found by a partial index.
    r#"
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
    "#,
    // v15: how each photo looks, for finding near-duplicates: perceptual hashes of its grid
    // thumbnail, 64 bits (`coarse`) and 256 (`fine`); both NULL when the thumbnail could not be
    // read. Derived on each device from what it has; a row goes with its asset.
    r#"
    CREATE TABLE looks (
        id     INTEGER PRIMARY KEY,
        coarse INTEGER,
        fine   BLOB
    );
    CREATE TRIGGER looks_asset_gone AFTER DELETE ON assets
        BEGIN DELETE FROM looks WHERE id = OLD.id; END;
    "#,
    // v16: a corrected position (set by hand: a town's or coordinates). `gps_*` hold the position
    // in use; while `gps_fixed` is 1, `orig_gps_*` hold what the file gave (NULL: no position).
    r#"
    ALTER TABLE assets ADD COLUMN gps_fixed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE assets ADD COLUMN orig_gps_lat REAL;
    ALTER TABLE assets ADD COLUMN orig_gps_lon REAL;
    ALTER TABLE assets ADD COLUMN orig_gps_alt REAL;
    "#,
    // v17: the timeline at a million photos. How many photos each month holds in the whole
    // timeline, the favourites, the trash and each album, kept by triggers (counting them took
    // a scan of every photo at each launch; an album's, a lookup of each of its photos); and the time index gains the tie-break of the timeline's
    // order, so a screenful of a month is read without sorting the month.
    r#"
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
    "#,
    // v18: XMP sidecars this device wrote to a store beside its originals, and a digest of
    // what each says (rewritten when that changes).
    r#"
    CREATE TABLE xmp_sidecars (
        target TEXT NOT NULL,
        photo  TEXT NOT NULL,
        key    TEXT NOT NULL,
        digest TEXT NOT NULL,
        PRIMARY KEY (target, photo)
    ) WITHOUT ROWID;
    "#,
    // v19: Motion Photos: where the video embedded after the picture starts (bytes).
    r#"
    ALTER TABLE assets ADD COLUMN motion_offset INTEGER;
    "#,
    // v20: faces and people. `faces.key` names a face the same way on every device (its
    // centre in thousandths of the picture); `pinned` faces were put (or taken) by a person's
    // hand, here or on another device, and automatic grouping leaves them be. A person gets a
    // `uid` once a hand touches it (a name, a merge, a face removed), which is when it travels.
    r#"
    CREATE TABLE people (
        id          INTEGER PRIMARY KEY,
        uid         TEXT UNIQUE,
        name        TEXT,
        hidden      INTEGER NOT NULL DEFAULT 0,
        merged_into TEXT
    );
    CREATE TABLE faces (
        id         INTEGER PRIMARY KEY,
        hash       TEXT NOT NULL,
        key        TEXT NOT NULL,
        x          REAL NOT NULL,
        y          REAL NOT NULL,
        w          REAL NOT NULL,
        h          REAL NOT NULL,
        score      REAL NOT NULL,
        descriptor BLOB NOT NULL,
        person_id  INTEGER REFERENCES people(id) ON DELETE SET NULL,
        pinned     INTEGER NOT NULL DEFAULT 0,
        UNIQUE (hash, key)
    );
    CREATE INDEX faces_by_person ON faces (person_id);
    CREATE TABLE face_scans (
        hash       TEXT PRIMARY KEY,
        faces      INTEGER NOT NULL,
        skipped    TEXT,
        scanned_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TRIGGER faces_asset_gone AFTER DELETE ON assets BEGIN
        DELETE FROM faces WHERE hash = OLD.hash;
        DELETE FROM face_scans WHERE hash = OLD.hash;
    END;
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = STEPS.len() as i64;

/// Every view and trigger any version of Shoebox's schema has had, word for word: (type,
/// name, SQL). A catalog from a store may hold these and nothing else of the kind.
pub(crate) fn known_schema_objects() -> Result<&'static [(String, String, String)]> {
    static KNOWN: std::sync::OnceLock<Vec<(String, String, String)>> = std::sync::OnceLock::new();
    if let Some(k) = KNOWN.get() {
        return Ok(k);
    }
    let conn = Connection::open_in_memory()?;
    let mut all = Vec::new();
    for sql in STEPS {
        conn.execute_batch(sql)?;
        for o in crate::schema_objects(&conn)? {
            if !all.contains(&o) {
                all.push(o);
            }
        }
    }
    Ok(KNOWN.get_or_init(|| all))
}

pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(Error::TooNew {
            path: path.to_owned(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in STEPS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_catalog_reaches_the_current_version() {
        let dir = tempfile::tempdir().unwrap();
        let cat = crate::Catalog::open(&dir.path().join("c.db")).unwrap();
        assert_eq!(cat.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(cat.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn newer_catalog_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.db");
        {
            let c = Connection::open(&p).unwrap();
            c.pragma_update(None, "user_version", 99).unwrap();
        }
        let err = crate::Catalog::open(&p).err().unwrap();
        assert!(matches!(err, Error::TooNew { found: 99, .. }), "{err}");
        let c = Connection::open(&p).unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 99);
    }

    #[test]
    fn garbage_file_is_reported_as_damaged_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.db");
        let junk = b"this is not a database, but someone's data".repeat(100);
        std::fs::write(&p, &junk).unwrap();
        let err = crate::Catalog::open(&p).err().unwrap();
        assert!(matches!(err, Error::Damaged { .. }), "{err}");
        assert_eq!(std::fs::read(&p).unwrap(), junk);
    }
}
