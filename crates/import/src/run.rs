//! The import run: scanning, hashing and probing files in parallel, placing each original, and writing the catalog in batches.

use crate::*;
use shoebox_catalog::{Catalog, NewAsset, ThumbState};
use shoebox_types::Progress;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Most files committed in one catalog transaction.
pub(crate) const BATCH_MAX: usize = 256;

/// A file found by the scan and worth reading.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub path: PathBuf,
    pub size: u64,
    /// Its Google Takeout sidecar, when the import has them.
    pub sidecar: Option<Arc<takeout::Sidecar>>,
}

/// What a worker made of one candidate.
pub(crate) enum Outcome {
    Ready(Box<place::Prepared>),
    Duplicate {
        source: PathBuf,
        hash: String,
    },
    Rejected {
        source: PathBuf,
        reason: String,
    },
    /// The library could not be written (disk full, permissions): the import stops.
    Fatal(Error),
}

/// Imports every file under `sources` into the library. Copies; never changes a source.
///
/// The caller holds the library's write lock. Per-file problems land in the report; an `Err`
/// means the library itself could not be written (disk full, catalog error) and the import stopped
/// with everything already committed intact.
pub fn run_import(
    sources: &[PathBuf],
    lib: &LibraryPaths,
    catalog: &mut Catalog,
    opts: &ImportOptions,
    progress: &dyn Fn(&Progress),
    cancel: &AtomicBool,
) -> Result<ImportReport> {
    let mut report = ImportReport {
        started_at: shoebox_catalog::now(),
        ..Default::default()
    };
    let mut throttle = Throttle::new(progress);
    let mut p = Progress {
        phase: "scan".into(),
        ..Default::default()
    };
    throttle.send(&p, true);
    for dir in [lib.tmp(), lib.thumbs(), lib.originals()] {
        create_dir_durable(&dir)?;
    }
    // Takeout parts given as archives are unpacked into the library's temp folder first (media
    // and JSON entries only), and imported from there.
    let staging = lib.tmp().join(format!("takeout-{:08x}", fastrand::u32(..)));
    let mut parts: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut tk = takeout::TakeoutReport::default();
    let mut roots = Vec::new();
    for (i, src) in sources.iter().enumerate() {
        if !takeout::is_archive(src) {
            roots.push(src.clone());
            continue;
        }
        p.phase = "unpack".into();
        p.current = Some(src.display().to_string());
        throttle.send(&p, true);
        let dest = staging.join(format!("part-{i}"));
        let allowed = |name: &str| {
            shoebox_media::extension_of(Path::new(name))
                .is_some_and(|e| e == "json" || opts.allowed_extensions.contains(&e))
        };
        match takeout::unpack(src, &dest, &allowed) {
            Ok(problems) => {
                for (entry, why) in problems {
                    report.rejected.push(Rejected {
                        path: format!("{}!{entry}", src.display()),
                        reason: why,
                    });
                }
                tk.archives.push(src.display().to_string());
                parts.push((dest.clone(), src.clone()));
                roots.push(dest);
            }
            Err(why) => {
                report.rejected.push(Rejected {
                    path: src.display().to_string(),
                    reason: format!("{why}; nothing imported from it"),
                });
            }
        }
    }
    let result = import_from(
        &roots,
        lib,
        catalog,
        opts,
        cancel,
        &mut report,
        &mut tk,
        &mut p,
        &mut throttle,
    );
    let _ = std::fs::remove_dir_all(&staging);
    result?;
    // Paths inside an unpacked part are reported as `part.zip!inner/path`.
    let shown = |s: &mut String| {
        for (dir, archive) in &parts {
            let d = dir.display().to_string();
            if let Some(rest) = s.strip_prefix(&d) {
                *s = format!("{}!{}", archive.display(), rest.trim_start_matches('/'));
            }
        }
    };
    for i in &mut report.imported {
        shown(&mut i.source);
    }
    for d in &mut report.duplicates {
        shown(&mut d.path);
    }
    for x in &mut report.skipped {
        shown(&mut x.path);
    }
    for x in &mut report.rejected {
        shown(&mut x.path);
    }
    if let Some(t) = &mut report.takeout {
        for x in t.without_sidecar.iter_mut().chain(t.other_json.iter_mut()) {
            shown(&mut x.path);
        }
        for u in &mut t.unmatched_sidecars {
            shown(u);
        }
        for c in &mut t.sidecar_conflicts {
            shown(&mut c.photo);
            shown(&mut c.sidecar);
        }
    }
    for a in &mut report.takeout_actions {
        if let Some(s) = &mut a.sidecar {
            let mut p = s.path.display().to_string();
            shown(&mut p);
            Arc::make_mut(s).path = PathBuf::from(p);
        }
    }
    report.cancelled = report.cancelled || (cancel.load(Ordering::Relaxed) && p.done < p.total);
    p.phase = "done".into();
    p.current = None;
    throttle.send(&p, true);
    report.finish();
    catalog.record_import(&shoebox_catalog::ImportRecord {
        started_at: report.started_at.clone(),
        finished_at: report.finished_at.clone(),
        imported: report.counts.imported,
        duplicates: report.counts.duplicates,
        skipped: report.counts.skipped,
        rejected: report.counts.rejected,
    })?;
    Ok(report)
}

