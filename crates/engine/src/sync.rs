//! One library on several computers: `sync` sends this device's photos and edits to a store
//! and takes in the other devices'; `fetch` brings an original that lives on the store.
//!
//! See `shoebox_catalog::changes` for the merge rules and `shoebox_store::changes` for the
//! change logs on the store.

use crate::{Error, Library, Result};
use serde::Serialize;
use shoebox_catalog::Asset;
use shoebox_layout::Hash;
use shoebox_store::{Head, OwnHead};
use shoebox_types::Progress;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const NONCE_KEY: &str = "sync_nonce";

/// Thumbnails fetched at once when photos arrive (small objects: the wait is the round trip).
pub const THUMB_FETCHES: usize = 16;

/// What one sync with one target did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    pub target: String,
    /// Objects the backup half sent (originals, thumbnails).
    pub uploaded: usize,
    /// Originals among them.
    pub photos_uploaded: usize,
    /// Photos of this device newly written to its change log.
    pub announced: usize,
    /// This device's edits sent.
    pub pushed: usize,
    /// Other devices whose change logs were read.
    pub devices: usize,
    /// Photos new to this library (their originals stay on the store until fetched).
    pub new_photos: usize,
    /// Edits of other devices that won and changed a photo here.
    pub edits_applied: usize,
    /// Edits that lost to later ones.
    pub edits_superseded: usize,
    pub thumbnails: usize,
    /// Originals of pinned albums brought onto this computer.
    pub fetched_for_pins: usize,
    /// This device's change log on the store was compacted into a checkpoint.
    pub checkpoint: bool,
    /// What could not be taken in this time (a torn segment, a device's malformed edit): tried
    /// again at the next sync; nothing is lost.
    pub problems: Vec<String>,
}

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

/// Wall-clock milliseconds, moved by `SHOEBOX_CLOCK_OFFSET_MS` (tests give each device a clock
/// that is hours slow or a year fast; the hybrid clock must cope).
pub fn wall_ms() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let off: i64 = std::env::var("SHOEBOX_CLOCK_OFFSET_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    now.saturating_add(off).max(0) as u64
}

impl Library {
    /// The nonces this catalog may find in its head on `target`: the one it wrote last, the
    /// one before (catalogs from before the nonce about to be written was kept apart), and the
    /// one it is writing now, kept until a push succeeds (a crash or a failed push between
    /// writing the head and hearing back). A catalog restored from an old copy over itself
    /// finds a nonce it never made.
    fn sync_nonces(&self, target: &str) -> Result<Vec<String>> {
        let key = format!("{NONCE_KEY}:{target}");
        let current = match self.catalog.setting(&key)? {
            Some(n) => n,
            None => {
                // Catalogs before per-target nonces had one for every store.
                let n = match self.catalog.setting(NONCE_KEY)? {
                    Some(n) => n,
                    None => format!("{:016x}", fastrand::u64(..)),
                };
                self.catalog.set_setting(&key, &n)?;
                n
            }
        };
        let mut all = vec![current];
        for k in [
            format!("{NONCE_KEY}_prev:{target}"),
            format!("{NONCE_KEY}_next:{target}"),
        ] {
            all.extend(self.catalog.setting(&k)?);
        }
        Ok(all)
    }

    /// The nonce for the head about to be written on `target`: the one a failed push already
    /// chose, else a new one, recorded before anything is written. Only a push that succeeds
    /// moves it into place ([`Self::nonce_written`]), so failed pushes never turn it twice.
    fn next_nonce(&self, target: &str) -> Result<String> {
        let key = format!("{NONCE_KEY}_next:{target}");
        if let Some(n) = self.catalog.setting(&key)? {
            return Ok(n);
        }
        let n = format!("{:016x}", fastrand::u64(..));
        self.catalog.set_setting(&key, &n)?;
        Ok(n)
    }

