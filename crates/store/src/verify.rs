//! Verify: the store against the catalog (sizes, and checksums when reading back), the local
//! originals against their hashes; `repair` mends each side from the other.

use crate::transfer::put_file_verified;
use crate::{Result, Store};
use futures::StreamExt;
use opendal::ErrorKind;
use serde::Serialize;
use shoebox_catalog::{Catalog, StoreObject};
use shoebox_layout::LibraryPaths;
use shoebox_types::Progress;
use shoebox_types::Throttle;
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Read every object back and check its checksum.
    pub deep: bool,
    /// Read back this share of objects (0–100) when not deep.
    pub sample_percent: f64,
    pub repair: bool,
    pub concurrency: usize,
}

impl VerifyOptions {
    /// The routine check (the app's *Verify* button, and after a backup): every object's size,
    /// and 5% of them read back and hashed; no repair.
    pub fn quick() -> Self {
        VerifyOptions {
            deep: false,
            sample_percent: 5.0,
            repair: false,
            concurrency: 8,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyProblem {
    /// `missing`, `size`, `checksum`, `unreadable` (store side) or `local_missing`,
    /// `local_corrupt` (library side).
    pub kind: String,
    pub key: String,
    pub detail: String,
    pub repaired: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    pub target: String,
    pub objects: u64,
    pub objects_read_back: u64,
    pub originals_checked: u64,
    pub problems: Vec<VerifyProblem>,
}

impl VerifyReport {
    /// Nothing wrong that was not repaired.
    pub fn is_clean(&self) -> bool {
        self.problems.iter().all(|p| p.repaired)
    }
}

async fn check_object(
    op: &opendal::Operator,
    o: &StoreObject,
    want: Option<&str>,
    read: bool,
) -> Option<(String, String)> {
    match op.stat(&o.key).await {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Some(("missing".into(), "not on the store".into()));
        }
        Err(e) => return Some(("unreadable".into(), e.to_string())),
        Ok(m) if m.content_length() != o.size => {
            return Some((
                "size".into(),
                format!(
                    "{} bytes on the store, {} expected",
                    m.content_length(),
                    o.size
                ),
            ));
        }
        Ok(_) => {}
    }
    if read {
        match crate::hash_object(op, &o.key).await {
            Err(e) => return Some(("unreadable".into(), e)),
            Ok((h, _)) => {
                if let Some(want) = want
                    && h != want
                {
                    return Some((
                        "checksum".into(),
                        "content differs from what was uploaded".into(),
                    ));
                }
            }
        }
    }
    None
}

impl Store {
    pub fn verify(
        &self,
        lib: &LibraryPaths,
        catalog: &mut Catalog,
        opts: &VerifyOptions,
        progress: &dyn Fn(&Progress),
    ) -> Result<VerifyReport> {
        let name = self.target.name.clone();
        let report = self
            .rt
            .block_on(self.verify_async(lib, catalog, opts, progress))?;
        let mut st = catalog.store_state(&name)?;
        st.last_verify = Some(shoebox_catalog::now());
        st.last_verify_ok = Some(report.is_clean());
        if !report.is_clean() {
            st.complete_mark = None;
            st.last_error = report
                .problems
                .iter()
                .find(|p| !p.repaired)
                .map(|p| format!("{}: {} ({})", p.key, p.kind, p.detail));
        }
        catalog.set_store_state(&name, &st)?;
        Ok(report)
    }

    async fn verify_async(
        &self,
        lib: &LibraryPaths,
        catalog: &mut Catalog,
        opts: &VerifyOptions,
        progress: &dyn Fn(&Progress),
    ) -> Result<VerifyReport> {
        let mut r = VerifyReport {
            target: self.target.name.clone(),
            ..Default::default()
        };
        let assets: HashMap<String, shoebox_catalog::Asset> = catalog
            .list_assets()?
            .into_iter()
            .map(|a| (a.hash.to_string(), a))
            .collect();
        // Objects of photos this library let go of are leftovers for `prune`, not backups: a
        // device that pruned them may already have deleted them.
        let objs: Vec<_> = catalog
            .store_objects(&self.target.name)?
            .into_iter()
            .filter(|o| assets.contains_key(&o.hash))
            .collect();
        let mut throttle = Throttle::new(progress);
        let mut p = Progress {
            phase: format!("verify {}", self.target.name),
            total: objs.len() as u64 + assets.len() as u64,
            ..Default::default()
        };
        throttle.send(&p, true);

        // Local originals first: a repair of the store needs a good local copy.
        let mut local_bad: HashMap<String, String> = HashMap::new();
        for a in assets.values() {
            let Ok(abs) = lib.resolve(&a.path) else {
                // Never read, written or repaired: the path would lead outside the library.
                local_bad.insert(a.hash.to_string(), "local_unsafe_path".into());
                continue;
            };
            let hashed = shoebox_layout::hash_file(&abs);
            if a.device.is_some() && !hashed.as_ref().is_ok_and(|h| h == a.hash.as_str()) {
                // Another device's photo whose original stays on the store until fetched
                // (fetched ones live in the cache, checked when used): nothing local to check.
                // A file at its path that is not it is someone else's: never repaired over.
                p.done += 1;
                continue;
            }
            match hashed {
                Ok(h) if h == a.hash.as_str() => {}
                Ok(_) => {
                    local_bad.insert(a.hash.to_string(), "local_corrupt".into());
                }
                Err(_) => {
                    local_bad.insert(a.hash.to_string(), "local_missing".into());
                }
            }
            r.originals_checked += 1;
            p.done += 1;
            throttle.send(&p, false);
        }

        let op = &self.op;
        let sample = opts.sample_percent.clamp(0.0, 100.0) / 100.0;
        let mut checks = futures::stream::iter(objs.iter())
            .map(|o| {
                let read = opts.deep || fastrand::f64() < sample;
                let want = if o.kind == "original" {
                    Some(o.hash.clone())
                } else {
                    None
                };
                async move { (o, read, check_object(op, o, want.as_deref(), read).await) }
            })
            .buffer_unordered(opts.concurrency.max(1));
        let mut store_bad = Vec::new();
        while let Some((o, read, res)) = checks.next().await {
            r.objects += 1;
            if read {
                r.objects_read_back += 1;
            }
            p.done += 1;
            p.current = Some(o.key.clone());
            if let Some((kind, detail)) = res {
                p.errors += 1;
                store_bad.push((o.clone(), kind, detail));
            }
            throttle.send(&p, false);
        }
        drop(checks);

        for (o, kind, detail) in store_bad {
            let mut repaired = false;
            let mut detail = detail;
            if opts.repair && !local_bad.contains_key(&o.hash) {
                let local = if o.kind == "original" {
                    assets.get(&o.hash).and_then(|a| lib.resolve(&a.path).ok())
                } else {
                    let hash = shoebox_layout::Hash::parse(&o.hash).ok();
                    o.kind
                        .strip_prefix("thumb-")
                        .and_then(|s| s.parse().ok())
                        .zip(hash)
                        .map(|(s, h)| lib.thumb(&h, s))
                };
                if let Some(local) = local
                    && local.is_file()
                {
                    // Streamed from disk; an original must still hash to its catalog hash.
                    let expect = (o.kind == "original").then_some(o.hash.as_str());
                    match put_file_verified(op, &o.key, &local, expect).await {
                        Ok(_) => repaired = true,
                        Err(e) => detail = format!("{detail}; repair failed: {e}"),
                    }
                }
            }
            r.problems.push(VerifyProblem {
                kind,
                key: o.key.clone(),
                detail,
                repaired,
            });
        }

        // Local originals that are missing or corrupt: fetch them back from the store.
        let keys: HashMap<&str, &StoreObject> = objs
            .iter()
            .filter(|o| o.kind == "original")
            .map(|o| (o.hash.as_str(), o))
            .collect();
        for (hash, kind) in &local_bad {
            let Some(a) = assets.get(hash) else { continue };
            let mut repaired = false;
            let mut detail = if kind == "local_missing" {
                "the library's original is gone".to_owned()
            } else if kind == "local_unsafe_path" {
                "the catalog's path for it leads outside the library; not touched".to_owned()
            } else {
                "the library's original no longer matches its hash".to_owned()
            };
            let dest = lib.resolve(&a.path);
            if opts.repair
                && let Ok(dest) = dest
            {
                match keys.get(hash.as_str()) {
                    Some(o) => {
                        let tmp = lib
                            .tmp()
                            .join(format!("repair-{:08x}.part", fastrand::u32(..)));
                        // Streamed to a synced temp file and checked against the hash before
                        // anything in the library moves.
                        match crate::fetch_to_file(op, &o.key, &tmp, hash).await {
                            Ok(_) => {
                                let placed = (|| -> std::io::Result<()> {
                                    if let Some(d) = dest.parent() {
                                        std::fs::create_dir_all(d)?;
                                    }
                                    // The damaged file is kept, not overwritten: it may still
                                    // be someone's only copy of something.
                                    if dest.exists() {
                                        let aside = lib.meta_dir().join("damaged");
                                        std::fs::create_dir_all(&aside)?;
                                        let name = dest
                                            .file_name()
                                            .map(|n| n.to_string_lossy().into_owned())
                                            .unwrap_or_default();
                                        std::fs::rename(
                                            &dest,
                                            aside.join(format!(
                                                "{}-{name}",
                                                hash.get(..12).unwrap_or("x")
                                            )),
                                        )?;
                                    }
                                    std::fs::rename(&tmp, &dest)
                                })();
                                match placed {
                                    Ok(()) => repaired = true,
                                    Err(e) => {
                                        let _ = std::fs::remove_file(&tmp);
                                        detail = format!("{detail}; repair failed: {e}")
                                    }
                                }
                            }
                            Err(e) if e.contains("does not match its hash") => {
                                detail = format!("{detail}; the store's copy is damaged too")
                            }
                            Err(e) => {
                                detail = format!("{detail}; cannot read the store's copy: {e}")
                            }
                        }
                    }
                    None => detail = format!("{detail}; not on this store yet"),
                }
            }
            r.problems.push(VerifyProblem {
                kind: kind.clone(),
                key: a.path.clone(),
                detail,
                repaired,
            });
        }
        p.phase = "done".into();
        p.current = None;
        throttle.send(&p, true);
        Ok(r)
    }
}
