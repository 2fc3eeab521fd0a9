//! Restore: a complete new library from the store alone, resumable, never writing outside it.

use crate::backup::Pointer;
use crate::keys::local_path_for;
use crate::{Error, Failed, Result, Store, blake3_hex};
use futures::StreamExt;
use serde::Serialize;
use shoebox_catalog::{Catalog, NewAsset, StoreObject};
use shoebox_layout::{
    Hash, LibraryPaths, RelPath, fold_key, key_problem, parse_thumb_key, safe_name, split_ext,
};
use shoebox_types::Progress;
use shoebox_types::Throttle;
use std::collections::HashSet;
use std::path::Path;
pub(crate) mod others;

#[derive(Debug, Clone, Default, Serialize)]
pub struct RestoreReport {
    /// Snapshots the catalog was built from, newest first.
    pub snapshots: Vec<String>,
    pub restored: u64,
    pub already_present: u64,
    pub thumbnails: u64,
    pub bytes: u64,
    pub failed: Vec<Failed>,
    /// Keys refused because they would write outside the folder, and photos left out of the
    /// restored catalog because nothing safe could name them.
    pub bad_keys: Vec<Failed>,
    /// Photos whose path in the snapshot was unsafe (it climbed out of `originals/`, or named
    /// a file some disk cannot hold); restored under a safe name instead.
    pub renamed: Vec<Renamed>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Renamed {
    pub from: String,
    pub to: String,
    pub reason: String,
}

const MARKER: &str = "restore-in-progress";
/// Left by a finished restore, so that running the same restore again checks and completes it.
const DONE: &str = "restored";

impl Store {
    /// Builds a library in `dir` from this store.
    pub fn restore(
        &self,
        dir: &Path,
        concurrency: usize,
        progress: &dyn Fn(&Progress),
    ) -> Result<RestoreReport> {
        self.rt
            .block_on(self.restore_async(dir, concurrency, progress))
    }

    async fn read_pointers(&self) -> Result<Vec<Pointer>> {
        let entries = self
            .op
            .list_with("catalogs/")
            .recursive(true)
            .await
            .map_err(|e| self.store_err(&e))?;
        let mut pointers = Vec::new();
        for e in entries {
            if !e.path().ends_with("/latest.json") {
                continue;
            }
            let Ok(b) = self.op.read(e.path()).await else {
                continue;
            };
            if let Ok(p) = serde_json::from_slice::<Pointer>(&b.to_vec()) {
                if p.format > crate::FORMAT {
                    return Err(Error::TooNew {
                        found: p.format,
                        supported: crate::FORMAT,
                    });
                }
                pointers.push(p);
            }
        }
        pointers.sort_by(|a, b| b.created_at.cmp(&a.created_at));
        Ok(pointers)
    }

    async fn fetch_snapshot(&self, p: &Pointer, dest: &Path) -> Result<()> {
        let b = self
            .op
            .read(&p.snapshot)
            .await
            .map_err(|e| Error::Store(format!("{}: {}", p.snapshot, self.describe_err(&e))))?;
        let b = b.to_vec();
        if blake3_hex(&b) != p.blake3 {
            return Err(Error::Store(format!(
                "catalog snapshot {} is damaged (checksum mismatch)",
                p.snapshot
            )));
        }
        std::fs::write(dest, &b).map_err(crate::error::io(dest))?;
        // Snapshots come from a store: nothing in one runs or is read before it is checked.
        Catalog::open_untrusted(dest).map_err(|e| {
            Error::Store(format!(
                "catalog snapshot {} cannot be used: {e}",
                p.snapshot
            ))
        })?;
        Ok(())
    }

    async fn restore_async(
        &self,
        dir: &Path,
        concurrency: usize,
        progress: &dyn Fn(&Progress),
    ) -> Result<RestoreReport> {
        let lib = LibraryPaths::new(dir.to_owned());
        let mut r = RestoreReport::default();
        let marker = lib.meta_dir().join(MARKER);
        let done_marker = lib.meta_dir().join(DONE);
        if lib.catalog().exists() && !marker.exists() && !done_marker.exists() {
            return Err(Error::Store(format!(
                "{} already holds a library; restore into a new, empty folder",
                dir.display()
            )));
        }
        for d in [lib.meta_dir(), lib.tmp(), lib.thumbs(), lib.originals()] {
            if std::fs::symlink_metadata(&d).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(Error::Store(format!(
                    "{} is a symlink; restore writes only into real folders inside {}",
                    d.display(),
                    dir.display()
                )));
            }
            std::fs::create_dir_all(&d).map_err(crate::error::io(&d))?;
        }
        std::fs::write(&marker, b"").map_err(crate::error::io(&marker))?;
        let mut throttle = Throttle::new(progress);
        let mut p = Progress {
            phase: "restore catalog".into(),
            ..Default::default()
        };
        throttle.send(&p, true);

