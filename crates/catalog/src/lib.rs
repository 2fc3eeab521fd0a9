//! The Shoebox catalog: one SQLite file that indexes the library's originals.
//!
//! ```no_run
//! let cat = shoebox_catalog::Catalog::open(std::path::Path::new("lib/.shoebox/catalog.db")).unwrap();
//! for asset in cat.list_assets().unwrap() {
//!     println!("{} {}", asset.taken_at(), asset.path);
//! }
//! ```
//!
//! The catalog never deletes or recreates a damaged database file: it reports it and stops.

mod error;
mod migrations;
mod organise;

pub use error::{Error, Result};
pub use migrations::SCHEMA_VERSION;
pub use organise::{Album, Bucket, StoreMark, View};

use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use shoebox_types::{CaptureTime, Gps, Kind, Metadata, TimeSource};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// State of an asset's thumbnails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThumbState {
    /// Grid and preview thumbnails exist in `.shoebox/thumbs/`.
    Ok,
    /// No decoder for this file here (HEIC without libheif, video without ffmpeg): "no preview".
    Unsupported,
    /// Decoding failed; the original is kept.
    Failed,
}

impl ThumbState {
    fn as_str(self) -> &'static str {
        match self {
            ThumbState::Ok => "ok",
            ThumbState::Unsupported => "unsupported",
            ThumbState::Failed => "failed",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "ok" => ThumbState::Ok,
            "unsupported" => ThumbState::Unsupported,
            _ => ThumbState::Failed,
        }
    }
}

/// One original in the library, as `shoebox ls --json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    /// Hex BLAKE3 of the bytes: the identity.
    pub hash: String,
    /// Relative to the library, with `/`: `originals/2023/07/IMG_0042.JPG`.
    pub path: String,
    pub original_name: String,
    pub size: u64,
    #[serde(flatten)]
    pub meta: Metadata,
    pub imported_at: String,
    pub has_thumbnail: bool,
    pub thumb_state: ThumbState,
    pub favourite: bool,
    /// When it was moved to the trash; the original stays until the trash is emptied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trashed_at: Option<String>,
}

impl Asset {
    pub fn taken_at(&self) -> CaptureTime {
        self.meta.taken_at
    }
}

/// What an import adds.
#[derive(Debug, Clone)]
pub struct NewAsset {
    pub hash: String,
    pub path: String,
    pub original_name: String,
    pub size: u64,
    pub meta: Metadata,
    pub thumb_state: ThumbState,
    pub source_path: Option<String>,
}

/// Counts for `shoebox status`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub assets: u64,
    pub bytes: u64,
    pub photos: u64,
    pub videos: u64,
    pub thumbnails_missing: u64,
}

/// A finished import, as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRecord {
    pub started_at: String,
    pub finished_at: String,
    pub imported: u64,
    pub duplicates: u64,
    pub skipped: u64,
    pub rejected: u64,
}

/// A file placed in `originals/` whose catalog row may not be committed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub path: String,
    pub hash: String,
    pub original_name: String,
    pub source_path: Option<String>,
}

/// One object a target holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreObject {
    pub hash: String,
    /// `original`, or `thumb-<size>`.
    pub kind: String,
    pub key: String,
    pub size: u64,
    pub verified_at: Option<String>,
}

/// What the status panel shows for a target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreState {
    pub last_backup: Option<String>,
    pub last_result: Option<String>,
    pub last_verify: Option<String>,
    pub last_verify_ok: Option<bool>,
    pub last_error: Option<String>,
    /// Catalog fingerprint at the last snapshot uploaded.
    #[serde(skip)]
    pub snapshot_mark: Option<String>,
    /// Catalog fingerprint and thumbnail sizes when a backup last left nothing behind.
    #[serde(skip)]
    pub complete_mark: Option<String>,
}

/// What a watch folder did with one file version.
#[derive(Debug, Clone)]
pub struct WatchSeen {
    pub path: String,
    pub size: u64,
    pub mtime_ns: i64,
    /// `imported`, `duplicate`, `skipped` or `rejected`.
    pub outcome: String,
    pub reason: Option<String>,
}

/// A connection to the catalog. Use one writer per library; readers may open more.
pub struct Catalog {
    conn: Connection,
    path: PathBuf,
}

const ASSET_COLUMNS: &str = "hash, path, original_name, size, kind, mime, taken_local, taken_offset, \
    taken_source, width, height, orientation, make, model, lens, iso, exposure_time, f_number, \
    focal_length_mm, gps_lat, gps_lon, gps_alt, duration_ms, description, imported_at, thumb_state, \
    favourite, trashed_at";

