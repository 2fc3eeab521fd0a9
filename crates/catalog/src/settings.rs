//! Settings, the catalog fingerprint and snapshots.

use crate::*;

impl Catalog {
    /// Changes whenever something a snapshot holds changes (assets, favourites, albums, keys),
    /// and when thumbnails become available.
    pub fn fingerprint(&self) -> Result<String> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || total(favourite) || ':' || \
             count(trashed_at) || ':' || total(thumb_state = 'ok') FROM assets) || '|' || (SELECT count(*) FROM albums) || '|' || \
             (SELECT count(*) FROM album_assets) || '|' || (SELECT count(*) FROM store_objects) || '|' || \
             coalesce((SELECT value FROM settings WHERE key = 'generation'), '0')",
            [],
            |r| r.get(0),
        )?)
    }

    /// A consistent copy of the whole catalog at `dest` (which must not exist).
    pub fn snapshot_to(&self, dest: &Path) -> Result<()> {
        self.conn
            .execute("VACUUM INTO ?1", [dest.to_string_lossy()])?;
        Ok(())
    }

    /// A setting stored as JSON text.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) \
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Every setting whose key starts with `prefix`, in key order.
    pub fn settings_with_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT key, value FROM settings WHERE substr(key, 1, ?2) = ?1 ORDER BY key",
        )?;
        let rows = stmt
            .query_map(
                rusqlite::params![prefix, prefix.chars().count() as i64],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn delete_setting(&self, key: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM settings WHERE key = ?1", [key])?;
        Ok(())
    }

    /// Forgets how far this device's log went on every store (it has a new device id: its whole
    /// log and its photos go up again under it).
    pub fn forget_pushes(&self) -> Result<()> {
        self.conn.execute(
            "DELETE FROM settings WHERE key LIKE 'pushed_seq:%' OR key LIKE 'head_written:%' \
             OR key LIKE 'sync_nonce%'",
            [],
        )?;
        self.conn
            .execute("UPDATE assets SET announced = 0 WHERE origin IS NULL", [])?;
        Ok(())
    }
}
