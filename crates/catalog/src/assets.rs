//! Assets: the photos and videos of the library, by hash and by path.

use crate::*;
use shoebox_layout::Hash;
use shoebox_layout::RelPath;

impl Catalog {
    pub fn asset_by_hash(&self, hash: &Hash) -> Result<Option<Asset>> {
        let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE hash = ?1");
        Ok(self
            .conn
            .query_row(&sql, [hash], asset_from_row)
            .optional()?)
    }

    /// A lookup by what a person typed: any text, matched against the stored paths.
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

    /// Moves an asset's row to another path (the file is the caller's business).
    pub fn set_asset_path(&self, hash: &Hash, path: &RelPath) -> Result<bool> {
        Ok(self.conn.execute(
            "UPDATE assets SET path = ?2 WHERE hash = ?1",
            params![hash, path],
        )? > 0)
    }

    /// Rows whose hash is not a hash (a damaged or hostile catalog, such as a snapshot being
    /// restored): the text they have as a hash, and their path. Every other read of assets
    /// refuses such a row, so these are found and dropped ([`Self::drop_asset_rows`]) first.
    pub fn malformed_hash_rows(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare("SELECT hash, path FROM assets")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let all: Vec<(String, String)> = rows.collect::<rusqlite::Result<_>>()?;
        Ok(all
            .into_iter()
            .filter(|(h, _)| !shoebox_layout::is_hash(h))
            .collect())
    }

    /// Removes rows that cannot stand for any photo (a malformed hash, given as the text the
    /// row has), with their album entries and store records.
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
    pub fn path_taken(&self, path: &RelPath) -> Result<bool> {
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

    /// Where an asset was imported from (a path on this computer), when known.
    pub fn source_path_of(&self, hash: &Hash) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT source_path FROM assets WHERE hash = ?1",
                [hash],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    /// The photos other devices imported (their originals are on a store until fetched),
    /// newest first (the order the timeline opens in).
    pub fn remote_hashes(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT hash FROM assets WHERE origin IS NOT NULL ORDER BY taken_local DESC",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
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
            // Only the objects of photos it still has: its leftovers (photos it let go of and
            // has not pruned yet) hold nothing back.
            let mut stmt = self
                .conn
                .prepare("SELECT key FROM store_objects WHERE hash IN (SELECT hash FROM assets)")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            for k in rows {
                out.push(k?);
            }
        }
        Ok(out)
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
            let mut del = tx.prepare("DELETE FROM pending WHERE path = ?1")?;
            let now = now();
            for a in all {
                insert_row(&tx, a, &now, None)?;
                del.execute([&a.path])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn set_thumb_state(&self, hash: &Hash, state: ThumbState) -> Result<()> {
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
}

/// Inserts one asset row; `origin` is the device that imported it when not this one (then it
/// is already in that device's change log).
pub(crate) fn insert_row(
    tx: &rusqlite::Transaction<'_>,
    a: &NewAsset,
    imported_at: &str,
    origin: Option<&str>,
) -> Result<()> {
    let m = &a.meta;
    tx.prepare_cached(
        "INSERT INTO assets (hash, path, original_name, size, kind, mime, taken_local, \
         taken_offset, taken_source, width, height, orientation, make, model, lens, iso, \
         exposure_time, f_number, focal_length_mm, gps_lat, gps_lon, gps_alt, duration_ms, \
         description, imported_at, thumb_state, favourite, source_path, origin, announced, \
         motion_offset) \
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22, \
         ?23,?24,?25,?26,0,?27,?28,?29,?30)",
    )?
    .execute(params![
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
        imported_at,
        a.thumb_state.as_str(),
        a.source_path,
        origin,
        origin.is_some(),
        m.motion_offset.map(|o| o as i64),
    ])?;
    Ok(())
}