impl Catalog {
    /// Opens (creating if needed) and migrates the catalog at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let wrap = |source| Error::Sqlite {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(wrap)?;
        conn.busy_timeout(Duration::from_secs(30)).map_err(wrap)?;
        // A file that is not a database fails here, before anything is written to it.
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(|e| damaged_or(path, e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Damaged {
                path: path.to_owned(),
                detail: format!("journal mode is {mode}, expected wal"),
            });
        }
        // FULL: a committed import survives power loss, not only a crash of the process. On macOS
        // that also takes F_FULLFSYNC (`fullfsync`); a plain fsync there does not reach the disk.
        // `trusted_schema=OFF`: a catalog that came from a store cannot run functions from its
        // views or triggers.
        conn.execute_batch(
            "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF;",
        )
        .map_err(wrap)?;
        #[cfg(target_os = "macos")]
        conn.execute_batch("PRAGMA fullfsync=ON; PRAGMA checkpoint_fullfsync=ON;")
            .map_err(wrap)?;
        let mut cat = Catalog {
            conn,
            path: path.to_owned(),
        };
        migrations::migrate(&mut cat.conn, path)?;
        Ok(cat)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens a catalog that came from somewhere we do not trust (another device's snapshot on a
    /// store) to read it: read-only, no extensions, `trusted_schema=OFF`, and refused unless
    /// `integrity_check` says ok, its schema is one this build knows, and it holds no views or
    /// triggers (Shoebox's schema has none; a planted one could run on our reads or writes).
    pub fn open_untrusted(path: &Path) -> Result<Self> {
        let wrap = |source| Error::Sqlite {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(wrap)?;
        conn.execute_batch("PRAGMA trusted_schema=OFF; PRAGMA query_only=ON;")
            .map_err(wrap)?;
        let cat = Catalog {
            conn,
            path: path.to_owned(),
        };
        let damaged = |detail: String| Error::Damaged {
            path: path.to_owned(),
            detail,
        };
        let check = cat
            .integrity_check()
            .map_err(|e| damaged(format!("not a readable catalog: {e}")))?;
        if check != "ok" {
            return Err(damaged(check));
        }
        let version = cat.schema_version()?;
        if version > migrations::SCHEMA_VERSION {
            return Err(Error::TooNew {
                path: path.to_owned(),
                found: version,
                supported: migrations::SCHEMA_VERSION,
            });
        }
        if version < 1 {
            return Err(damaged("no Shoebox schema in it".into()));
        }
        let planted: Vec<String> = cat
            .conn
            .prepare(
                "SELECT type || ' ' || name FROM sqlite_schema WHERE type IN ('view', 'trigger')",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if !planted.is_empty() {
            return Err(damaged(format!(
                "holds {} that Shoebox never writes: {}",
                if planted.len() == 1 {
                    "an object"
                } else {
                    "objects"
                },
                planted.join(", ")
            )));
        }
        Ok(cat)
    }

    /// `PRAGMA integrity_check`: "ok" or the problems SQLite found.
    pub fn integrity_check(&self) -> Result<String> {
        let rows: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows.join("; "))
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    pub fn asset_by_hash(&self, hash: &str) -> Result<Option<Asset>> {
        let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE hash = ?1");
        Ok(self
            .conn
            .query_row(&sql, [hash], asset_from_row)
            .optional()?)
    }

    pub fn asset_by_path(&self, path: &str) -> Result<Option<Asset>> {
        let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE path = ?1");
        Ok(self
            .conn
            .query_row(&sql, [path], asset_from_row)
            .optional()?)
    }

    /// Assets whose hash starts with `prefix` (at most `limit`).
    pub fn assets_by_hash_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<Asset>> {
        let sql = format!(
            "SELECT {ASSET_COLUMNS} FROM assets WHERE hash >= ?1 AND hash < ?1 || 'g' \
             ORDER BY hash LIMIT ?2"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(
            params![prefix.to_ascii_lowercase(), limit as i64],
            asset_from_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Opens a catalog fetched from a store: checked as [`Self::open_untrusted`] says, then opened
    /// (and migrated) as a working copy.
    pub fn open_from_store(path: &Path) -> Result<Self> {
        drop(Catalog::open_untrusted(path)?);
        Catalog::open(path)
    }

    /// Moves an asset's row to another path (the file is the caller's business).
    pub fn set_asset_path(&self, hash: &str, path: &str) -> Result<bool> {
        Ok(self.conn.execute(
            "UPDATE assets SET path = ?2 WHERE hash = ?1",
            params![hash, path],
        )? > 0)
    }

    /// Removes rows that cannot stand for any photo (a malformed hash), with their album entries
    /// and store records.
    pub fn drop_asset_rows(&mut self, hashes: &[String]) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut n = 0;
        for h in hashes {
            tx.execute("DELETE FROM album_assets WHERE hash = ?1", [h])?;
            tx.execute("DELETE FROM store_objects WHERE hash = ?1", [h])?;
            n += tx.execute("DELETE FROM assets WHERE hash = ?1", [h])?;
        }
        tx.commit()?;
        Ok(n)
    }

    /// The paths of the assets directly inside `folder` (`originals/2023/07`).
    pub fn paths_in_folder(&self, folder: &str) -> Result<Vec<String>> {
        // `folder/` <= path < `folder0`: every path that starts with `folder/` ('0' follows '/').
        let mut stmt = self.conn.prepare_cached(
            "SELECT path FROM assets WHERE path >= ?1 || '/' AND path < ?1 || '0'",
        )?;
        let rows = stmt.query_map([folder], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for p in rows {
            let p = p?;
            if !p[folder.len() + 1..].contains('/') {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Whether a path in the library is taken by a catalog row.
    pub fn path_taken(&self, path: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM assets WHERE path = ?1", [path], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Every asset, newest first.
    pub fn list_assets(&self) -> Result<Vec<Asset>> {
        let sql = format!("SELECT {ASSET_COLUMNS} FROM assets ORDER BY taken_local DESC, path");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], asset_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every hash in the catalog (for quick duplicate checks).
    pub fn all_hashes(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT hash FROM assets")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every store key this catalog records on any target, and every asset path (a device that
    /// predates `store_objects` stored originals at their library paths). Read from other
    /// devices' snapshots so that a prune never deletes what they rely on.
    pub fn referenced_keys(&self) -> Result<Vec<String>> {
        let mut out: Vec<String> = {
            let mut stmt = self.conn.prepare("SELECT path FROM assets")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let has_objects: bool = self.conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'store_objects'",
            [],
            |r| r.get(0),
        )?;
        if has_objects {
            let mut stmt = self.conn.prepare("SELECT key FROM store_objects")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            for k in rows {
                out.push(k?);
            }
        }
        Ok(out)
    }

    /// Records that `path` is about to be placed; committed before the file appears.
    pub fn add_pending(&self, p: &Pending) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO pending (path, hash, original_name, source_path, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![p.path, p.hash, p.original_name, p.source_path, now()],
        )?;
        Ok(())
    }

    /// [`Self::add_pending`] for many, in one transaction.
    pub fn add_pending_all(&mut self, all: &[Pending]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare(
                "INSERT OR REPLACE INTO pending (path, hash, original_name, source_path, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let now = now();
            for p in all {
                stmt.execute(params![p.path, p.hash, p.original_name, p.source_path, now])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn pending(&self) -> Result<Vec<Pending>> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, hash, original_name, source_path FROM pending")?;
        let rows = stmt.query_map([], |r| {
            Ok(Pending {
                path: r.get(0)?,
                hash: r.get(1)?,
                original_name: r.get(2)?,
                source_path: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn remove_pending(&self, path: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM pending WHERE path = ?1", [path])?;
        Ok(())
    }

    /// Inserts the asset and clears its pending entry in one transaction.
    pub fn insert_asset(&mut self, a: &NewAsset) -> Result<()> {
        self.insert_assets(std::slice::from_ref(a))
    }

    /// Inserts assets and clears their pending entries in one transaction.
    pub fn insert_assets(&mut self, all: &[NewAsset]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut ins = tx.prepare(
                "INSERT INTO assets (hash, path, original_name, size, kind, mime, taken_local, \
                 taken_offset, taken_source, width, height, orientation, make, model, lens, iso, \
                 exposure_time, f_number, focal_length_mm, gps_lat, gps_lon, gps_alt, duration_ms, \
                 description, imported_at, thumb_state, favourite, source_path) \
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22, \
                 ?23,?24,?25,?26,0,?27)",
            )?;
            let mut del = tx.prepare("DELETE FROM pending WHERE path = ?1")?;
            let now = now();
            for a in all {
                let m = &a.meta;
                ins.execute(params![
                    a.hash,
                    a.path,
                    a.original_name,
                    a.size as i64,
                    m.kind.as_str(),
                    m.mime,
                    m.taken_at.local_key(),
                    m.taken_at.offset_minutes,
                    m.taken_at_source.as_str(),
                    m.width,
                    m.height,
                    m.orientation,
                    m.make,
                    m.model,
                    m.lens,
                    m.iso,
                    m.exposure_time,
                    m.f_number,
                    m.focal_length_mm,
                    m.gps.map(|g| g.lat),
                    m.gps.map(|g| g.lon),
                    m.gps.and_then(|g| g.alt),
                    m.duration_ms.map(|d| d as i64),
                    m.description,
                    now,
                    a.thumb_state.as_str(),
                    a.source_path,
                ])?;
                del.execute([&a.path])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn set_thumb_state(&self, hash: &str, state: ThumbState) -> Result<()> {
        self.conn.execute(
            "UPDATE assets SET thumb_state = ?2 WHERE hash = ?1",
            params![hash, state.as_str()],
        )?;
        Ok(())
    }

    pub fn counts(&self) -> Result<Counts> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(size),0), \
             COALESCE(SUM(kind='photo'),0), COALESCE(SUM(kind='video'),0), \
             COALESCE(SUM(thumb_state <> 'ok'),0) FROM assets",
            [],
            |r| {
                Ok(Counts {
                    assets: r.get::<_, i64>(0)? as u64,
                    bytes: r.get::<_, i64>(1)? as u64,
                    photos: r.get::<_, i64>(2)? as u64,
                    videos: r.get::<_, i64>(3)? as u64,
                    thumbnails_missing: r.get::<_, i64>(4)? as u64,
                })
            },
        )?)
    }

    pub fn record_import(&self, r: &ImportRecord) -> Result<()> {
        self.conn.execute(
            "INSERT INTO imports (started_at, finished_at, imported, duplicates, skipped, rejected) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                r.started_at,
                r.finished_at,
                r.imported as i64,
                r.duplicates as i64,
                r.skipped as i64,
                r.rejected as i64
            ],
        )?;
        Ok(())
    }

    pub fn last_import(&self) -> Result<Option<ImportRecord>> {
        Ok(self
            .conn
            .query_row(
                "SELECT started_at, finished_at, imported, duplicates, skipped, rejected \
                 FROM imports ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(ImportRecord {
                        started_at: r.get(0)?,
                        finished_at: r.get(1)?,
                        imported: r.get::<_, i64>(2)? as u64,
                        duplicates: r.get::<_, i64>(3)? as u64,
                        skipped: r.get::<_, i64>(4)? as u64,
                        rejected: r.get::<_, i64>(5)? as u64,
                    })
                },
            )
            .optional()?)
    }

    /// Every file version a watch folder has handed over: path → (size, mtime ns).
    pub fn watch_seen(&self) -> Result<std::collections::HashMap<String, (u64, i64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, size, mtime_ns FROM watch_seen")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                (r.get::<_, i64>(1)? as u64, r.get::<_, i64>(2)?),
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records what happened to watched files, in one transaction.
    pub fn mark_watch_seen(&mut self, rows: &[WatchSeen]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO watch_seen (path, size, mtime_ns, outcome, reason, seen_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(path) DO UPDATE SET \
                 size = excluded.size, mtime_ns = excluded.mtime_ns, outcome = excluded.outcome, \
                 reason = excluded.reason, seen_at = excluded.seen_at",
            )?;
            let now = now();
            for w in rows {
                stmt.execute(params![
                    w.path,
                    w.size as i64,
                    w.mtime_ns,
                    w.outcome,
                    w.reason,
                    now
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// What `target` holds, keyed by (hash, kind).
    pub fn store_objects(&self, target: &str) -> Result<Vec<StoreObject>> {
        let mut stmt = self.conn.prepare(
            "SELECT hash, kind, key, size, verified_at FROM store_objects WHERE target = ?1",
        )?;
        let rows = stmt.query_map([target], store_object_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Objects `target` holds for assets no longer in the catalog (deleted from the trash): what
    /// `shoebox prune` may delete.
    pub fn store_orphans(&self, target: &str) -> Result<Vec<StoreObject>> {
        let mut stmt = self.conn.prepare(
            "SELECT hash, kind, key, size, verified_at FROM store_objects s WHERE target = ?1 \
             AND (kind = 'original' OR kind LIKE 'thumb-%') \
             AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.hash = s.hash) ORDER BY key",
        )?;
        let rows = stmt.query_map([target], store_object_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Forgets objects of `target` (after they were deleted from it).
    /// Forgets everything recorded about `target`: its objects and its backup state (the store
    /// itself is not touched).
    pub fn forget_target(&mut self, target: &str) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM store_objects WHERE target = ?1", [target])?;
        tx.execute("DELETE FROM store_state WHERE target = ?1", [target])?;
        tx.commit()?;
        Ok(())
    }

    pub fn forget_store_objects(&mut self, target: &str, objs: &[StoreObject]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare(
                "DELETE FROM store_objects WHERE target = ?1 AND hash = ?2 AND kind = ?3",
            )?;
            for o in objs {
                stmt.execute(params![target, o.hash, o.kind])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Assets whose original `target` does not hold yet (an index lookup each: a no-op backup
    /// of a large library costs one query that returns nothing).
    pub fn assets_missing_on(&self, target: &str) -> Result<Vec<Asset>> {
        let sql = format!(
            "SELECT {ASSET_COLUMNS} FROM assets a WHERE NOT EXISTS (SELECT 1 FROM store_objects s \
             WHERE s.target = ?1 AND s.hash = a.hash AND s.kind = 'original') ORDER BY a.id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([target], asset_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many assets' originals `target` does not hold yet, counted in SQL.
    pub fn count_missing_on(&self, target: &str) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM assets a WHERE NOT EXISTS (SELECT 1 FROM store_objects s \
             WHERE s.target = ?1 AND s.hash = a.hash AND s.kind = 'original')",
            [target],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Objects and bytes the catalog knows `target` holds.
    pub fn store_totals(&self, target: &str) -> Result<(u64, u64)> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM store_objects WHERE target = ?1",
            [target],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
        )?)
    }

    /// Hashes of assets with thumbnails whose `kind` object `target` does not hold yet.
    pub fn thumbs_missing_on(&self, target: &str, kind: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT hash FROM assets a WHERE thumb_state = 'ok' AND NOT EXISTS (SELECT 1 FROM \
             store_objects s WHERE s.target = ?1 AND s.hash = a.hash AND s.kind = ?2) ORDER BY a.id",
        )?;
        let rows = stmt.query_map(params![target, kind], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Any target's key for an original (snapshots carry the keys of the device that made them).
    pub fn store_key_for(&self, hash: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT key FROM store_objects WHERE hash = ?1 AND kind = 'original' LIMIT 1",
                [hash],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Records uploads (or objects found already there), in one transaction.
    pub fn put_store_objects(&mut self, target: &str, objs: &[StoreObject]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO store_objects (target, hash, kind, key, size, uploaded_at, verified_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(target, hash, kind) DO UPDATE SET \
                 key = excluded.key, size = excluded.size, verified_at = excluded.verified_at",
            )?;
            let now = now();
            for o in objs {
                stmt.execute(params![
                    target,
                    o.hash,
                    o.kind,
                    o.key,
                    o.size as i64,
                    now,
                    o.verified_at
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn store_state(&self, target: &str) -> Result<StoreState> {
        Ok(self
            .conn
            .query_row(
                "SELECT last_backup, last_result, last_verify, last_verify_ok, last_error, snapshot_mark, \
                 complete_mark \
                 FROM store_state WHERE target = ?1",
                [target],
                |r| {
                    Ok(StoreState {
                        last_backup: r.get(0)?,
                        last_result: r.get(1)?,
                        last_verify: r.get(2)?,
                        last_verify_ok: r.get(3)?,
                        last_error: r.get(4)?,
                        snapshot_mark: r.get(5)?,
                        complete_mark: r.get(6)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    /// Like [`Catalog::set_store_state`], for a record that is informational only (the time of a
    /// backup that found nothing to do): committed without waiting for the disk (WAL with
    /// synchronous=NORMAL: a power cut may lose it, never corrupts the catalog), so that a no-op
    /// backup does not wait seconds for an fsync on a busy disk.
    pub fn note_store_state(&self, target: &str, s: &StoreState) -> Result<()> {
        self.conn.execute_batch("PRAGMA synchronous=NORMAL")?;
        let r = self.set_store_state(target, s);
        self.conn.execute_batch("PRAGMA synchronous=FULL")?;
        r
    }

    pub fn set_store_state(&self, target: &str, s: &StoreState) -> Result<()> {
        self.conn.execute(
            "INSERT INTO store_state (target, last_backup, last_result, last_verify, last_verify_ok, \
             last_error, snapshot_mark, complete_mark) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT(target) DO UPDATE SET \
             last_backup = excluded.last_backup, last_result = excluded.last_result, \
             last_verify = excluded.last_verify, last_verify_ok = excluded.last_verify_ok, \
             last_error = excluded.last_error, snapshot_mark = excluded.snapshot_mark, \
             complete_mark = excluded.complete_mark",
            params![
                target,
                s.last_backup,
                s.last_result,
                s.last_verify,
                s.last_verify_ok,
                s.last_error,
                s.snapshot_mark,
                s.complete_mark
            ],
        )?;
        Ok(())
    }

    /// Changes whenever something a snapshot holds changes (assets, favourites, albums, keys),
    /// and when thumbnails become available.
    pub fn fingerprint(&self) -> Result<String> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || total(favourite) || ':' || \
             count(trashed_at) || ':' || total(thumb_state = 'ok') FROM assets) || '|' || (SELECT count(*) FROM albums) || '|' || \
             (SELECT count(*) FROM album_assets) || '|' || (SELECT count(*) FROM store_objects) || '|' || \
             coalesce((SELECT value FROM settings WHERE key = 'generation'), '0')",
            [],
            |r| r.get(0),
        )?)
    }

    /// A consistent copy of the whole catalog at `dest` (which must not exist).
    pub fn snapshot_to(&self, dest: &Path) -> Result<()> {
        self.conn
            .execute("VACUUM INTO ?1", [dest.to_string_lossy()])?;
        Ok(())
    }

    /// A setting stored as JSON text.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) \
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

fn damaged_or(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            Error::Damaged {
                path: path.to_owned(),
                detail: e.to_string(),
            }
        }
        _ => Error::Sqlite {
            path: path.to_owned(),
            source: e,
        },
    }
}

/// Now, in UTC, RFC 3339 with seconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn store_object_from_row(r: &Row<'_>) -> rusqlite::Result<StoreObject> {
    Ok(StoreObject {
        hash: r.get(0)?,
        kind: r.get(1)?,
        key: r.get(2)?,
        size: r.get::<_, i64>(3)? as u64,
        verified_at: r.get(4)?,
    })
}

fn asset_from_row(r: &Row<'_>) -> rusqlite::Result<Asset> {
    let local: String = r.get("taken_local")?;
    let offset: Option<i32> = r.get("taken_offset")?;
    let taken_at = CaptureTime::parse(&local)
        .map(|t| CaptureTime {
            local: t.local,
            offset_minutes: offset,
        })
        .ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                6,
                rusqlite::types::Type::Text,
                format!("bad capture time {local:?}").into(),
            )
        })?;
    let kind: String = r.get("kind")?;
    let source: String = r.get("taken_source")?;
    let lat: Option<f64> = r.get("gps_lat")?;
    let lon: Option<f64> = r.get("gps_lon")?;
    let thumb_state = ThumbState::parse(&r.get::<_, String>("thumb_state")?);
    Ok(Asset {
        hash: r.get("hash")?,
        path: r.get("path")?,
        original_name: r.get("original_name")?,
        size: r.get::<_, i64>("size")? as u64,
        meta: Metadata {
            kind: Kind::parse(&kind).unwrap_or(Kind::Photo),
            mime: r.get("mime")?,
            taken_at,
            taken_at_source: TimeSource::parse(&source).unwrap_or(TimeSource::Mtime),
            width: r.get("width")?,
            height: r.get("height")?,
            orientation: r.get("orientation")?,
            make: r.get("make")?,
            model: r.get("model")?,
            lens: r.get("lens")?,
            iso: r.get("iso")?,
            exposure_time: r.get("exposure_time")?,
            f_number: r.get("f_number")?,
            focal_length_mm: r.get("focal_length_mm")?,
            gps: match (lat, lon) {
                (Some(lat), Some(lon)) => Some(Gps {
                    lat,
                    lon,
                    alt: r.get("gps_alt")?,
                }),
                _ => None,
            },
            duration_ms: r.get::<_, Option<i64>>(22)?.map(|d| d as u64),
            description: r.get("description")?,
        },
        imported_at: r.get("imported_at")?,
        has_thumbnail: thumb_state == ThumbState::Ok,
        thumb_state,
        favourite: r.get("favourite")?,
        trashed_at: r.get("trashed_at")?,
    })
}