/// The import proper, from folders (unpacked parts among them).
#[allow(clippy::too_many_arguments)]
pub(crate) fn import_from(
    sources: &[PathBuf],
    lib: &LibraryPaths,
    catalog: &mut Catalog,
    opts: &ImportOptions,
    cancel: &AtomicBool,
    report: &mut ImportReport,
    tk: &mut takeout::TakeoutReport,
    p: &mut Progress,
    throttle: &mut Throttle<'_>,
) -> Result<()> {
    let mut jsons = Vec::new();
    let mut candidates = scan::scan(sources, lib, opts, report, cancel, &mut jsons);
    // What the library has, read once: Takeout's copies are matched against it, and the
    // workers use it to tell duplicates.
    let known: HashSet<String> = catalog.all_hashes()?.into_iter().collect();
    let mut index = takeout::Index::build(&jsons, sources, tk);
    let mut albums: std::collections::HashMap<PathBuf, String> = Default::default();
    let is_takeout = !index.is_empty() || !tk.archives.is_empty();
    if is_takeout {
        for c in &mut candidates {
            match index.sidecar_of(&c.path) {
                Ok(s) => {
                    tk.matched += 1;
                    c.sidecar = Some(s);
                }
                Err(why) => tk.without_sidecar.push(Skipped {
                    path: c.path.display().to_string(),
                    reason: why,
                }),
            }
            if let Some(a) = index.album_of(&c.path) {
                albums.insert(c.path.clone(), a);
            }
        }
        tk.unmatched_sidecars = index.unused();
        takeout::merge_copies(&mut candidates, &albums, &known, tk);
    } else {
        // No Takeout here: JSON files are just not photos.
        for j in jsons {
            report.skipped.push(Skipped {
                path: j.display().to_string(),
                reason: ".json is not an allowed extension (setting allowed_extensions)".into(),
            });
        }
    }
    p.phase = "import".into();
    p.total = candidates.len() as u64;
    p.bytes_total = candidates.iter().map(|c| c.size).sum();
    p.errors = report.rejected.len() as u64;
    throttle.send(p, true);

    let known: Arc<Mutex<HashSet<String>>> = Arc::new(Mutex::new(known));
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    } else {
        opts.threads
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("shoebox-import-{i}"))
        .build()
        .map_err(|e| Error::Pool(e.to_string()))?;
    let (tx, rx) = crossbeam_channel::bounded::<(usize, u64, Outcome)>(threads * 2);
    let stop = AtomicBool::new(false);

    let result = std::thread::scope(|s| {
        let known_w = known.clone();
        let stop = &stop;
        let candidates = &candidates;
        s.spawn(move || {
            pool.install(|| {
                use rayon::prelude::*;
                // Workers take files in the scan's order (par_bridge hands out the next one),
                // so what finishes early is never far ahead of what the writer waits for.
                candidates
                    .iter()
                    .enumerate()
                    .par_bridge()
                    .for_each_with(tx, |tx, (i, c)| {
                        if cancel.load(Ordering::Relaxed) || stop.load(Ordering::Relaxed) {
                            return;
                        }
                        let out = place::prepare(c, lib, opts, &known_w);
                        let _ = tx.send((i, c.size, out));
                    });
            });
        });
        // This thread is the one catalog writer. It takes outcomes in the scan's order, so
        // which of two copies is kept and which name gets "(2)" do not depend on which worker
        // finished first. Outcomes that arrive early wait in `early` (they are small: the
        // bytes are in a temp file).
        let mut w = Writer {
            batch: Vec::new(),
            failure: None,
            report: &mut *report,
            lib,
            catalog: &mut *catalog,
            known: &known,
            stop,
        };
        let mut early: std::collections::BTreeMap<usize, Outcome> = Default::default();
        let mut next_index = 0usize;
        loop {
            // Take what is ready without waiting, and commit it as one batch.
            let next = if w.batch.is_empty() {
                rx.recv().ok()
            } else {
                match rx.try_recv() {
                    Ok(x) => Some(x),
                    // Nothing ready (or the workers are done): commit what we have, then wait.
                    Err(_) => {
                        w.flush();
                        throttle.send(p, false);
                        continue;
                    }
                }
            };
            let Some((i, size, out)) = next else { break };
            p.done += 1;
            p.bytes_done += size;
            if let Outcome::Ready(prep) = &out {
                p.current = Some(prep.source.display().to_string());
            }
            early.insert(i, out);
            while let Some(out) = early.remove(&next_index) {
                next_index += 1;
                w.take(out, p);
            }
            throttle.send(p, false);
        }
        // The workers are done: what is left follows the gaps that cancelling or a failure
        // left. Take it in order.
        for out in std::mem::take(&mut early).into_values() {
            w.take(out, p);
        }
        w.flush();
        w.failure
    });
    if let Some(e) = result {
        return Err(e);
    }
    report.cancelled = cancel.load(Ordering::Relaxed) && (p.done as usize) < candidates.len();
    if is_takeout {
        // Favourites, trash, albums and the kept sidecar, for the engine to apply.
        let by_source: std::collections::HashMap<String, &Candidate> = candidates
            .iter()
            .map(|c| (c.path.display().to_string(), c))
            .collect();
        let mut actions = Vec::new();
        for (source, hash, new) in report
            .imported
            .iter()
            .map(|i| (&i.source, &i.hash, true))
            .chain(report.duplicates.iter().map(|d| (&d.path, &d.hash, false)))
        {
            let Some(c) = by_source.get(source) else {
                continue;
            };
            let s = c.sidecar.clone();
            actions.push(takeout::TakeoutAction {
                hash: hash.clone(),
                new,
                favourite: s.as_ref().is_some_and(|s| s.favourite),
                trashed: s.as_ref().is_some_and(|s| s.trashed),
                album: albums.get(&c.path).cloned(),
                sidecar: s,
            });
        }
        for a in actions.iter().filter(|a| a.new) {
            tk.favourites += a.favourite as u64;
            tk.trashed += a.trashed as u64;
            tk.archived += a.sidecar.as_ref().is_some_and(|s| s.archived) as u64;
        }
        report.takeout_actions = actions;
        report.takeout = Some(std::mem::take(tk));
    }
    Ok(())
}