        let pointers = self.read_pointers().await?;
        let Some(newest) = pointers.first() else {
            return Err(Error::NoSnapshot);
        };
        let tmp_db = lib.tmp().join("restore-catalog.db");
        self.fetch_snapshot(newest, &tmp_db).await?;
        for ext in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(lib.meta_dir().join(format!("catalog.db{ext}")));
        }
        std::fs::rename(&tmp_db, lib.catalog()).map_err(crate::error::io(lib.catalog()))?;
        r.snapshots.push(newest.snapshot.clone());
        let mut cat = Catalog::open(&lib.catalog())?;
        // The search index and month counts are built here from the rows, never taken from
        // the store.
        cat.rebuild_derived()?;

        // Other devices' newest snapshots add the photos this one does not know.
        let mut known: HashSet<String> = cat.all_hashes()?.into_iter().collect();
        for other in pointers.iter().skip(1) {
            let path = lib.tmp().join("restore-other.db");
            if self.fetch_snapshot(other, &path).await.is_err() {
                r.failed.push(Failed {
                    key: other.snapshot.clone(),
                    reason: "snapshot unreadable".into(),
                });
                continue;
            }
            let o = match Catalog::open_from_store(&path) {
                Ok(o) => o,
                Err(e) => {
                    r.failed.push(Failed {
                        key: other.snapshot.clone(),
                        reason: format!("snapshot unusable: {e}"),
                    });
                    continue;
                }
            };
            let mut add = Vec::new();
            let mut keys = Vec::new();
            // Compared as a case-insensitive disk compares names.
            let mut paths: HashSet<String> = cat
                .list_assets()?
                .into_iter()
                .map(|a| fold_key(&a.path))
                .collect();
            for a in o.list_assets()? {
                if known.insert(a.hash.to_string()) {
                    let key = o.store_key_for(&a.hash)?;
                    if let Some(k) = &key {
                        keys.push(StoreObject {
                            hash: a.hash.to_string(),
                            kind: "original".into(),
                            key: k.clone(),
                            size: a.size,
                            verified_at: None,
                        });
                    }
                    // Two devices' photos with one name in one month: the second takes the
                    // distinct key it has on the store as its path.
                    let mut path = a.path;
                    if paths.contains(&fold_key(&path)) {
                        path = key
                            .filter(|k| !paths.contains(&fold_key(k)))
                            .unwrap_or_else(|| {
                                let (stem, ext) = split_ext(&path);
                                format!("{stem}.{}{ext}", a.hash)
                            });
                    }
                    paths.insert(fold_key(&path));
                    add.push(NewAsset {
                        hash: a.hash.to_string(),
                        path,
                        original_name: a.original_name,
                        size: a.size,
                        meta: a.meta,
                        thumb_state: a.thumb_state,
                        source_path: None,
                    });
                }
            }
            drop(o);
            let _ = std::fs::remove_file(&path);
            cat.insert_assets(&add)?;
            cat.put_store_objects("restore", &keys)?;
            r.snapshots.push(other.snapshot.clone());
        }

        sanitise(&mut cat, &mut r)?;
        let assets = cat.list_assets()?;
        let mut jobs = Vec::new();
        for a in &assets {
            let key = cat
                .store_key_for(&a.hash)?
                .unwrap_or_else(|| a.path.clone());
            if let Some(why) = key_problem(&key) {
                r.bad_keys.push(Failed {
                    key: key.clone(),
                    reason: format!("unsafe key: {why}; skipped"),
                });
                continue;
            }
            match local_path_for(dir, &a.path) {
                Ok(dest) => jobs.push((a.hash.clone(), key, a.path.clone(), dest, a.size)),
                Err(reason) => r.bad_keys.push(Failed {
                    key: a.path.clone(),
                    reason,
                }),
            }
        }
        p.phase = "restore originals".into();
        p.total = jobs.len() as u64;
        p.bytes_total = jobs.iter().map(|j| j.4).sum();
        throttle.send(&p, true);
        let op = &self.op;
        let tmpdir = lib.tmp();
        let mut results = futures::stream::iter(jobs)
            .map(|(hash, key, rel, dest, size)| {
                let tmpdir = tmpdir.clone();
                async move {
                    // Hashed as a stream: a 4 GB video never sits in memory.
                    if shoebox_layout::hash_file(&dest).is_ok_and(|h| h == hash.as_str()) {
                        return (rel, size, Ok(false));
                    }
                    let res = async {
                        if let Some(parent) = dest.parent() {
                            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                        }
                        let tmp = tmpdir.join(format!("restore-{:08x}.part", fastrand::u32(..)));
                        crate::fetch_to_file(op, &key, &tmp, hash.as_str()).await?;
                        // rename replaces a planted symlink at `dest` instead of following it.
                        std::fs::rename(&tmp, &dest).map_err(|e| {
                            let _ = std::fs::remove_file(&tmp);
                            format!("{}: {e}", dest.display())
                        })?;
                        Ok(true)
                    }
                    .await;
                    (rel, size, res)
                }
            })
            .buffer_unordered(concurrency.max(1));
        while let Some((rel, size, res)) = results.next().await {
            p.done += 1;
            p.bytes_done += size;
            p.current = Some(rel.clone());
            match res {
                Ok(true) => {
                    r.restored += 1;
                    r.bytes += size;
                }
                Ok(false) => r.already_present += 1,
                Err(reason) => {
                    p.errors += 1;
                    r.failed.push(Failed { key: rel, reason });
                }
            }
            throttle.send(&p, false);
        }
        drop(results);

