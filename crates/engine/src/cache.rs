//! Originals that live on a store: `fetch` brings one into the cache, pinned albums stay
//! fetched, and the cache is kept under its size.

use crate::{Error, Library, Result};
use serde::Serialize;
use shoebox_catalog::Asset;
use shoebox_layout::Hash;
use shoebox_types::Progress;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
/// A fetched (or already present) original.
#[derive(Debug, Clone, Serialize)]
pub struct Fetched {
    pub hash: String,
    pub path: String,
    pub file: PathBuf,
    pub bytes: u64,
    pub already_here: bool,
}

/// What keeping pinned albums on this computer fetched, and what it could not (hash, why).
pub type PinFetch = (Vec<Fetched>, Vec<(String, String)>);

/// The cache of originals fetched from stores.
#[derive(Debug, Clone, Serialize)]
pub struct CacheReport {
    pub files: u64,
    pub bytes: u64,
    pub max_bytes: u64,
    pub folder: PathBuf,
}

impl Library {
    /// Where a photo's original is on this computer: in the library, or in the cache of fetched
    /// originals. `None` when it is only on a store. Another device's photo is looked for in
    /// the cache first: a file at its library path was not put there by a fetch (a restore
    /// writes there; so may a person), so it counts only with the photo's size, and is
    /// checked against the hash before [`Self::fetch`] trusts it.
    pub fn local_original(&self, a: &Asset) -> Option<PathBuf> {
        let in_library = || {
            let p = self.paths.resolve(&a.path).ok()?;
            let m = std::fs::metadata(&p).ok()?;
            (m.is_file() && (a.device.is_none() || m.len() == a.size)).then_some(p)
        };
        let cached = || {
            let c = self.cache_path(a).ok()?;
            c.is_file().then_some(c)
        };
        match a.device {
            None => in_library().or_else(cached),
            Some(_) => cached().or_else(in_library),
        }
    }

