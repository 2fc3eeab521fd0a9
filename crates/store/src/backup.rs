//! One-click backup: new originals and thumbnails, then a catalog snapshot, then the pointer.

use crate::transfer::{STREAM_FROM, put_file_verified, put_verified};
use crate::{Error, Result, Store, blake3_hex};
use futures::StreamExt;
use opendal::{ErrorKind, Operator};
use serde::Serialize;
use shoebox_catalog::{Catalog, StoreObject, StoreState};
use shoebox_layout::{Hash, LibraryPaths, RelPath, original_key, thumb_key};
use shoebox_types::Progress;
use shoebox_types::Throttle;
use std::collections::HashSet;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct BackupOptions {
    /// Transfers at once.
    pub concurrency: usize,
    /// This library's device id: its snapshots go to `catalogs/<device>/`.
    pub device_id: String,
    /// Thumbnail sizes to back up with the originals.
    pub thumb_sizes: Vec<u32>,
    /// Set to stop: transfers in flight are abandoned (nothing half-written reaches a final
    /// key), what finished is recorded, and no snapshot is written.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// The caller has just read this store's `shoebox.json` (its id checked, its format
    /// current): not read again.
    pub marker_known: bool,
}

/// An object that could not be backed up, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Failed {
    pub key: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BackupReport {
    pub target: String,
    /// Stopped on request before everything was uploaded.
    pub cancelled: bool,
    /// Keys written by this backup.
    pub uploaded: Vec<String>,
    /// Keys that already held exactly these bytes.
    pub already_there: Vec<String>,
    /// Kept for the JSON contract: originals stored under a key other than their content-tagged
    /// one. Always empty since keys carry a content tag (no device can hold another's key).
    pub renamed: Vec<Renamed>,
    pub failed: Vec<Failed>,
    pub bytes_uploaded: u64,
    /// The catalog snapshot written, if the catalog changed since the last one.
    pub snapshot: Option<String>,
    /// XMP sidecars written beside originals (new, or saying something new).
    pub xmp_sidecars: usize,
}

impl BackupReport {
    /// Everything was sent and proven: nothing failed, nothing left for later.
    pub fn is_ok(&self) -> bool {
        self.failed.is_empty() && !self.cancelled
    }