/// The one catalog writer's state: the batch it is filling and what it needs to commit it.
struct Writer<'a> {
    batch: Vec<place::Prepared>,
    /// Set when the library could not be written: from then on, temp files are only removed.
    failure: Option<Error>,
    report: &'a mut ImportReport,
    lib: &'a LibraryPaths,
    catalog: &'a mut Catalog,
    known: &'a Mutex<HashSet<String>>,
    stop: &'a AtomicBool,
}

impl Writer<'_> {
    /// One file's outcome, in the scan's order.
    fn take(&mut self, out: Outcome, p: &mut Progress) {
        if self.failure.is_some() {
            // Drain the workers; their temp files are swept by the next reconcile.
            if let Outcome::Ready(prep) = out {
                let _ = std::fs::remove_file(&prep.tmp);
            }
            return;
        }
        match out {
            Outcome::Ready(prep) => {
                self.batch.push(*prep);
                if self.batch.len() >= BATCH_MAX {
                    self.flush();
                }
            }
            Outcome::Duplicate { source, hash } => {
                let existing = shoebox_layout::Hash::parse(&hash)
                    .ok()
                    .and_then(|h| self.catalog.asset_by_hash(&h).ok().flatten())
                    .map(|a| a.path)
                    .unwrap_or_default();
                self.report.duplicates.push(Duplicate {
                    path: source.display().to_string(),
                    reason: format!("same bytes as {existing}, already in the library"),
                    existing,
                    hash,
                });
            }
            Outcome::Fatal(e) => self.fail(e),
            Outcome::Rejected { source, reason } => {
                p.errors += 1;
                self.report.rejected.push(Rejected {
                    path: source.display().to_string(),
                    reason,
                });
            }
        }
    }

    /// Commits the batch, or after a failure only removes its temp files.
    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        if self.failure.is_some() {
            for prep in self.batch.drain(..) {
                let _ = std::fs::remove_file(&prep.tmp);
            }
            return;
        }
        match place::commit_batch(std::mem::take(&mut self.batch), self.lib, self.catalog) {
            Ok(done) => {
                for c in done {
                    match c {
                        place::Committed::New(i) => {
                            if let Ok(mut k) = self.known.lock() {
                                k.insert(i.hash.clone());
                            }
                            self.report.imported.push(i);
                        }
                        place::Committed::Duplicate(d) => self.report.duplicates.push(d),
                    }
                }
            }
            Err(e) => self.fail(e),
        }
    }

    /// The library could not be written: the workers stop and the import ends with `e`.
    fn fail(&mut self, e: Error) {
        self.stop.store(true, Ordering::Relaxed);
        self.failure = Some(e);
    }
}

pub(crate) fn thumb_state_of(
    r: &shoebox_media::Result<Vec<shoebox_media::Thumbnail>>,
) -> ThumbState {
    match r {
        Ok(_) => ThumbState::Ok,
        Err(shoebox_media::Error::Unsupported(_)) => ThumbState::Unsupported,
        Err(_) => ThumbState::Failed,
    }
}

pub(crate) fn new_asset(prep: &place::Prepared, path: String) -> NewAsset {
    NewAsset {
        hash: prep.hash.clone(),
        path,
        original_name: prep.original_name.clone(),
        size: prep.size,
        meta: prep.meta.clone(),
        thumb_state: prep.thumb_state,
        source_path: Some(prep.source.display().to_string()),
    }
}
