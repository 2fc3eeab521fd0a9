//! Organising: the timeline's month buckets, favourites, albums and the trash.
//!
//! Every change here bumps the `generation` setting, which is part of the catalog's fingerprint,
//! so the next backup uploads a fresh snapshot even when the counts did not change (one favourite
//! swapped for another, an album renamed).

use crate::{ASSET_COLUMNS, Asset, Catalog, Result, asset_from_row, now};
use rusqlite::{OptionalExtension, params, params_from_iter};
use serde::{Deserialize, Serialize};

/// A photo deleted for good here (see [`Catalog::purges`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purge {
    /// Each device whose log may tell of the photo, and how far another device must have read
    /// that log to have seen its trashing.
    pub frontier: std::collections::BTreeMap<String, i64>,
    /// When the trash was emptied (wall clock, ms).
    pub at_ms: u64,
}

/// Which photos a timeline shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "album", rename_all = "snake_case")]
pub enum View {
    /// Everything not in the trash.
    All,
    Favourites,
    Album(i64),
    Trash,
    /// What a search finds (see [`Catalog::search`]).
    Search(String, crate::SearchFilter),
    /// Photos taken inside an area of the map: south, west, north, east in millionths of a
    /// degree (a cluster of the Places view).
    Area([i64; 4]),
}

impl View {
    /// The `WHERE` clause and its parameters, numbered from `first` (an album id is an
    /// integer, written in).
    fn filter(&self, first: usize) -> (String, Vec<String>) {
        let fixed = |s: &str| (s.to_owned(), Vec::new());
        match self {
            // A Live Photo's video is shown with its photo, never on its own.
            View::All => fixed("trashed_at IS NULL AND motion_of IS NULL"),
            View::Favourites => fixed("trashed_at IS NULL AND favourite = 1 AND motion_of IS NULL"),
            View::Album(id) => (
                format!(
                    "trashed_at IS NULL AND motion_of IS NULL \
                     AND hash IN (SELECT hash FROM album_assets WHERE album_id = {id})"
                ),
                Vec::new(),
            ),
            View::Trash => fixed("trashed_at IS NOT NULL AND motion_of IS NULL"),
            View::Search(q, f) => crate::tidy::search_sql(q, f, first),
            View::Area([s, w, n, e]) => (
                format!(
                    "trashed_at IS NULL AND motion_of IS NULL AND gps_lat IS NOT NULL \
                     AND gps_lat >= {} AND gps_lat <= {} AND gps_lon >= {} AND gps_lon <= {}",
                    *s as f64 / 1e6,
                    *n as f64 / 1e6,
                    *w as f64 / 1e6,
                    *e as f64 / 1e6
                ),
                Vec::new(),
            ),
        }
    }
}

/// A cluster of the Places view: the photos with a position inside one cell of a grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceCell {
    /// Where its photos are on average.
    pub lat: f64,
    pub lon: f64,
    pub count: u64,
    /// Its newest photo, for a thumbnail.
    pub cover: String,
    /// The cell: south, west, north, east (degrees).
    pub bounds: [f64; 4],
}

/// A month of the timeline: `2023-07` and how many assets it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    pub month: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Album {
    pub id: i64,
    pub name: String,
    pub count: u64,
    /// Hash of the newest photo, for the cover.
    pub cover: Option<String>,
    pub created_at: String,
    /// Its originals are kept on this computer (`shoebox pin`).
    pub pinned: bool,
}

/// An object of one asset on one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreMark {
    pub target: String,
    pub kind: String,
    pub key: String,
    pub uploaded_at: String,
    pub verified_at: Option<String>,
}

