//! What each store target holds (`store_objects`) and its backup state (`store_state`).

use crate::*;
use shoebox_layout::Hash;

impl Catalog {
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
        tx.execute("DELETE FROM xmp_sidecars WHERE target = ?1", [target])?;
        tx.execute("DELETE FROM store_state WHERE target = ?1", [target])?;
        // The store it remembered and how far this device's log went there (not the nonce of
        // its head: pointed at the same store again, the head there is still its own).
        tx.execute(
            "DELETE FROM settings WHERE key IN ('store_id:' || ?1, 'pushed_seq:' || ?1, \
             'head_written:' || ?1, 'thumbs_pending:' || ?1, 'sidecars_pending:' || ?1)",
            [target],
        )?;
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
            "SELECT {ASSET_COLUMNS} FROM assets a WHERE a.origin IS NULL AND NOT EXISTS \
             (SELECT 1 FROM store_objects s WHERE s.target = ?1 AND s.hash = a.hash \
             AND s.kind = 'original') ORDER BY a.id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([target], asset_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many assets' originals `target` does not hold yet, counted in SQL.
    pub fn count_missing_on(&self, target: &str) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM assets a WHERE a.origin IS NULL AND NOT EXISTS \
             (SELECT 1 FROM store_objects s WHERE s.target = ?1 AND s.hash = a.hash \
             AND s.kind = 'original')",
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
    /// The key of a photo's original on one target, when the catalog knows it there.
    pub fn store_key_on(&self, target: &str, hash: &Hash) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT key FROM store_objects WHERE target = ?1 AND hash = ?2 AND kind = 'original'",
                [target, hash.as_str()],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn store_key_for(&self, hash: &Hash) -> Result<Option<String>> {
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
}
