//! How photos look: perceptual hashes of their grid thumbnails, for finding near-duplicates.
//! A hash is derived on each device from the thumbnail it has; it is not a fact of the photo
//! that devices exchange.

use crate::{Catalog, Result};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use shoebox_layout::Hash;

/// A look as stored: the 64-bit and the 256-bit perceptual hashes.
pub type LookBits = (u64, [u8; 32]);

/// One photo's perceptual hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Look {
    pub id: i64,
    pub hash: String,
    /// `photo` or `video` (a video's look is its poster's): only alike kinds are compared.
    pub kind: String,
    pub coarse: u64,
    pub fine: [u8; 32],
}

impl Catalog {
    /// Photos (by id, after `after`) whose look has not been worked out yet, at most `limit`,
    /// in id order: (id, hash).
    pub fn looks_pending(&self, after: i64, limit: usize) -> Result<Vec<(i64, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.hash FROM assets a WHERE a.id > ?1 \
             AND NOT EXISTS (SELECT 1 FROM looks l WHERE l.id = a.id) ORDER BY a.id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Of these photos, those whose look has not been worked out yet: (id, hash).
    pub fn looks_pending_of(&self, hashes: &[Hash]) -> Result<Vec<(i64, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.hash FROM assets a WHERE a.hash = ?1 \
             AND NOT EXISTS (SELECT 1 FROM looks l WHERE l.id = a.id)",
        )?;
        let mut out = Vec::new();
        for h in hashes {
            if let Some(row) = stmt
                .query_row([h], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
            {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// How many photos have no look yet.
    pub fn looks_pending_count(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM assets a WHERE NOT EXISTS (SELECT 1 FROM looks l WHERE l.id = a.id)",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Records looks, (coarse, fine) (`None`: the thumbnail could not be read; not asked
    /// again).
    pub fn set_looks(&mut self, found: &[(i64, Option<LookBits>)]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            // Only for photos still there: one deleted meanwhile leaves no row behind.
            let mut stmt = tx.prepare_cached(
                "INSERT OR REPLACE INTO looks (id, coarse, fine) SELECT ?1, ?2, ?3 \
                 WHERE EXISTS (SELECT 1 FROM assets WHERE id = ?1)",
            )?;
            for (id, look) in found {
                // Stored as SQLite's signed 64-bit integer, bit for bit.
                let coarse = look.map(|(c, _)| c as i64);
                let fine = look.as_ref().map(|(_, f)| &f[..]);
                stmt.execute(params![id, coarse, fine])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The looks of every photo on the timeline (not trashed, not a Live Photo's video part).
    pub fn looks(&self) -> Result<Vec<Look>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.hash, a.kind, l.coarse, l.fine FROM looks l JOIN assets a ON a.id = l.id \
             WHERE l.coarse IS NOT NULL AND length(l.fine) = 32 AND a.trashed_at IS NULL \
             AND a.motion_of IS NULL",
        )?;
        let rows = stmt.query_map([], |r| {
            let fine: Vec<u8> = r.get(4)?;
            Ok(Look {
                id: r.get(0)?,
                hash: r.get(1)?,
                kind: r.get(2)?,
                coarse: r.get::<_, i64>(3)? as u64,
                fine: fine.try_into().unwrap_or([0; 32]),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use crate::Catalog;

    #[test]
    fn looks_round_trip_and_leave_with_their_photo() {
        let dir = tempfile::tempdir().unwrap();
        let mut cat = Catalog::open(&dir.path().join("c.db")).unwrap();
        crate::organise::tests::add_assets(&mut cat, 3);
        let pending = cat.looks_pending(0, 10).unwrap();
        assert_eq!(pending.len(), 3);
        assert_eq!(cat.looks_pending_count().unwrap(), 3);
        let (a, b, c) = (pending[0].0, pending[1].0, pending[2].0);
        // The top bit set: stored signed, read back the same.
        cat.set_looks(&[
            (a, Some((u64::MAX - 5, [7; 32]))),
            (b, None),
            (9999, Some((1, [1; 32]))),
        ])
        .unwrap();
        assert_eq!(cat.looks_pending(0, 10).unwrap(), vec![pending[2].clone()]);
        assert_eq!(cat.looks_pending(c, 10).unwrap(), vec![]);
        let looks = cat.looks().unwrap();
        assert_eq!(looks.len(), 1, "{looks:?}");
        assert_eq!((looks[0].coarse, looks[0].fine), (u64::MAX - 5, [7; 32]));
        cat.drop_asset_rows(&[looks[0].hash.clone()]).unwrap();
        assert!(cat.looks().unwrap().is_empty());
        let left: i64 = cat
            .conn
            .query_row("SELECT count(*) FROM looks", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 1, "only the unreadable one's row is left");
    }
}
