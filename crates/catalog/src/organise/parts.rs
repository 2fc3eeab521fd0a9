//! A photo's parts: a Live Photo's video, a RAW beside its JPEG, XMP sidecars.

use crate::{ASSET_COLUMNS, Asset, Catalog, Result, asset_from_row};
use rusqlite::{OptionalExtension, params};
use shoebox_layout::Hash;

/// A photo's parts: see [`Catalog::parts`].
#[derive(Debug, Default)]
pub struct Parts {
    pub motion: Option<Asset>,
    pub raw: Option<Asset>,
}

impl Catalog {
    /// Makes `video` the motion part of the Live Photo `photo`.
    pub fn set_motion_of(&mut self, video: &Hash, photo: &Hash) -> Result<bool> {
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
    pub fn set_raw_of(&mut self, raw: &Hash, jpeg: &Hash) -> Result<bool> {
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
    pub fn parts(&self, photo: &Hash) -> Result<Parts> {
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
    pub fn parts_of(&self, photos: &[Hash]) -> Result<Vec<Hash>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT hash FROM assets WHERE motion_of = ?1")?;
        let mut out = Vec::new();
        for p in photos {
            for h in stmt.query_map([p], |r| r.get::<_, Hash>(0))? {
                out.push(h?);
            }
        }
        Ok(out)
    }

    /// Assets imported from the same folder under the same name stem (any extension) as
    /// `source_path`, other than `hash`: a Live Photo's other half. One index range (it runs
    /// for every file an import adds).
    pub fn same_stem(&self, source_path: &str, hash: &Hash) -> Result<Vec<Asset>> {
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
    pub fn put_sidecar(&mut self, hash: &Hash, name: &str, json: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sidecars (hash, name, json) VALUES (?1, ?2, ?3) \
             ON CONFLICT (hash) DO UPDATE SET name = excluded.name, json = excluded.json",
            params![hash, name, json],
        )?;
        Ok(())
    }

    /// A photo's kept Takeout sidecar: its file name and JSON.
    pub fn sidecar(&self, hash: &Hash) -> Result<Option<(String, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT name, json FROM sidecars WHERE hash = ?1",
                [hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}