    pub(crate) fn cache_path(&self, a: &Asset) -> Result<PathBuf> {
        let h = a.hash.clone();
        let ext = std::path::Path::new(&a.path)
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy().to_ascii_lowercase()))
            .unwrap_or_default();
        Ok(self
            .paths
            .meta_dir()
            .join("cache")
            .join(h.shard())
            .join(format!("{h}{ext}")))
    }

    fn cache_dir(&self) -> PathBuf {
        self.paths.meta_dir().join("cache")
    }

    fn cached_files(&self) -> Vec<(std::time::SystemTime, u64, PathBuf)> {
        let mut out = Vec::new();
        let Ok(shards) = std::fs::read_dir(self.cache_dir()) else {
            return out;
        };
        for shard in shards.flatten() {
            let Ok(files) = std::fs::read_dir(shard.path()) else {
                continue;
            };
            for f in files.flatten() {
                if let Ok(m) = f.metadata()
                    && m.is_file()
                {
                    let used = m.modified().unwrap_or(std::time::UNIX_EPOCH);
                    out.push((used, m.len(), f.path()));
                }
            }
        }
        out
    }

    /// Size, count and cap of the cache of fetched originals.
    pub fn cache(&self) -> Result<CacheReport> {
        let files = self.cached_files();
        Ok(CacheReport {
            files: files.len() as u64,
            bytes: files.iter().map(|f| f.1).sum(),
            max_bytes: self.settings().cache_max_size,
            folder: self.cache_dir(),
        })
    }

    /// Evicts the least recently used fetched originals until the cache is under its cap,
    /// never `keep` (the one just fetched: the cap is exceeded by at most that file). Only
    /// fetched originals live here, so everything evicted is on a store.
    fn evict(&self, keep: &std::path::Path) -> Result<u64> {
        let cap = self.settings().cache_max_size;
        let pinned: std::collections::HashSet<Hash> =
            self.catalog.pinned_photos()?.into_iter().collect();
        let mut files = self.cached_files();
        let mut total: u64 = files.iter().map(|f| f.1).sum();
        files.sort();
        let mut evicted = 0;
        for (_, size, path) in files {
            if total <= cap {
                break;
            }
            let hash = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if path == keep || pinned.contains(hash.as_str()) {
                continue;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= size;
                evicted += 1;
            }
        }
        Ok(evicted)
    }

    /// Removes every fetched original that no pinned album keeps ("Free up space"): they are
    /// all on a store and come back when opened. Returns (files, bytes) removed.
    pub fn free_cache(&self) -> Result<(u64, u64)> {
        let pinned: std::collections::HashSet<Hash> =
            self.catalog.pinned_photos()?.into_iter().collect();
        let (mut files, mut bytes) = (0, 0);
        for (_, size, path) in self.cached_files() {
            let hash = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !pinned.contains(hash.as_str()) && std::fs::remove_file(&path).is_ok() {
                files += 1;
                bytes += size;
            }
        }
        Ok((files, bytes))
    }

    /// Keeps an album's originals on this computer: fetches those not here yet (and, at each
    /// sync, photos added to it later); the cache never evicts them. Returns what was fetched
    /// and what could not be.
    pub fn pin(&mut self, album: i64) -> Result<PinFetch> {
        if !self.catalog.set_pinned(album, true)? {
            return Err(Error::NotFound(format!("album {album}")));
        }
        self.fetch_pinned()
    }

    pub fn unpin(&mut self, album: i64) -> Result<()> {
        if !self.catalog.set_pinned(album, false)? {
            return Err(Error::NotFound(format!("album {album}")));
        }
        Ok(())
    }

    /// What keeping an album on this computer would bring here: how many originals and
    /// bytes are on the store only.
    pub fn album_space(&self, album: i64) -> Result<(u64, u64)> {
        let mut n = 0;
        let mut bytes = 0;
        let members = self.catalog.album_members(album)?;
        let parts = self.catalog.parts_of(&members)?;
        for h in members.into_iter().chain(parts) {
            let Some(a) = self.catalog.asset_by_hash(&h)? else {
                continue;
            };
            if a.trashed_at.is_none() && self.local_original(&a).is_none() {
                n += 1;
                bytes += a.size;
            }
        }
        Ok((n, bytes))
    }

    /// Fetches the originals of pinned albums that are not on this computer.
    pub fn fetch_pinned(&mut self) -> Result<PinFetch> {
        let mut got = Vec::new();
        let mut failed = Vec::new();
        for h in self.catalog.pinned_photos()? {
            match self.fetch(h.as_str()) {
                Ok(f) if !f.already_here => got.push(f),
                Ok(_) => {}
                Err(e) => failed.push((h.to_string(), e.to_string())),
            }
        }
        Ok((got, failed))
    }

    /// Brings a photo's original onto this computer from the first target that holds it,
    /// checked against its hash before it is used. A photo already here is left as it is.
    pub fn fetch(&mut self, key: &str) -> Result<Fetched> {
        self.fetch_with(key, &|_| {}, &AtomicBool::new(false))
    }

    /// [`Self::fetch`] with progress (bytes of the original) and a cancel flag (the viewer
    /// moved on): a cancelled fetch leaves nothing behind and says so.
    pub fn fetch_with(
        &mut self,
        key: &str,
        progress: &dyn Fn(&Progress),
        cancel: &AtomicBool,
    ) -> Result<Fetched> {
        let a = self.show(key)?;
        let dest = self.cache_path(&a)?;
        if let Some(f) = self.local_original(&a) {
            // A cached copy is checked before it is trusted: a damaged one is fetched again.
            // So is a file at another device's photo's library path: not this library's
            // unless it hashes right (it is left as it is either way).
            let checked = f == dest || a.device.is_some();
            let good =
                !checked || shoebox_layout::hash_file(&f).is_ok_and(|h| h == a.hash.as_str());
            if good {
                if f == dest {
                    // Used now: the last to be evicted.
                    let _ = std::fs::File::options()
                        .append(true)
                        .open(&f)
                        .and_then(|h| h.set_modified(std::time::SystemTime::now()));
                }
                return Ok(Fetched {
                    hash: a.hash.to_string(),
                    path: a.path,
                    file: f,
                    bytes: 0,
                    already_here: true,
                });
            }
            if f == dest {
                tracing::warn!(file = %f.display(), "a cached original is damaged; fetching it again");
                let _ = std::fs::remove_file(&f);
            }
        }
        let mut why = Vec::new();
        for t in self.chosen(None)? {
            let Some(k) = self.catalog.store_key_on(&t.name, &a.hash)? else {
                continue;
            };
            let mut p = Progress {
                phase: "fetch".into(),
                total: 1,
                bytes_total: a.size,
                current: Some(a.path.clone()),
                ..Default::default()
            };
            let mut throttle = shoebox_types::Throttle::new(progress);
            let got = self.open_target(&t.name).and_then(|(s, _)| {
                Ok(
                    s.fetch_original(&k, &a.hash, &dest, &self.paths.tmp(), &mut |n| {
                        p.bytes_done = n;
                        throttle.send(&p, n == p.bytes_total);
                        !cancel.load(Ordering::Relaxed)
                    })?,
                )
            });
            if cancel.load(Ordering::Relaxed) {
                return Err(Error::Cancelled);
            }
            match got {
                Ok(bytes) => {
                    self.evict(&dest)?;
                    return Ok(Fetched {
                        hash: a.hash.to_string(),
                        path: a.path,
                        file: dest,
                        bytes,
                        already_here: false,
                    });
                }
                Err(e) => why.push(format!("{}: {e}", t.name)),
            }
        }
        Err(Error::NotFound(if why.is_empty() {
            format!("{}: no target holds its original", a.path)
        } else {
            format!("{}: {}", a.path, why.join("; "))
        }))
    }
}
