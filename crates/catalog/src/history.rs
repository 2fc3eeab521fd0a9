//! What happened: past imports, and the file versions watch folders handed over.

use crate::*;

impl Catalog {
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
}
