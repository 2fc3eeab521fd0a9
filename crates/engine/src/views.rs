//! What the timeline, the map and `shoebox list/show` read: buckets by month, a month's
//! photos, map cells, one asset by hash or path, a photo's parts and thumbnail.

use crate::{Error, Library, Result};
use shoebox_catalog::{Asset, Bucket, PlaceCell, StoreMark, View};
use shoebox_layout::Hash;
use std::path::{Path, PathBuf};
impl Library {
    /// Every asset, newest first.
    pub fn list(&self) -> Result<Vec<Asset>> {
        Ok(self.catalog.list_assets()?)
    }

    /// One asset by hash, unique hash prefix (at least 4 characters) or library path.
    pub fn show(&self, key: &str) -> Result<Asset> {
        let rel = key.trim_start_matches("./").replace('\\', "/");
        if let Some(a) = self.catalog.asset_by_path(&rel)? {
            return Ok(a);
        }
        if let Ok(abs) = Path::new(key).canonicalize()
            && let Ok(root) = self.paths.root.canonicalize()
            && let Ok(inside) = abs.strip_prefix(root)
        {
            let rel = inside.to_string_lossy().replace('\\', "/");
            if let Some(a) = self.catalog.asset_by_path(&rel)? {
                return Ok(a);
            }
        }
        if key.len() >= 4 && key.chars().all(|c| c.is_ascii_hexdigit()) {
            let mut found = self.catalog.assets_by_hash_prefix(key, 2)?;
            match found.len() {
                1 => return Ok(found.remove(0)),
                0 => {}
                n => return Err(Error::Ambiguous(key.to_owned(), n)),
            }
        }
        Err(Error::NotFound(key.to_owned()))
    }

    /// Path of an asset's thumbnail of `size`, when it exists.
    pub fn thumbnail(&self, hash: &Hash, size: u32) -> Option<PathBuf> {
        let p = self.paths.thumb(hash, size);
        p.is_file().then_some(p)
    }

    /// Photos with a position, counted in cells of `cell` degrees inside `[south, west,
    /// north, east]` (the Places view's clusters).
    pub fn place_cells(&self, cell: f64, area: [f64; 4]) -> Result<Vec<PlaceCell>> {
        Ok(self.catalog.place_cells(cell, area)?)
    }

    pub fn buckets(&self, view: &View) -> Result<Vec<Bucket>> {
        Ok(self.catalog.buckets(view)?)
    }

    pub fn assets_in_month(&self, view: &View, month: &str) -> Result<Vec<Asset>> {
        Ok(self.catalog.assets_in_month(view, month)?)
    }

    /// A page of a month: `limit` assets from `offset`, newest first.
    pub fn assets_in_month_page(
        &self,
        view: &View,
        month: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<Asset>> {
        Ok(self
            .catalog
            .assets_in_month_page(view, month, offset, limit)?)
    }

    /// The hashes and their parts too: a Live Photo's motion, a RAW+JPEG pair's RAW (they go
    /// to the trash and back with their photo).
    pub(crate) fn with_parts(&self, hashes: &[Hash]) -> Result<Vec<Hash>> {
        let mut all = hashes.to_vec();
        all.extend(self.catalog.parts_of(hashes)?);
        Ok(all)
    }

    /// A photo's parts: a Live Photo's video, a RAW+JPEG pair's RAW.
    pub fn parts(&self, photo: &Hash) -> Result<shoebox_catalog::Parts> {
        Ok(self.catalog.parts(photo)?)
    }

    pub fn store_marks(&self, hash: &Hash) -> Result<Vec<StoreMark>> {
        Ok(self.catalog.store_marks(hash)?)
    }
}
