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

fn share_key(id: &str, name: &str) -> Result<String> {
    if !is_share_id(id) {
        return Err(Error::Store(format!("{id:?} is not a share id")));
    }
    let key = format!("shares/{id}/{name}");
    if let Some(why) = crate::keys::unsafe_key_reason(&key) {
        return Err(Error::Store(format!("refused to write {key:?}: {why}")));
    }
    Ok(key)
}

impl Store {
    /// Writes one object of share `id` (`name` inside its folder) and proves it arrived.
    pub fn share_put(&self, id: &str, name: &str, bytes: Vec<u8>) -> Result<()> {
        let key = share_key(id, name)?;
        let hash = blake3::hash(&bytes).to_hex().to_string();
        self.rt
            .block_on(crate::transfer::put_verified(&self.raw, &key, bytes, &hash))
            .map_err(|e| Error::Store(format!("{key}: {e}")))
    }

    /// Writes the viewer page every share's link opens, `shares/index.html` (the same bytes for
    /// all; it stays when a share is revoked, so a revoked link still says so).
    pub fn share_put_viewer(&self, page: Vec<u8>) -> Result<()> {
        let key = "shares/index.html";
        let hash = blake3::hash(&page).to_hex().to_string();
        self.rt
            .block_on(crate::transfer::put_verified(&self.raw, key, page, &hash))
            .map_err(|e| Error::Store(format!("{key}: {e}")))
    }

    /// The names of share `id`'s objects on the store (inside its folder).
    pub fn share_objects(&self, id: &str) -> Result<Vec<String>> {
        if !is_share_id(id) {
            return Err(Error::Store(format!("{id:?} is not a share id")));
        }
        let prefix = format!("shares/{id}/");
        self.rt.block_on(async {
            let entries = match self.raw.list_with(&prefix).recursive(true).await {
                Ok(e) => e,
                Err(e) if e.kind() == opendal::ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(self.store_err(&e)),
            };
            let mut names: Vec<String> = entries
                .iter()
                .filter(|e| !e.path().ends_with('/'))
                .filter_map(|e| e.path().strip_prefix(&prefix).map(str::to_owned))
                .collect();
            names.sort();
            Ok(names)
        })
    }

    /// Deletes every object of share `id`, then lists its folder again: anything still there
    /// is an error that names it. Returns how many were deleted.
    pub fn share_delete(&self, id: &str) -> Result<usize> {
        let names = self.share_objects(id)?;
        self.rt.block_on(async {
            for n in &names {
                let key = share_key(id, n)?;
                self.raw
                    .delete(&key)
                    .await
                    .map_err(|e| self.store_err(&e))?;
            }
            Ok::<_, Error>(())
        })?;
        let left = self.share_objects(id)?;
        if !left.is_empty() {
            return Err(Error::Store(format!(
                "share {id}: {} object(s) are still on the store after deleting (first: {}); \
                 run the command again",
                left.len(),
                left[0]
            )));
        }
        Ok(names.len())
    }
}
