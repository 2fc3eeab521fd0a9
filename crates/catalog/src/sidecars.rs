//! XMP sidecars on stores: beside each original this device imported, a `<key>.xmp` saying
//! what the catalog knows beyond the file (stars, keywords, caption, a corrected date or
//! place), so other programs see it in a plain copy of the store. Only the importing device
//! writes a photo's sidecar (one writer per object that changes).

use crate::{ASSET_COLUMNS, Asset, Catalog, Result, asset_from_row};
use rusqlite::{TransactionBehavior, params};
use shoebox_layout::Hash;

/// A photo whose sidecar on a target may need writing.
#[derive(Debug, Clone)]
pub struct SidecarDue {
    pub asset: Asset,
    /// The key of its original on the target.
    pub original_key: String,
    /// The digest of the sidecar written last, if any.
    pub written: Option<String>,
}

impl Catalog {
    /// Photos imported here whose original is on `target` and that have something for a
    /// sidecar to say, or had.
    pub fn sidecars_due(&self, target: &str) -> Result<Vec<SidecarDue>> {
        let sql = format!(
            "SELECT {ASSET_COLUMNS}, \
             (SELECT s.key FROM store_objects s WHERE s.target = ?1 AND s.hash = assets.hash \
              AND s.kind = 'original') AS original_key, \
             (SELECT x.digest FROM xmp_sidecars x WHERE x.target = ?1 AND x.photo = assets.hash) \
              AS written \
             FROM assets WHERE origin IS NULL AND motion_of IS NULL AND original_key IS NOT NULL \
             AND (written IS NOT NULL OR rating > 0 OR coalesce(description, '') != '' \
                  OR orig_taken_local IS NOT NULL OR gps_fixed = 1 \
                  OR EXISTS (SELECT 1 FROM asset_keywords k WHERE k.photo = assets.hash))"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([target], |r| {
            Ok(SidecarDue {
                asset: asset_from_row(r)?,
                original_key: r.get("original_key")?,
                written: r.get("written")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records sidecars written to `target`: (photo, key, digest).
    pub fn put_sidecars(
        &mut self,
        target: &str,
        written: &[(String, String, String)],
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR REPLACE INTO xmp_sidecars (target, photo, key, digest) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (photo, key, digest) in written {
                stmt.execute(params![target, photo, key, digest])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The keys of the sidecars this device wrote to `target` for these photos.
    pub fn sidecar_keys(&self, target: &str, photos: &[Hash]) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key FROM xmp_sidecars WHERE target = ?1 AND photo = ?2")?;
        let mut out = Vec::new();
        for p in photos {
            let mut rows = stmt.query_map(params![target, p], |r| r.get::<_, String>(0))?;
            if let Some(k) = rows.next() {
                out.push(k?);
            }
        }
        Ok(out)
    }

    /// Forgets sidecars deleted from `target`, by key.
    pub fn forget_sidecars(&mut self, target: &str, keys: &[String]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt =
                tx.prepare_cached("DELETE FROM xmp_sidecars WHERE target = ?1 AND key = ?2")?;
            for k in keys {
                stmt.execute(params![target, k])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