    /// The head with nonce `n` is on the store: it is the one this catalog wrote last.
    fn nonce_written(&self, target: &str, n: &str) -> Result<()> {
        let key = format!("{NONCE_KEY}:{target}");
        if self.catalog.setting(&key)?.as_deref() == Some(n) {
            return Ok(());
        }
        if let Some(cur) = self.catalog.setting(&key)? {
            self.catalog
                .set_setting(&format!("{NONCE_KEY}_prev:{target}"), &cur)?;
        }
        self.catalog.set_setting(&key, n)?;
        self.catalog
            .delete_setting(&format!("{NONCE_KEY}_next:{target}"))?;
        Ok(())
    }

    /// Records edits made here for the other devices (see [`Self::sync`]).
    pub(crate) fn record(
        &mut self,
        field: &str,
        hashes: &[String],
        value: serde_json::Value,
    ) -> Result<()> {
        let dev = self.device_id()?;
        self.catalog
            .record_edit(&dev, self.now_ms(), field, hashes, &value)?;
        Ok(())
    }

    /// This device's id and the other devices of the library it has heard of.
    pub fn devices(&self) -> Result<(String, Vec<shoebox_catalog::Peer>)> {
        Ok((self.device_id()?, self.catalog.peers()?))
    }

    /// The device (its name when known) that put a photo in the trash, when it was not this
    /// one.
    pub fn trashed_elsewhere(&self, hash: &str) -> Result<Option<String>> {
        let me = self.device_id()?;
        let Some(by) = self.catalog.field_set_by(hash, "trashed")? else {
            return Ok(None);
        };
        if by == me {
            return Ok(None);
        }
        Ok(Some(
            self.catalog
                .peers()?
                .into_iter()
                .find(|p| p.device == by)
                .and_then(|p| p.name)
                .unwrap_or(by),
        ))
    }

    /// Retires another device that will never come back (by id, or by the name `devices`
    /// shows): every device learns it at its next sync, and prune no longer keeps what only
    /// that device relied on.
    pub fn retire(&mut self, who: &str) -> Result<String> {
        let me = self.device_id()?;
        let peers = self.catalog.peers()?;
        let id = peers
            .iter()
            .find(|p| p.device == who || p.name.as_deref() == Some(who))
            .map(|p| p.device.clone())
            .or_else(|| shoebox_store::is_device_id(who).then(|| who.to_owned()))
            .ok_or_else(|| {
                Error::NotFound(format!("{who}: no such device (see `shoebox devices`)"))
            })?;
        if id == me {
            return Err(Error::Setting(
                "this is the device itself; retire it from another one".into(),
            ));
        }
        self.record(
            "retired",
            &[format!("device:{id}")],
            serde_json::json!(true),
        )?;
        Ok(id)
    }

    /// Devices retired by any device of the library.
    pub fn retired_devices(&self) -> Result<Vec<String>> {
        Ok(self.catalog.retired_devices()?)
    }

    /// Sets or clears a photo's caption (its `description`).
    pub fn set_caption(&mut self, hash: &str, text: Option<&str>) -> Result<bool> {
        let changed = self.catalog.set_caption(hash, text)?;
        self.record("caption", &[hash.to_owned()], serde_json::json!(text))?;
        Ok(changed)
    }

    /// Sends this device's new photos and edits to one target (or every enabled one) and takes
    /// in the other devices': their photos appear with metadata and thumbnails, originals stay
    /// on the store ([`Self::fetch`] brings one).
    pub fn sync(
        &mut self,
        target: Option<&str>,
        progress: &dyn Fn(&Progress),
        waiting: &dyn Fn(),
    ) -> Result<Vec<std::result::Result<SyncReport, (String, String)>>> {
        self.sync_with(target, progress, waiting, None)
    }

