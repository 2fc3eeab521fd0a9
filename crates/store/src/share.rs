//! Shared albums' objects, `shares/<id>/…`, and the viewer page they share,
//! `shares/index.html`: written as they are, never through the store's own
//! encryption layer (the viewer in a browser decrypts each object with the share's own key),
//! and never read by backup, verify, prune, restore or sync, which list only their own
//! prefixes.

use crate::{Error, Result, Store};

/// The viewer page every share's link opens.
const VIEWER: &str = "shares/index.html";

/// The longest a SigV4 signed address lasts: 7 days.
pub const MAX_PRESIGN: std::time::Duration = std::time::Duration::from_secs(7 * 86400);

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
        self.put_on_as(&self.raw, VIEWER, page, Some("text/html; charset=utf-8"))
    }

    /// Whether this store can sign addresses that let a browser read one object for a while
    /// without the store's credentials (S3 and its kin: SigV4 query signing).
    pub fn can_presign(&self) -> bool {
        self.raw.info().capability().presign_read
    }

    /// Signed addresses that read share `id`'s objects `names` for `expire` (SigV4 allows at
    /// most 7 days). Nothing is written: a signature is worked out here, from the target's
    /// credentials, and checked by the store when used.
    pub fn share_presign(
        &self,
        id: &str,
        names: &[String],
        expire: std::time::Duration,
    ) -> Result<Vec<String>> {
        let dir = folder(id)?;
        let keys: Vec<String> = names.iter().map(|n| format!("{dir}{n}")).collect();
        self.presign(&keys, expire)
    }

    /// The viewer page's signed address, for `expire`.
    pub fn viewer_presign(&self, expire: std::time::Duration) -> Result<String> {
        Ok(self.presign(&[VIEWER.to_owned()], expire)?.remove(0))
    }

    fn presign(&self, keys: &[String], expire: std::time::Duration) -> Result<Vec<String>> {
        if expire > MAX_PRESIGN {
            return Err(Error::Store(format!(
                "a signed address lasts at most {} days (SigV4's limit)",
                MAX_PRESIGN.as_secs() / 86400
            )));
        }
        self.rt.block_on(async {
            let mut out = Vec::with_capacity(keys.len());
            for k in keys {
                let req =
                    self.raw.presign_read(k, expire).await.map_err(|e| {
                        Error::Store(format!("cannot sign an address for {k}: {e}"))
                    })?;
                out.push(req.uri().to_string());
            }
            Ok(out)
        })
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