/// Rows of (month, count) as buckets.
fn bucket_rows(
    stmt: &mut rusqlite::Statement<'_>,
    p: impl rusqlite::Params,
) -> Result<Vec<Bucket>> {
    let rows = stmt.query_map(p, |r| {
        Ok(Bucket {
            month: r.get(0)?,
            count: r.get::<_, i64>(1)? as u64,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn next_month(m: &str) -> Option<String> {
    let (y, mo) = m.split_once('-')?;
    let (y, mo): (i32, u32) = (y.parse().ok()?, mo.parse().ok()?);
    if !(1..=12).contains(&mo) {
        return None;
    }
    Some(if mo == 12 {
        format!("{:04}-01", y + 1)
    } else {
        format!("{y:04}-{:02}", mo + 1)
    })
}

/// A photo's parts: see [`Catalog::parts`].
#[derive(Debug, Default)]
pub struct Parts {
    pub motion: Option<Asset>,
    pub raw: Option<Asset>,
}

impl Catalog {
    pub(crate) fn bump_generation(&self) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES ('generation', '1') \
             ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
            [],
        )?;
        Ok(())
    }

    /// The photos with a position on the timeline, counted in cells of `cell` degrees inside
    /// `[south, west, north, east]`.
    pub fn place_cells(&self, cell: f64, area: [f64; 4]) -> Result<Vec<PlaceCell>> {
        let cell = if cell.is_finite() {
            cell.clamp(1e-4, 90.0)
        } else {
            10.0
        };
        let [s, w, n, e] = area;
        // Cells are floor(degrees / cell) (SQLite's bundled build has no floor(): a cast rounds
        // toward zero, and one is taken off below zero). max() picks the newest photo's row,
        // and its hash with it.
        let mut stmt = self.conn.prepare_cached(
            "SELECT CAST(gps_lat / ?1 AS INTEGER) - (gps_lat / ?1 < CAST(gps_lat / ?1 AS INTEGER)) AS gy, \
                    CAST(gps_lon / ?1 AS INTEGER) - (gps_lon / ?1 < CAST(gps_lon / ?1 AS INTEGER)) AS gx, \
                    count(*), avg(gps_lat), avg(gps_lon), max(taken_local), hash \
             FROM assets WHERE trashed_at IS NULL AND motion_of IS NULL \
             AND gps_lat IS NOT NULL AND gps_lat BETWEEN ?2 AND ?4 AND gps_lon BETWEEN ?3 AND ?5 \
             GROUP BY gy, gx",
        )?;
        let rows = stmt.query_map(params![cell, s, w, n, e], |r| {
            let (gy, gx): (i64, i64) = (r.get(0)?, r.get(1)?);
            Ok(PlaceCell {
                count: r.get::<_, i64>(2)? as u64,
                lat: r.get(3)?,
                lon: r.get(4)?,
                cover: r.get(6)?,
                bounds: [
                    gy as f64 * cell,
                    gx as f64 * cell,
                    (gy + 1) as f64 * cell,
                    (gx + 1) as f64 * cell,
                ],
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Month buckets of a view counted from its photos (what the kept counts must equal, and
    /// how a search or an area of the map is counted).
    pub fn buckets_counted(&self, view: &View) -> Result<Vec<Bucket>> {
        if matches!(view, View::Search(..)) {
            self.refresh_search()?;
        }
        let (filter, args) = view.filter(1);
        let sql = format!(
            "SELECT substr(taken_local, 1, 7) AS m, COUNT(*) FROM assets WHERE {filter} \
             GROUP BY m ORDER BY m DESC"
        );
        bucket_rows(&mut self.conn.prepare(&sql)?, params_from_iter(args.iter()))
    }

    /// Counts the months again from the photos (a catalog from a store: its counts are not
    /// taken as they came).
    pub fn recount_months(&self) -> Result<()> {
        self.conn.execute_batch(
            "BEGIN IMMEDIATE; DELETE FROM month_counts; \
             INSERT INTO month_counts \
               SELECT CASE WHEN trashed_at IS NULL THEN 'all' ELSE 'trash' END, \
                      substr(taken_local, 1, 7), count(*) \
               FROM assets WHERE motion_of IS NULL GROUP BY 1, 2; \
             INSERT INTO month_counts \
               SELECT 'favourites', substr(taken_local, 1, 7), count(*) FROM assets \
               WHERE motion_of IS NULL AND trashed_at IS NULL AND favourite = 1 GROUP BY 2; \
             DELETE FROM album_month_counts; \
             INSERT INTO album_month_counts \
               SELECT aa.album_id, substr(a.taken_local, 1, 7), count(*) \
               FROM album_assets aa JOIN assets a ON a.hash = aa.hash \
               WHERE a.trashed_at IS NULL AND a.motion_of IS NULL GROUP BY 1, 2; \
             COMMIT;",
        )?;
        Ok(())
    }

    /// Month buckets of a view, newest first. The whole timeline, the favourites, the trash
    /// and albums read counts kept by triggers; a search counts what it finds.
    pub fn buckets(&self, view: &View) -> Result<Vec<Bucket>> {
        let kept = match view {
            View::All => "all",
            View::Favourites => "favourites",
            View::Trash => "trash",
            View::Album(id) => {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT month, n FROM album_month_counts WHERE album_id = ?1 AND n > 0 \
                     ORDER BY month DESC",
                )?;
                return bucket_rows(&mut stmt, [id]);
            }
            View::Search(..) | View::Area(_) => return self.buckets_counted(view),
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT month, n FROM month_counts WHERE view = ?1 AND n > 0 ORDER BY month DESC",
        )?;
        bucket_rows(&mut stmt, [kept])
    }

    /// The assets of one month (`YYYY-MM`) of a view, newest first.
    pub fn assets_in_month(&self, view: &View, month: &str) -> Result<Vec<Asset>> {
        self.assets_in_month_page(view, month, 0, i64::MAX as u64)
    }

    /// `limit` assets of one month of a view from `offset`, newest first (a month of thousands
    /// is shown a page at a time).
    pub fn assets_in_month_page(
        &self,
        view: &View,
        month: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<Asset>> {
        let Some(end) = next_month(month) else {
            return Ok(Vec::new());
        };
        if matches!(view, View::Search(..)) {
            self.refresh_search()?;
        }
        let (filter, args) = view.filter(5);
        // A range on the indexed sort key, not substr(), so the index serves it.
        let sql = format!(
            "SELECT {ASSET_COLUMNS} FROM assets WHERE taken_local >= ?1 AND taken_local < ?2 \
             AND {filter} ORDER BY taken_local DESC, path \
             LIMIT CAST(?3 AS INTEGER) OFFSET CAST(?4 AS INTEGER)"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let (limit, offset) = (limit.min(i64::MAX as u64).to_string(), offset.to_string());
        let all: Vec<&str> = [month, end.as_str(), limit.as_str(), offset.as_str()]
            .into_iter()
            .chain(args.iter().map(String::as_str))
            .collect();
        let rows = stmt.query_map(params_from_iter(all), asset_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets or clears the favourite mark; returns how many assets changed.
    pub fn set_favourite(&mut self, hashes: &[String], on: bool) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare("UPDATE assets SET favourite = ?2 WHERE hash = ?1")?;
            for h in hashes {
                n += stmt.execute(params![h, on])?;
            }
        }
        tx.commit()?;
        self.bump_generation()?;
        Ok(n)
    }

    /// Moves assets to the trash (`on`) or back out of it.
    pub fn set_trashed(&mut self, hashes: &[String], on: bool) -> Result<usize> {
        self.set_trashed_at(hashes, on.then(now).as_deref())
    }

    /// [`Self::set_trashed`] with the time given (the same on every device that applies it).
    pub fn set_trashed_at(&mut self, hashes: &[String], at: Option<&str>) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare("UPDATE assets SET trashed_at = ?2 WHERE hash = ?1")?;
            for h in hashes {
                n += stmt.execute(params![h, at])?;
            }
        }
        tx.commit()?;
        self.bump_generation()?;
        Ok(n)
    }

    /// Sets (or clears) a photo's caption, the `description` its EXIF may have given it.
    pub fn set_caption(&mut self, hash: &str, text: Option<&str>) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE assets SET description = ?2 WHERE hash = ?1",
            params![hash, text],
        )?;
        self.bump_generation()?;
        Ok(n > 0)
    }

    /// Removes every trashed asset from the catalog (and from albums) and returns them, so that
    /// the caller deletes their files. The watch history stays, so a file still sitting in a
    /// watched folder is not imported again. Rows go first: a crash in between leaves a stray file in
    /// `originals/`, never a catalog row whose original is gone.
    ///
    /// Each photo is remembered as purged by `device` at `wall_ms`, with the part of the change
    /// logs that could tell other devices of it (see [`Catalog::purges`]).
    pub fn take_trash(&mut self, device: &str, wall_ms: u64) -> Result<Vec<Asset>> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let gone = {
            let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE trashed_at IS NOT NULL");
            let mut stmt = tx.prepare(&sql)?;
            stmt.query_map([], asset_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?
        };
        {
            // A photo other devices can know of through a log: this device's own once
            // announced (then they must have read this device's log as far as it is now,
            // which includes the trashing), another device's through that device's log (as
            // far as it was read here).
            let own_seq: i64 =
                tx.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
                    r.get(0)
                })?;
            let mut stmt = tx.prepare(
                "SELECT a.origin, a.announced, (SELECT p.applied_seq FROM peers p \
                 WHERE p.device = a.origin) FROM assets a WHERE a.hash = ?1",
            )?;
            let mut put = tx.prepare(
                "INSERT INTO purges (hash, frontier, at_ms) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (hash) DO UPDATE SET frontier = excluded.frontier, at_ms = excluded.at_ms",
            )?;
            for a in &gone {
                let (origin, announced, applied): (Option<String>, bool, Option<i64>) =
                    stmt.query_row([&a.hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                let mut frontier = std::collections::BTreeMap::new();
                match origin {
                    None if announced => {
                        frontier.insert(device.to_owned(), own_seq);
                    }
                    None => {}
                    Some(o) => {
                        frontier.insert(o, applied.unwrap_or(0));
                    }
                }
                let f = serde_json::to_string(&frontier).expect("json");
                put.execute(params![a.hash, f, wall_ms as i64])?;
            }
        }
        tx.execute(
            "DELETE FROM album_assets WHERE hash IN (SELECT hash FROM assets WHERE trashed_at IS NOT NULL)",
            [],
        )?;
        tx.execute(
            "DELETE FROM sidecars WHERE hash IN (SELECT hash FROM assets WHERE trashed_at IS NOT NULL)",
            [],
        )?;
        tx.execute("DELETE FROM assets WHERE trashed_at IS NOT NULL", [])?;
        tx.commit()?;
        self.bump_generation()?;
        Ok(gone)
    }

    /// When each of `hashes` was deleted for good here and what other devices must have read
    /// of the change logs before its store bytes may go (see [`Catalog::take_trash`]). Photos
    /// deleted before this was recorded are absent: for them only the snapshots count.
    pub fn purges(&self, hashes: &[String]) -> Result<std::collections::HashMap<String, Purge>> {
        let mut out = std::collections::HashMap::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT frontier, at_ms FROM purges WHERE hash = ?1")?;
        for h in hashes {
            if let Some((f, at)) = stmt
                .query_row([h], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
                .optional()?
            {
                out.insert(
                    h.clone(),
                    Purge {
                        frontier: serde_json::from_str(&f).unwrap_or_default(),
                        at_ms: at.max(0) as u64,
                    },
                );
            }
        }
        Ok(out)
    }

    /// Makes `video` the motion part of the Live Photo `photo`.
    pub fn set_motion_of(&mut self, video: &str, photo: &str) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE assets SET motion_of = ?2 WHERE hash = ?1 AND kind = 'video' \
             AND (motion_of IS NULL OR motion_of != ?2)",
            params![video, photo],
        )?;
        if n > 0 {
            self.bump_generation()?;
        }
        Ok(n > 0)
    }

    /// Makes the camera RAW `raw` part of the RAW+JPEG pair shown as `jpeg`. The same column as
    /// a Live Photo's motion part ("shown with"): the part's kind says which it is.
    pub fn set_raw_of(&mut self, raw: &str, jpeg: &str) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE assets SET motion_of = ?2 WHERE hash = ?1 AND kind = 'photo' AND hash != ?2 \
             AND (motion_of IS NULL OR motion_of != ?2) \
             AND EXISTS (SELECT 1 FROM assets WHERE hash = ?2 AND motion_of IS NULL)",
            params![raw, jpeg],
        )?;
        if n > 0 {
            self.bump_generation()?;
        }
        Ok(n > 0)
    }

    /// A photo's parts, in one query: a Live Photo's video (motion) and a RAW+JPEG pair's RAW;
    /// the part's kind says which.
    pub fn parts(&self, photo: &str) -> Result<Parts> {
        let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE motion_of = ?1");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut parts = Parts::default();
        for a in stmt.query_map([photo], asset_from_row)? {
            let a = a?;
            let slot = match a.meta.kind {
                shoebox_types::Kind::Video => &mut parts.motion,
                shoebox_types::Kind::Photo => &mut parts.raw,
            };
            slot.get_or_insert(a);
        }
        Ok(parts)
    }

    /// The parts (Live Photo motion, a pair's RAW) of these photos (their hashes).
    pub fn parts_of(&self, photos: &[String]) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT hash FROM assets WHERE motion_of = ?1")?;
        let mut out = Vec::new();
        for p in photos {
            for h in stmt.query_map([p], |r| r.get::<_, String>(0))? {
                out.push(h?);
            }
        }
        Ok(out)
    }

    /// Assets imported from the same folder under the same name stem (any extension) as
    /// `source_path`, other than `hash`: a Live Photo's other half. One index range (it runs
    /// for every file an import adds).
    pub fn same_stem(&self, source_path: &str, hash: &str) -> Result<Vec<Asset>> {
        let p = std::path::Path::new(source_path);
        let (Some(dir), Some(stem)) = (p.parent(), p.file_stem()) else {
            return Ok(Vec::new());
        };
        // `<dir>/<stem>.` up to, not including, `<dir>/<stem>/` ('/' follows '.').
        let base = format!(
            "{}{}{}",
            dir.display(),
            std::path::MAIN_SEPARATOR,
            stem.to_string_lossy()
        );
        let sql = format!(
            "SELECT {ASSET_COLUMNS}, source_path FROM assets \
             WHERE source_path >= ?1 AND source_path < ?2 AND hash != ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![format!("{base}."), format!("{base}/"), hash], |r| {
            Ok((asset_from_row(r)?, r.get::<_, String>("source_path")?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (a, src) = row?;
            // The range also holds `<stem>.x.y`: the stem must be the same.
            if std::path::Path::new(&src).file_stem() == Some(stem) {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// Keeps what a Google Takeout sidecar (`name`) said about a photo, as it was.
    pub fn put_sidecar(&mut self, hash: &str, name: &str, json: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sidecars (hash, name, json) VALUES (?1, ?2, ?3) \
             ON CONFLICT (hash) DO UPDATE SET name = excluded.name, json = excluded.json",
            params![hash, name, json],
        )?;
        Ok(())
    }

    /// A photo's kept Takeout sidecar: its file name and JSON.
    pub fn sidecar(&self, hash: &str) -> Result<Option<(String, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT name, json FROM sidecars WHERE hash = ?1",
                [hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// How far this catalog had applied each other device's log (empty for a catalog that
    /// predates change logs). Read from other devices' snapshots.
    pub fn applied_map(&self) -> Result<std::collections::HashMap<String, i64>> {
        let has: bool = self.conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'peers'",
            [],
            |r| r.get(0),
        )?;
        if !has {
            return Ok(Default::default());
        }
        let mut stmt = self.conn.prepare("SELECT device, applied_seq FROM peers")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn albums(&self) -> Result<Vec<Album>> {
        let mut stmt = self.conn.prepare(
            "SELECT al.id, al.name, al.created_at, \
               (SELECT COUNT(*) FROM album_assets aa JOIN assets a ON a.hash = aa.hash \
                 WHERE aa.album_id = al.id AND a.trashed_at IS NULL), \
               (SELECT a.hash FROM album_assets aa JOIN assets a ON a.hash = aa.hash \
                 WHERE aa.album_id = al.id AND a.trashed_at IS NULL \
                 ORDER BY a.taken_local DESC LIMIT 1), al.pinned \
             FROM albums al ORDER BY al.name COLLATE NOCASE, al.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Album {
                id: r.get(0)?,
                name: r.get(1)?,
                created_at: r.get(2)?,
                count: r.get::<_, i64>(3)? as u64,
                cover: r.get(4)?,
                pinned: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn album(&self, id: i64) -> Result<Option<Album>> {
        Ok(self.albums()?.into_iter().find(|a| a.id == id))
    }

    pub fn album_create(&mut self, name: &str) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO albums (name, created_at, uid) VALUES (?1, ?2, ?3)",
            params![name, now(), format!("{:016x}", fastrand::u64(..))],
        )?;
        let id = self.conn.last_insert_rowid();
        self.bump_generation()?;
        Ok(id)
    }

    /// Returns false when there is no such album.
    pub fn album_rename(&mut self, id: i64, name: &str) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE albums SET name = ?2 WHERE id = ?1",
            params![id, name],
        )?;
        self.bump_generation()?;
        Ok(n == 1)
    }

    /// Deletes the album, never its photos.
    pub fn album_delete(&mut self, id: i64) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM album_assets WHERE album_id = ?1", [id])?;
        let n = tx.execute("DELETE FROM albums WHERE id = ?1", [id])?;
        tx.commit()?;
        self.bump_generation()?;
        Ok(n == 1)
    }

    /// Adds assets to an album; returns how many were not in it yet.
    pub fn album_add(&mut self, id: i64, hashes: &[String]) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let exists: Option<i64> = tx
            .query_row("SELECT id FROM albums WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        if exists.is_none() {
            return Ok(0);
        }
        let mut n = 0;
        {
            let mut stmt = tx.prepare(
                "INSERT OR IGNORE INTO album_assets (album_id, hash, added_at) \
                 SELECT ?1, hash, ?3 FROM assets WHERE hash = ?2",
            )?;
            let at = now();
            for h in hashes {
                n += stmt.execute(params![id, h, at])?;
            }
        }
        tx.commit()?;
        self.bump_generation()?;
        Ok(n)
    }

    pub fn album_remove(&mut self, id: i64, hashes: &[String]) -> Result<usize> {
        if hashes.is_empty() {
            return Ok(0);
        }
        let marks = vec!["?"; hashes.len()].join(",");
        let sql = format!("DELETE FROM album_assets WHERE album_id = {id} AND hash IN ({marks})");
        let n = self.conn.execute(&sql, params_from_iter(hashes))?;
        self.bump_generation()?;
        Ok(n)
    }

    /// The id an album has on every device.
    pub fn album_uid(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT uid FROM albums WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// Keeps (or stops keeping) an album's originals on this computer.
    pub fn set_pinned(&mut self, id: i64, on: bool) -> Result<bool> {
        Ok(self.conn.execute(
            "UPDATE albums SET pinned = ?2 WHERE id = ?1",
            params![id, on],
        )? > 0)
    }

    /// Photos in pinned albums and their parts, by hash.
    pub fn pinned_photos(&self) -> Result<Vec<String>> {
        // With their parts (a Live Photo's video, a RAW+JPEG pair's RAW): kept with the photo.
        let mut stmt = self.conn.prepare(
            "WITH kept AS (SELECT aa.hash FROM album_assets aa \
                           JOIN albums al ON al.id = aa.album_id WHERE al.pinned = 1) \
             SELECT hash FROM kept \
             UNION SELECT a.hash FROM assets a JOIN kept ON a.motion_of = kept.hash \
             ORDER BY 1",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The photos in an album, by hash.
    pub fn album_members(&self, id: i64) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT hash FROM album_assets WHERE album_id = ?1 ORDER BY hash")?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Albums an asset is in.
    pub fn albums_of(&self, hash: &str) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT album_id FROM album_assets WHERE hash = ?1 ORDER BY album_id")?;
        let rows = stmt.query_map([hash], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Where an asset is backed up: one row per target and kind of object.
    pub fn store_marks(&self, hash: &str) -> Result<Vec<StoreMark>> {
        let mut stmt = self.conn.prepare(
            "SELECT target, kind, key, uploaded_at, verified_at FROM store_objects \
             WHERE hash = ?1 ORDER BY target, kind",
        )?;
        let rows = stmt.query_map([hash], |r| {
            Ok(StoreMark {
                target: r.get(0)?,
                kind: r.get(1)?,
                key: r.get(2)?,
                uploaded_at: r.get(3)?,
                verified_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
pub(crate) mod tests;
