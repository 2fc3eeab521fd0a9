//! Albums: create, rename, delete, add and remove photos, pin, and which albums a photo is in.

use crate::{Catalog, Result, now};
use rusqlite::{OptionalExtension, params, params_from_iter};
use serde::Serialize;
use shoebox_layout::Hash;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Album {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub name: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
    /// Hash of the newest photo, for the cover.
    pub cover: Option<String>,
    pub created_at: String,
    /// Its originals are kept on this computer (`shoebox pin`).
    pub pinned: bool,
}

impl Catalog {
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
    pub fn album_add(&mut self, id: i64, hashes: &[Hash]) -> Result<usize> {
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

    pub fn album_remove(&mut self, id: i64, hashes: &[Hash]) -> Result<usize> {
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
    pub fn pinned_photos(&self) -> Result<Vec<Hash>> {
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
    pub fn album_members(&self, id: i64) -> Result<Vec<Hash>> {
        let mut stmt = self
            .conn
            .prepare("SELECT hash FROM album_assets WHERE album_id = ?1 ORDER BY hash")?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Albums an asset is in.
    pub fn albums_of(&self, hash: &Hash) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT album_id FROM album_assets WHERE hash = ?1 ORDER BY album_id")?;
        let rows = stmt.query_map([hash], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
