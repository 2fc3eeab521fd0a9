//! Organising: the timeline's month buckets, favourites, albums and the trash.
//!
//! Every change here bumps the `generation` setting, which is part of the catalog's fingerprint,
//! so the next backup uploads a fresh snapshot even when the counts did not change (one favourite
//! swapped for another, an album renamed).

mod albums;
mod parts;
mod views;

pub use albums::Album;
pub use parts::Parts;
pub use views::{Bucket, PlaceCell, View};

use crate::{ASSET_COLUMNS, Asset, Catalog, Result, asset_from_row, now};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use shoebox_layout::Hash;

/// A photo deleted for good here (see [`Catalog::purges`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purge {
    /// Each device whose log may tell of the photo, and how far another device must have read
    /// that log to have seen its trashing.
    pub frontier: std::collections::BTreeMap<String, i64>,
    /// When the trash was emptied (wall clock, ms).
    pub at_ms: u64,
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

impl Catalog {
    /// Sets or clears the favourite mark; returns how many assets changed.
    pub fn set_favourite(&mut self, hashes: &[Hash], on: bool) -> Result<usize> {
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
    pub fn set_trashed(&mut self, hashes: &[Hash], on: bool) -> Result<usize> {
        self.set_trashed_at(hashes, on.then(now).as_deref())
    }

    /// [`Self::set_trashed`] with the time given (the same on every device that applies it).
    pub fn set_trashed_at(&mut self, hashes: &[Hash], at: Option<&str>) -> Result<usize> {
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
    pub fn set_caption(&mut self, hash: &Hash, text: Option<&str>) -> Result<bool> {
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
    pub fn purges(&self, hashes: &[Hash]) -> Result<std::collections::HashMap<Hash, Purge>> {
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

    /// Where an asset is backed up: one row per target and kind of object.
    pub fn store_marks(&self, hash: &Hash) -> Result<Vec<StoreMark>> {
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