    /// Photos and videos (originals, not thumbnails) this backup sent.
    pub fn originals_uploaded(&self) -> usize {
        self.uploaded
            .iter()
            .filter(|k| k.starts_with("originals/"))
            .count()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Renamed {
    pub path: String,
    pub key: String,
}

struct Item {
    hash: String,
    kind: String,
    local: PathBuf,
    key: String,
    size: u64,
}

enum Outcome {
    Uploaded,
    AlreadyThere,
}

/// The pointer `catalogs/<device>/latest.json`.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub(crate) struct Pointer {
    pub format: u64,
    pub snapshot: String,
    pub blake3: String,
    pub size: u64,
    pub created_at: String,
    pub assets: u64,
}

/// The thumbnail keys on the store, by one recursive listing of `thumbs/` (about one request
/// per thousand keys on S3). `None` when the store cannot list.
async fn listed_thumbs(op: &Operator) -> Option<HashSet<String>> {
    match op.list_with("thumbs/").recursive(true).await {
        Ok(entries) => Some(
            entries
                .into_iter()
                .filter(|e| !e.path().ends_with('/'))
                .map(|e| e.path().to_owned())
                .collect(),
        ),
        Err(e) if e.kind() == ErrorKind::NotFound => Some(HashSet::new()),
        Err(_) => None,
    }
}

/// Whether to list `thumbs/` once rather than ask for each pending thumbnail: when there are
/// a few at least, and many compared with what the target is known to hold (a listing of a big
/// store costs more than a handful of HEADs). A first backup lists an empty prefix: one request.
fn worth_listing(pending_thumbs: usize, known_objects: u64) -> bool {
    pending_thumbs >= 4 && pending_thumbs as u64 * 50 >= known_objects
}

/// `listed`: the thumbnail keys the store held when this backup began, if it listed them.
async fn upload(
    op: &Operator,
    item: &Item,
    listed: Option<&HashSet<String>>,
) -> Result<(String, Outcome), String> {
    if item.size >= STREAM_FROM {
        return upload_big(op, item).await;
    }
    let bytes = tokio::fs::read(&item.local)
        .await
        .map_err(|e| format!("cannot read {}: {e}", item.local.display()))?;
    let is_thumb = item.kind != "original";
    let hash = blake3_hex(&bytes);
    if !is_thumb && hash != item.hash {
        return Err(format!(
            "{} no longer matches its hash; not uploaded (run `shoebox check`)",
            item.local.display()
        ));
    }
    let key = item.key.clone();
    // Every key is content-addressed (a thumbnail's names the original it shows, an
    // original's carries a tag of its hash): whoever writes it writes these bytes, so with a
    // listing at hand there is nothing to ask, and without one a HEAD decides. An object of
    // another size under the key is a torn upload, replaced.
    if let Some(listed) = listed
        && is_thumb
    {
        if listed.contains(&key) {
            return Ok((key, Outcome::AlreadyThere));
        }
        put_verified(op, &key, bytes, &hash).await?;
        return Ok((key, Outcome::Uploaded));
    }
    match op.stat(&key).await {
        Ok(m) if is_thumb || m.content_length() == bytes.len() as u64 => {
            Ok((key, Outcome::AlreadyThere))
        }
        Ok(_) => {
            put_verified(op, &key, bytes, &hash).await?;
            Ok((key, Outcome::Uploaded))
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            put_verified(op, &key, bytes, &hash).await?;
            Ok((key, Outcome::Uploaded))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// [`upload`] for a big file (a video): never whole in memory. Same rules: a thumbnail's key
/// is content-addressed; an original never overwrites another's bytes under its key.
async fn upload_big(op: &Operator, item: &Item) -> Result<(String, Outcome), String> {
    let is_thumb = item.kind != "original";
    let expect = (!is_thumb).then_some(item.hash.as_str());
    let key = item.key.clone();
    match op.stat(&key).await {
        Ok(m) if is_thumb || m.content_length() == item.size => Ok((key, Outcome::AlreadyThere)),
        Ok(_) => {
            put_file_verified(op, &key, &item.local, expect).await?;
            Ok((key, Outcome::Uploaded))
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            put_file_verified(op, &key, &item.local, expect).await?;
            Ok((key, Outcome::Uploaded))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// What a target that holds everything is marked with: the catalog's fingerprint (which moves
/// with every asset, thumbnail, album, favourite and store record) and the thumbnail sizes.
fn complete_mark(fingerprint: &str, thumb_sizes: &[u32]) -> String {
    let sizes: Vec<String> = thumb_sizes.iter().map(u32::to_string).collect();
    format!("{fingerprint}|{}", sizes.join(","))
}

/// Whether `target` already holds everything: no original or thumbnail missing and no catalog
/// change since the last snapshot. Needs no connection to the store, so a no-op backup makes no
/// request at all; when it is true, the backup is recorded as done.
pub fn up_to_date(catalog: &Catalog, target: &str, thumb_sizes: &[u32]) -> Result<bool> {
    let mut state = catalog.store_state(target)?;
    let fingerprint = catalog.fingerprint()?;
    let mark = complete_mark(&fingerprint, thumb_sizes);
    // The catalog has not changed since a backup left nothing behind: known at once. Otherwise
    // ask the catalog what is missing (catalog-wide queries, ~0.1 s each at 50,000 photos).
    if state.complete_mark.as_deref() != Some(mark.as_str()) {
        if state.snapshot_mark.as_deref() != Some(fingerprint.as_str())
            || !catalog.assets_missing_on(target)?.is_empty()
        {
            return Ok(false);
        }
        for size in thumb_sizes {
            if !catalog
                .thumbs_missing_on(target, &format!("thumb-{size}"))?
                .is_empty()
            {
                return Ok(false);
            }
        }
        state.complete_mark = Some(mark);
    }
    state.last_backup = Some(shoebox_catalog::now());
    // last_error stays: nothing was asked of the store, so nothing shows it works again.
    state.last_result = Some("nothing new".into());
    catalog.note_store_state(target, &state)?;
    Ok(true)
}

impl Store {
    /// Uploads what the catalog says this target lacks, then a snapshot and its pointer.
    /// A backup with nothing new makes no per-object requests.
    pub fn backup(
        &self,
        lib: &LibraryPaths,
        catalog: &mut Catalog,
        opts: &BackupOptions,
        progress: &dyn Fn(&Progress),
    ) -> Result<BackupReport> {
        let name = self.target.name.clone();
        let mut state = catalog.store_state(&name)?;
        let result = self
            .rt
            .block_on(self.backup_async(lib, catalog, opts, progress, &mut state));
        state.last_backup = Some(shoebox_catalog::now());
        match &result {
            Ok(r) => {
                state.last_result = Some(format!(
                    "{} uploaded, {} already there, {} failed{}",
                    r.uploaded.len(),
                    r.already_there.len(),
                    r.failed.len(),
                    if r.cancelled { ", cancelled" } else { "" }
                ));
                state.last_error = r.failed.first().map(|f| format!("{}: {}", f.key, f.reason));
            }
            Err(e) => {
                state.last_result = Some("failed".into());
                state.last_error = Some(e.to_string());
            }
        }
        catalog.set_store_state(&name, &state)?;
        result
    }

    async fn backup_async(
        &self,
        lib: &LibraryPaths,
        catalog: &mut Catalog,
        opts: &BackupOptions,
        progress: &dyn Fn(&Progress),
        state: &mut StoreState,
    ) -> Result<BackupReport> {
        let name = &self.target.name;
        let mut report = BackupReport {
            target: name.clone(),
            ..Default::default()
        };
        let mut throttle = Throttle::new(progress);
        let mut p = Progress {
            phase: format!("backup {name}"),
            ..Default::default()
        };
        throttle.send(&p, true);
        let mut items = Vec::new();
        for a in catalog.assets_missing_on(name)? {
            // A row whose path or hash is malformed is never read or sent; `check` names it.
            let (Ok(rel), hash) = (RelPath::parse(&a.path), a.hash.clone()) else {
                tracing::warn!(path = %a.path, "unsafe path or hash in the catalog; not backed up");
                continue;
            };
            items.push(Item {
                local: lib.original(&rel),
                key: original_key(&rel, &hash),
                hash: a.hash.to_string(),
                kind: "original".into(),
                size: a.size,
            });
        }
        for &size in &opts.thumb_sizes {
            let kind = format!("thumb-{size}");
            for hash in catalog.thumbs_missing_on(name, &kind)? {
                let Ok(h) = Hash::parse(&hash) else { continue };
                let local = lib.thumb(&h, size);
                if let Ok(m) = std::fs::metadata(&local) {
                    items.push(Item {
                        key: thumb_key(&h, size),
                        hash,
                        kind: kind.clone(),
                        local,
                        size: m.len(),
                    });
                }
            }
        }
        let fingerprint = catalog.fingerprint()?;
        if items.is_empty() && state.snapshot_mark.as_deref() == Some(fingerprint.as_str()) {
            state.complete_mark = Some(complete_mark(&fingerprint, &opts.thumb_sizes));
            p.phase = "done".into();
            throttle.send(&p, true);
            return Ok(report);
        }
        if !opts.marker_known {
            self.ensure_marker().await?;
        }
        p.total = items.len() as u64;
        p.bytes_total = items.iter().map(|i| i.size).sum();
        throttle.send(&p, true);

        let op = &self.op;
        let pending_thumbs = items.iter().filter(|i| i.kind != "original").count();
        let listed = if worth_listing(pending_thumbs, catalog.store_totals(name)?.0) {
            let l = listed_thumbs(op).await;
            match &l {
                Some(l) => tracing::debug!("{} thumbnails listed on the store", l.len()),
                None => tracing::debug!("the store cannot list thumbs/; asking per thumbnail"),
            }
            l
        } else {
            None
        };
        let listed = listed.as_ref();
        let mut results = futures::stream::iter(items.iter())
            .map(|item| async move { (item, upload(op, item, listed).await) })
            .buffer_unordered(opts.concurrency.max(1));
        let mut batch: Vec<StoreObject> = Vec::new();
        while let Some((item, res)) = results.next().await {
            p.done += 1;
            p.bytes_done += item.size;
            p.current = Some(item.key.clone());
            match res {
                Ok((key, outcome)) => {
                    match outcome {
                        Outcome::Uploaded => {
                            report.bytes_uploaded += item.size;
                            if key != item.key {
                                report.renamed.push(Renamed {
                                    path: item.key.clone(),
                                    key: key.clone(),
                                });
                            }
                            report.uploaded.push(key.clone());
                        }
                        Outcome::AlreadyThere => report.already_there.push(key.clone()),
                    }
                    batch.push(StoreObject {
                        hash: item.hash.clone(),
                        kind: item.kind.clone(),
                        key,
                        size: item.size,
                        verified_at: Some(shoebox_catalog::now()),
                    });
                    if batch.len() >= 200 {
                        catalog.put_store_objects(name, &std::mem::take(&mut batch))?;
                    }
                }
                Err(reason) => {
                    p.errors += 1;
                    report.failed.push(crate::Failed {
                        key: item.key.clone(),
                        reason,
                    });
                }
            }
            throttle.send(&p, false);
            if opts
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(std::sync::atomic::Ordering::SeqCst))
            {
                report.cancelled = true;
                break;
            }
        }
        drop(results);
        catalog.put_store_objects(name, &batch)?;
        if report.cancelled {
            return Ok(report);
        }

        // The snapshot goes after the objects it describes; the pointer goes last.
        // (Writing the snapshot changes nothing the fingerprint covers.)
        let fingerprint = catalog.fingerprint()?;
        if state.snapshot_mark.as_deref() != Some(fingerprint.as_str()) {
            p.phase = "snapshot".into();
            throttle.send(&p, true);
            let tmp = lib
                .tmp()
                .join(format!("snapshot-{:08x}.db", fastrand::u32(..)));
            catalog.snapshot_to(&tmp)?;
            let bytes = std::fs::read(&tmp).map_err(crate::error::io(&tmp));
            let _ = std::fs::remove_file(&tmp);
            let bytes = bytes?;
            let dev = &opts.device_id;
            let now = chrono::Utc::now();
            let key = format!(
                "catalogs/{dev}/{}-{:04x}.db",
                now.format("%Y%m%dT%H%M%SZ"),
                fastrand::u16(..)
            );
            let hash = blake3_hex(&bytes);
            let size = bytes.len() as u64;
            put_verified(op, &key, bytes, &hash)
                .await
                .map_err(|e| Error::Store(format!("catalog snapshot {key}: {e}")))?;
            let pointer = Pointer {
                format: crate::FORMAT,
                snapshot: key.clone(),
                blake3: hash,
                size,
                created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                assets: catalog.counts()?.assets,
            };
            let body =
                serde_json::to_vec_pretty(&pointer).map_err(|e| Error::Store(e.to_string()))?;
            let pkey = format!("catalogs/{dev}/latest.json");
            let phash = blake3_hex(&body);
            put_verified(op, &pkey, body, &phash)
                .await
                .map_err(|e| Error::Store(format!("{pkey}: {e}")))?;
            state.snapshot_mark = Some(fingerprint.clone());
            report.snapshot = Some(key);
        }
        state.complete_mark = report
            .failed
            .is_empty()
            .then(|| complete_mark(&fingerprint, &opts.thumb_sizes));
        p.phase = "done".into();
        p.current = None;
        throttle.send(&p, true);
        Ok(report)
    }
}
