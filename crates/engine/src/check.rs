//! `shoebox check`: every original re-hashed against the catalog; reports, never deletes.

use crate::{Result, io};
use serde::Serialize;
use shoebox_catalog::Catalog;
use shoebox_import::{LibraryPaths, Throttle};
use shoebox_types::Progress;
use std::collections::HashSet;
use walkdir::WalkDir;

/// One thing wrong in the library.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// `missing`, `corrupt`, `untracked` or `catalog`.
    pub kind: String,
    pub path: String,
    pub detail: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    pub checked: u64,
    pub ok: u64,
    pub bytes: u64,
    pub catalog_integrity: String,
    pub problems: Vec<Problem>,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

pub(crate) fn check(
    lib: &LibraryPaths,
    cat: &Catalog,
    progress: &dyn Fn(&Progress),
) -> Result<CheckReport> {
    let mut r = CheckReport {
        catalog_integrity: cat.integrity_check()?,
        ..Default::default()
    };
    if r.catalog_integrity != "ok" {
        r.problems.push(Problem {
            kind: "catalog".into(),
            path: ".shoebox/catalog.db".into(),
            detail: r.catalog_integrity.clone(),
        });
    }
    let assets = cat.list_assets()?;
    let mut p = Progress {
        phase: "check".into(),
        total: assets.len() as u64,
        bytes_total: assets.iter().map(|a| a.size).sum(),
        ..Default::default()
    };
    let mut t = Throttle::new(progress);
    t.send(&p, true);
    let mut known = HashSet::new();
    for a in &assets {
        known.insert(a.path.clone());
        p.current = Some(a.path.clone());
        let abs = match lib.resolve(&a.path) {
            Ok(abs) => abs,
            Err(e) => {
                r.problems.push(Problem {
                    kind: "unsafe".into(),
                    path: a.path.clone(),
                    detail: format!("{e}; not read, never written or deleted"),
                });
                r.checked += 1;
                p.done += 1;
                t.send(&p, false);
                continue;
            }
        };
        match std::fs::metadata(&abs) {
            Err(_) => r.problems.push(Problem {
                kind: "missing".into(),
                path: a.path.clone(),
                detail: format!("catalogued ({}) but the file is gone", a.hash.short(12)),
            }),
            Ok(m) if m.len() != a.size => r.problems.push(Problem {
                kind: "corrupt".into(),
                path: a.path.clone(),
                detail: format!("size is {} bytes, catalog says {}", m.len(), a.size),
            }),
            Ok(_) => match shoebox_import::hash_file(&abs) {
                Ok(h) if h == a.hash => r.ok += 1,
                Ok(h) => r.problems.push(Problem {
                    kind: "corrupt".into(),
                    path: a.path.clone(),
                    detail: format!(
                        "content hash {} differs from the catalog's {}",
                        &h[..12],
                        a.hash.short(12)
                    ),
                }),
                Err(e) => r.problems.push(Problem {
                    kind: "corrupt".into(),
                    path: a.path.clone(),
                    detail: format!("cannot read: {e}"),
                }),
            },
        }
        r.checked += 1;
        r.bytes += a.size;
        p.done += 1;
        p.bytes_done += a.size;
        p.errors = r.problems.len() as u64;
        t.send(&p, false);
    }
    for e in WalkDir::new(lib.originals()).follow_links(false) {
        let e = match e {
            Ok(e) => e,
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                r.problems.push(Problem {
                    kind: "untracked".into(),
                    path,
                    detail: format!("cannot read: {err}"),
                });
                continue;
            }
        };
        if e.file_type().is_dir() {
            continue;
        }
        let rel = e
            .path()
            .strip_prefix(&lib.root)
            .map_err(|_| io(e.path())(std::io::Error::other("outside the library")))?
            .to_string_lossy()
            .replace('\\', "/");
        if !known.contains(&rel) {
            r.problems.push(Problem {
                kind: "untracked".into(),
                path: rel,
                detail: "in originals/ but not in the catalog; left alone".into(),
            });
        }
    }
    p.phase = "done".into();
    p.current = None;
    t.send(&p, true);
    Ok(r)
}