        // Thumbnails, so the restored library can be browsed at once: one listing of thumbs/
        // (not one per photo), then those of this catalog's photos, several at a time. Only
        // well-formed hashes name a local file, whatever the snapshot or the store say.
        p.phase = "restore thumbnails".into();
        throttle.send(&p, true);
        let wanted: HashSet<&str> = assets.iter().map(|a| a.hash.as_str()).collect();
        let mut thumbs = Vec::new();
        if let Ok(list) = op.list_with("thumbs/").recursive(true).await {
            for e in list {
                let Some((hash, size)) = parse_thumb_key(e.path()) else {
                    continue;
                };
                if !wanted.contains(hash.as_str()) {
                    continue;
                }
                let dest = lib.thumb(&hash, size);
                if !dest.exists() {
                    thumbs.push((e.path().to_owned(), dest));
                }
            }
        }
        p.done = 0;
        p.total = thumbs.len() as u64;
        r.thumbnails += self
            .fetch_thumbs_async(&lib, thumbs, concurrency, &mut |_| {
                p.done += 1;
                throttle.send(&p, false);
            })
            .await as u64;
        if r.failed.is_empty() {
            // Until then a re-run resumes: what is in place and checks out is kept.
            let _ = std::fs::write(&done_marker, newest.snapshot.as_bytes());
            let _ = std::fs::remove_file(&marker);
        }
        p.phase = "done".into();
        p.current = None;
        throttle.send(&p, true);
        Ok(r)
    }
}

/// Makes the restored catalog hold only rows that name a file inside `originals/`: a row whose
/// hash is malformed, or whose original cannot be read under a safe key, is left out and
/// reported; a row whose path is unsafe is given a safe one in its month folder and reported.
fn sanitise(cat: &mut Catalog, r: &mut RestoreReport) -> Result<()> {
    let mut drop = Vec::new();
    for (hash, path) in cat.malformed_hash_rows()? {
        let e = Hash::parse(&hash)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        r.bad_keys.push(Failed {
            key: path,
            reason: format!("{e}; left out of the restored library"),
        });
        drop.push(hash);
    }
    cat.drop_asset_rows(&drop)?;
    let assets = cat.list_assets()?;
    let mut taken: HashSet<String> = assets
        .iter()
        .filter(|a| RelPath::parse(&a.path).is_ok())
        .map(|a| fold_key(&a.path))
        .collect();
    let mut drop = Vec::new();
    let mut keys = Vec::new();
    for a in &assets {
        let Err(why) = RelPath::parse(&a.path) else {
            continue;
        };
        let key = cat.store_key_for(&a.hash)?;
        let source_key = key.clone().unwrap_or_else(|| a.path.clone());
        if let Some(k) = key_problem(&source_key) {
            r.bad_keys.push(Failed {
                key: a.path.clone(),
                reason: format!("{why}, and its store key is unsafe too ({k}); left out"),
            });
            drop.push(a.hash.to_string());
            continue;
        }
        let last = a.path.rsplit(['/', '\\']).next().unwrap_or("");
        let name = safe_name(if last.is_empty() {
            &a.original_name
        } else {
            last
        });
        let folder = a.meta.taken_at.folder();
        let (stem, ext) = split_ext(&name);
        let mut to = RelPath::join(&folder, &name)?;
        let mut i = 2;
        while taken.contains(&to.fold_key()) {
            to = RelPath::join(&folder, &format!("{stem} ({i}){ext}"))?;
            i += 1;
        }
        taken.insert(to.fold_key());
        cat.set_asset_path(&a.hash, &to)?;
        if key.is_none() {
            // The bytes stay where the store has them.
            keys.push(StoreObject {
                hash: a.hash.to_string(),
                kind: "original".into(),
                key: source_key,
                size: a.size,
                verified_at: None,
            });
        }
        r.renamed.push(Renamed {
            from: a.path.clone(),
            to: to.into_string(),
            reason: why.to_string(),
        });
    }
    cat.drop_asset_rows(&drop)?;
    cat.put_store_objects("restore", &keys)?;
    Ok(())
}