    /// [`Self::sync`] that stops after the transfers in flight once `cancel` is set (the next
    /// sync picks up the rest); a target not reached yet is left for the next sync.
    pub fn sync_with(
        &mut self,
        target: Option<&str>,
        progress: &dyn Fn(&Progress),
        waiting: &dyn Fn(),
        cancel: Option<Arc<AtomicBool>>,
    ) -> Result<Vec<std::result::Result<SyncReport, (String, String)>>> {
        let mut out = Vec::new();
        for t in self.chosen(target)? {
            if cancel.as_ref().is_some_and(|c| c.load(Ordering::SeqCst)) {
                break;
            }
            let backed = self
                .backup(Some(&t.name), progress, waiting, cancel.clone())?
                .pop()
                .unwrap_or_else(|| Err((t.name.clone(), "not backed up".into())));
            if cancel.as_ref().is_some_and(|c| c.load(Ordering::SeqCst)) {
                out.push(Err((
                    t.name.clone(),
                    "stopped; the next sync picks up the rest".into(),
                )));
                break;
            }
            let res = match backed {
                Ok(b) => match self.exchange(&t.name, progress) {
                    Ok(mut r) => {
                        // Other devices' photos get their place names here.
                        self.name_places();
                        r.uploaded = b.uploaded.len();
                        r.photos_uploaded = b.originals_uploaded();
                        // Pinned albums stay on this computer, photos added to them too.
                        let (got, failed) = self.fetch_pinned()?;
                        r.fetched_for_pins = got.len();
                        r.problems
                            .extend(failed.into_iter().map(|(h, e)| format!("{h}: {e}")));
                        if r.new_photos + r.edits_applied + r.announced + r.pushed > 0 {
                            // The catalog changed: its snapshot on the store follows now, so
                            // the next sync with nothing new makes no backup requests.
                            if let Some(Ok(again)) = self
                                .backup_checked(Some(&t.name), progress, waiting, None, false)?
                                .pop()
                            {
                                r.uploaded += again.uploaded.len();
                                // A photo imported while this sync ran goes up here: counted.
                                r.photos_uploaded += again.originals_uploaded();
                            }
                        }
                        Ok(r)
                    }
                    Err(e) => Err((t.name.clone(), e.to_string())),
                },
                Err(e) => Err(e),
            };
            out.push(res);
        }
        Ok(out)
    }

