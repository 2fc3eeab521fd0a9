//! One library on several computers: `sync` sends this device's photos and edits to a store
//! and takes in the other devices'.
//!
//! See `shoebox_catalog::changes` for the merge rules and `shoebox_store::changes` for the
//! change logs on the store.

use crate::devices::host_name;
use crate::{Error, Library, Result};
use serde::Serialize;
use shoebox_layout::Hash;
use shoebox_store::{Head, OwnHead};
use shoebox_types::Progress;
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
    /// Photos of other devices placed under another name than theirs, which a disk here could
    /// not hold (`aux.jpg`, a name ending in a dot): taken in, and said so.
    pub renamed: Vec<String>,
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

/// Segments of a device's log on a store after which it is compacted into a checkpoint (each
/// sync with edits writes one). `SHOEBOX_CHECKPOINT_EVERY` changes it, for tests.
fn checkpoint_every() -> usize {
    std::env::var("SHOEBOX_CHECKPOINT_EVERY")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(64)
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

    /// Sends this device's new photos and edits to one target (or every enabled one) and takes
    /// in the other devices': their photos appear with metadata and thumbnails, originals stay
    /// on the store ([`Self::fetch`] brings one).
    pub fn sync(
        &mut self,
        target: Option<&str>,
        progress: &dyn Fn(&Progress),
        waiting: &dyn Fn(),
    ) -> Result<Vec<crate::PerTarget<SyncReport>>> {
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
    ) -> Result<Vec<crate::PerTarget<SyncReport>>> {
        let mut out = Vec::new();
        for t in self.chosen(target)? {
            if cancel.as_ref().is_some_and(|c| c.load(Ordering::SeqCst)) {
                break;
            }
            let backed = self
                .backup(Some(&t.name), progress, waiting, cancel.clone())?
                .pop()
                .unwrap_or_else(|| Err(crate::TargetFailed::new(&t.name, "not backed up")));
            if cancel.as_ref().is_some_and(|c| c.load(Ordering::SeqCst)) {
                out.push(Err(crate::TargetFailed::new(
                    &t.name,
                    "stopped; the next sync picks up the rest",
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
                    Err(e) => Err(crate::TargetFailed::new(&t.name, e)),
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
                        r.renamed.extend(a.renamed);
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
}
