//! Shared albums' objects, `shares/<id>/…`, and the viewer page they share,
//! `shares/index.html`: written as they are, never through the store's own
//! encryption layer (the viewer in a browser decrypts each object with the share's own key),
//! and never read by backup, verify, prune, restore or sync, which list only their own
//! prefixes.

use crate::{Error, Result, Store};

/// A share id as Shoebox makes them: 32 hex digits (128 random bits).
pub fn is_share_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// Share `id`'s folder, `shares/<id>/`; anything but a share id is refused.
fn folder(id: &str) -> Result<String> {
    if !is_share_id(id) {
        return Err(Error::Store(format!("{id:?} is not a share id")));
    }
    Ok(format!("shares/{id}/"))
}

impl Store {
    /// Writes one object of share `id` (`name` inside its folder) and proves it arrived.
    pub fn share_put(&self, id: &str, name: &str, bytes: Vec<u8>) -> Result<()> {
        self.put_on(&self.raw, &format!("{}{name}", folder(id)?), bytes)
    }

    /// Writes the viewer page every share's link opens, `shares/index.html` (the same bytes for
    /// all; it stays when a share is revoked, so a revoked link still says so).
    pub fn share_put_viewer(&self, page: Vec<u8>) -> Result<()> {
        self.put_on(&self.raw, "shares/index.html", page)
    }

    /// The names of share `id`'s objects on the store (inside its folder).
    pub fn share_objects(&self, id: &str) -> Result<Vec<String>> {
        let prefix = folder(id)?;
        let entries = self
            .rt
            .block_on(self.list_or_empty_on(&self.raw, &prefix, true))?;
        let mut names: Vec<String> = entries
            .iter()
            .filter(|e| !e.path().ends_with('/'))
            .filter_map(|e| e.path().strip_prefix(&prefix).map(str::to_owned))
            .collect();
        names.sort();
        Ok(names)
    }

    /// Deletes every object of share `id`, then lists its folder again: anything still there
    /// is an error that names it. Returns how many were deleted.
    pub fn share_delete(&self, id: &str) -> Result<usize> {
        let prefix = folder(id)?;
        let keys: Vec<String> = self
            .share_objects(id)?
            .iter()
            .map(|n| format!("{prefix}{n}"))
            .collect();
        if let (_, Some(why)) = self.delete_on(&self.raw, &keys) {
            return Err(Error::Store(format!(
                "share {id}: {why}; run the command again"
            )));
        }
        let left = self.share_objects(id)?;
        if !left.is_empty() {
            return Err(Error::Store(format!(
                "share {id}: {} object(s) are still on the store after deleting (first: {}); \
                 run the command again",
                left.len(),
                left[0]
            )));
        }
        Ok(keys.len())
    }
}