    /// The change-log half of a sync with one target.
    fn exchange(&mut self, target: &str, progress: &dyn Fn(&Progress)) -> Result<SyncReport> {
        let _lock = self.write_lock(&|| {})?;
        let mut r = SyncReport {
            target: target.to_owned(),
            ..Default::default()
        };
        let dev = self.device_id()?;
        let nonces = self.sync_nonces(target)?;
        let (store, _) = self.open_target(target)?;
        r.announced = self.catalog.announce_assets(&dev, self.now_ms(), target)?;

        // Push: what this device wrote since its head on this store.
        let pushed_key = format!("pushed_seq:{target}");
        let pushed: i64 = self
            .catalog
            .setting(&pushed_key)?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let pending = self.catalog.changes_after(pushed)?;
        let known_key = format!("head_written:{target}");
        let known = self.catalog.setting(&known_key)?.is_some();
        if !pending.is_empty() || !known {
            let fresh = |seq: i64| Head {
                format: shoebox_store::CHANGES_FORMAT,
                device: dev.clone(),
                nonce: nonces[0].clone(),
                name: host_name(),
                seq,
                checkpoint: None,
                segments: Vec::new(),
                updated_at: shoebox_catalog::now(),
            };
            let mut head = match store.read_own_head(&dev)? {
                OwnHead::Found(h)
                    if !nonces.contains(&h.nonce) || h.seq > self.catalog.last_change_seq()? =>
                {
                    // Restored from an old copy over itself: the store has edits this catalog
                    // never made. Continue as a new device (the next sync writes under it).
                    let id = self.rolled_back()?;
                    return Err(Error::Setting(format!(
                        "this library's catalog is older than what it wrote to {target} as \
                         device {dev} (restored from an old copy?); it is now device {id} and \
                         sends its photos and edits under that id: run sync again"
                    )));
                }
                OwnHead::Found(h) => *h,
                OwnHead::Unreadable if pushed > 0 => {
                    // A head torn by a write cut short: what it listed is rebuilt from the
                    // local log as one checkpoint of everything sent so far, so no segment it
                    // named is left unread by the others.
                    tracing::warn!("this device's head on {target} is torn; rewritten");
                    let compacted = self.catalog.compacted_changes(pushed)?;
                    store.write_checkpoint(fresh(pushed), &compacted)?
                }
                OwnHead::Missing | OwnHead::Unreadable => {
                    let h = fresh(0);
                    if pending.is_empty() {
                        // Joining: the store learns of this device before it takes anything
                        // in, so no prune deletes what it is about to rely on.
                        store.write_head(&h)?;
                    }
                    h
                }
            };
            // What the head already lists was sent before (a crash after the head, before the
            // setting): send only the rest.
            let rest: Vec<_> = pending.into_iter().filter(|(s, _)| *s > head.seq).collect();
            if !rest.is_empty() {
                head.nonce = self.next_nonce(target)?;
            }
            let mut head = store.push_changes(head, &rest)?;
            self.nonce_written(target, &head.nonce)?;
            r.pushed = rest.len();
            if head.segments.len() >= checkpoint_every() {
                let compacted = self.catalog.compacted_changes(head.seq)?;
                head = store.write_checkpoint(head, &compacted)?;
                r.checkpoint = true;
            }
            self.catalog
                .set_setting(&pushed_key, &head.seq.to_string())?;
            self.catalog.set_setting(&known_key, "1")?;
        }

        // Pull: every other device's segments not applied yet, in order.
        let mut new_assets = Vec::new();
        // Set before anything is taken in, cleared once every thumbnail is here: a sync
        // stopped in between (kill -9, the store gone) fetches the missing ones next time.
        let pending_key = format!("thumbs_pending:{target}");
        let mut thumbs_pending = self.catalog.setting(&pending_key)?.is_some();
        for h in store.other_heads(&dev)? {
            r.devices += 1;
            let applied = self.catalog.peer_applied(&h.device)?;
            let news = h
                .checkpoint
                .iter()
                .chain(&h.segments)
                .any(|s| s.last > applied);
            if news && !thumbs_pending {
                self.catalog.set_setting(&pending_key, "1")?;
                thumbs_pending = true;
            }
            // A checkpoint newer than what was applied stands for everything before its
            // segments; segments it covers are not listed any more.
            let cp = h.checkpoint.iter().filter(|c| c.last > applied);
            let from = h
                .checkpoint
                .as_ref()
                .map_or(applied, |c| c.last.max(applied));
            for seg in cp.chain(h.segments.iter().filter(|s| s.last > from)) {
                match store.read_segment(&h, seg) {
                    Ok(changes) => {
                        let paths = &self.paths;
                        let on_disk = |p: &str| {
                            paths
                                .resolve(p)
                                .is_ok_and(|f| std::fs::symlink_metadata(f).is_ok())
                        };
                        let a = self.catalog.apply_remote(
                            &h.device,
                            h.name.as_deref(),
                            &changes,
                            seg.last,
                            target,
                            &on_disk,
                        )?;
                        r.edits_applied += a.fields;
                        r.edits_superseded += a.superseded;
                        // Reported with where it came from, skipped, never fatal.
                        r.problems.extend(a.rejected.into_iter().map(|why| {
                            format!("device {}, {}: {why}; skipped", h.device, seg.key)
                        }));
                        new_assets.extend(a.new_assets);
                    }
                    Err(e) => {
                        // Later segments wait for this one: edits apply in each device's order.
                        r.problems.push(e.to_string());
                        break;
                    }
                }
            }
        }

        // A photo restored elsewhere after it was deleted for good here: read again next time.
        self.catalog.replay_if_asked()?;

        // A photo whose deletion and pruning arrived in a later segment is not new after all
        // (one query for every hash, not a row read per photo: a join takes in 50,000).
        if !new_assets.is_empty() {
            let known: std::collections::HashSet<String> =
                self.catalog.all_hashes()?.into_iter().collect();
            new_assets.retain(|h| known.contains(h));
        }
        r.new_photos = new_assets.len();

        // Thumbnails of the new photos, so the timeline shows them at once (after an
        // interrupted sync: of every other device's photo that lacks them). The timeline can
        // show the photos now (phase `listed`); the grid's thumbnails come first, newest
        // first, the way the timeline opens, then the viewer's previews.
        let sizes = [self.settings().grid_size, self.settings().preview_size];
        let photos = if thumbs_pending {
            self.catalog.remote_hashes()?
        } else {
            new_assets
        };
        let mut throttle = shoebox_types::Throttle::new(progress);
        let mut p = Progress {
            phase: "listed".into(),
            done: r.new_photos as u64,
            total: r.new_photos as u64,
            ..Default::default()
        };
        throttle.send(&p, true);
        let photos: Vec<Hash> = photos.iter().filter_map(|h| Hash::parse(h).ok()).collect();
        let all: Vec<(Hash, u32)> = sizes
            .iter()
            .flat_map(|s| photos.iter().map(|h| (h.clone(), *s)))
            .collect();
        let wanted: Vec<(Hash, u32)> = all
            .iter()
            .filter(|(h, s)| !self.paths.thumb(h, *s).is_file())
            .cloned()
            .collect();
        p.phase = "thumbnails".into();
        p.done = 0;
        p.total = wanted.len() as u64;
        r.thumbnails = store.fetch_thumbs(&self.paths, &wanted, THUMB_FETCHES, &mut |ok| {
            p.done += 1;
            p.errors += u64::from(!ok);
            throttle.send(&p, p.done == p.total);
        });
        if thumbs_pending && r.thumbnails == wanted.len() {
            self.catalog.delete_setting(&pending_key)?;
        }
        let on_store: Vec<shoebox_catalog::StoreObject> = all
            .iter()
            .filter(|(h, s)| self.paths.thumb(h, *s).is_file())
            .map(|(h, s)| shoebox_catalog::StoreObject {
                hash: h.to_string(),
                kind: format!("thumb-{s}"),
                key: shoebox_layout::thumb_key(h, *s),
                size: std::fs::metadata(self.paths.thumb(h, *s))
                    .map(|m| m.len())
                    .unwrap_or(0),
                verified_at: None,
            })
            .collect();
        self.catalog.put_store_objects(target, &on_store)?;
        Ok(r)
    }

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
        let h = Hash::parse(&a.hash)?;
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
        let pinned: std::collections::HashSet<String> =
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
            if path == keep || pinned.contains(&hash) {
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
        let pinned: std::collections::HashSet<String> =
            self.catalog.pinned_photos()?.into_iter().collect();
        let (mut files, mut bytes) = (0, 0);
        for (_, size, path) in self.cached_files() {
            let hash = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !pinned.contains(&hash) && std::fs::remove_file(&path).is_ok() {
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
            match self.fetch(&h) {
                Ok(f) if !f.already_here => got.push(f),
                Ok(_) => {}
                Err(e) => failed.push((h, e.to_string())),
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
                    hash: a.hash,
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
                        hash: a.hash,
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

/// Segments of a device's log on a store after which it is compacted into a checkpoint (each
/// sync with edits writes one). `SHOEBOX_CHECKPOINT_EVERY` changes it, for tests.
fn checkpoint_every() -> usize {
    std::env::var("SHOEBOX_CHECKPOINT_EVERY")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(64)
}

fn host_name() -> Option<String> {
    std::env::var("SHOEBOX_DEVICE_NAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}
