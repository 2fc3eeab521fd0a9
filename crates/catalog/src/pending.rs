//! The placement journal: a row is committed before a file is renamed into `originals/`.

use crate::*;

impl Catalog {
    /// Records that `path` is about to be placed; committed before the file appears.
    pub fn add_pending(&self, p: &Pending) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO pending (path, hash, original_name, source_path, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![p.path, p.hash, p.original_name, p.source_path, now()],
        )?;
        Ok(())
    }

    /// [`Self::add_pending`] for many, in one transaction.
    pub fn add_pending_all(&mut self, all: &[Pending]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare(
                "INSERT OR REPLACE INTO pending (path, hash, original_name, source_path, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let now = now();
            for p in all {
                stmt.execute(params![p.path, p.hash, p.original_name, p.source_path, now])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn pending(&self) -> Result<Vec<Pending>> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, hash, original_name, source_path FROM pending")?;
        let rows = stmt.query_map([], |r| {
            Ok(Pending {
                path: r.get(0)?,
                hash: r.get(1)?,
                original_name: r.get(2)?,
                source_path: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn remove_pending(&self, path: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM pending WHERE path = ?1", [path])?;
        Ok(())
    }
}
