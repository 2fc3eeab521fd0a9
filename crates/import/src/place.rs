//! Preparing one file (hash, metadata, thumbnails, temp copy) and committing it to the library.

use crate::scan::describe_io;
use crate::{
    Candidate, Duplicate, Error, ImportOptions, Imported, LibraryPaths, Outcome, Result, hash_file,
    new_asset, thumb_state_of,
};
use serde::Serialize;
use shoebox_catalog::{Catalog, Pending, ThumbState};
use shoebox_layout::{
    Hash, RelPath, create_dir_durable, fold_key, place_no_replace, safe_name, split_ext, sync_dir,
    write_atomic_cache, write_synced,
};
use shoebox_media::Thumbnailer;
use shoebox_types::{Kind, Metadata};
use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{BufReader, Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Files up to this size are read into memory once; larger ones are streamed to the temp copy.
const IN_MEMORY_MAX: u64 = 256 << 20;

pub(crate) struct Prepared {
    pub source: PathBuf,
    pub tmp: PathBuf,
    pub hash: String,
    pub size: u64,
    pub original_name: String,
    pub meta: Metadata,
    pub thumb_state: ThumbState,
    pub thumb_note: Option<String>,
}

pub(crate) enum Committed {
    New(Imported),
    Duplicate(Duplicate),
}

fn reject(source: &Path, reason: impl Into<String>) -> Outcome {
    Outcome::Rejected {
        source: source.to_owned(),
        reason: reason.into(),
    }
}

pub(crate) fn prepare(
    c: &Candidate,
    lib: &LibraryPaths,
    opts: &ImportOptions,
    known: &Mutex<HashSet<String>>,
) -> Outcome {
    match prepare_inner(c, lib, opts, known) {
        Ok(o) => o,
        Err(e) => Outcome::Fatal(e),
    }
}

fn prepare_inner(
    c: &Candidate,
    lib: &LibraryPaths,
    opts: &ImportOptions,
    known: &Mutex<HashSet<String>>,
) -> Result<Outcome> {
    let src = &c.path;
    let mut file = match File::open(src) {
        Ok(f) => f,
        Err(e) => return Ok(reject(src, describe_io(&e))),
    };
    let fmeta = match file.metadata() {
        Ok(m) if m.is_file() => m,
        Ok(_) => return Ok(reject(src, "not a regular file; left alone")),
        Err(e) => return Ok(reject(src, describe_io(&e))),
    };
    let mtime = fmeta.modified().ok();
    let name = src
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "unnamed".into());
    let ext = shoebox_media::extension_of(src).unwrap_or_default();
    let tmp = lib
        .tmp()
        .join(format!("import-{:016x}.{ext}.part", fastrand::u64(..)));

    // Read once: the same bytes are hashed, parsed, decoded and written.
    let mut bytes = Vec::new();
    let hash;
    let size;
    if fmeta.len() <= IN_MEMORY_MAX {
        if let Err(e) = (&mut file).take(IN_MEMORY_MAX + 1).read_to_end(&mut bytes) {
            return Ok(reject(src, format!("read failed: {}", describe_io(&e))));
        }
        if bytes.len() as u64 > IN_MEMORY_MAX {
            return Ok(reject(
                src,
                "the file grew while it was being read; try again when it is complete",
            ));
        }
        size = bytes.len() as u64;
        hash = blake3::hash(&bytes).to_hex().to_string();
    } else {
        match stream_copy(&mut file, &tmp)? {
            Ok((h, n)) => {
                hash = h;
                size = n;
            }
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                return Ok(reject(src, format!("read failed: {}", describe_io(&e))));
            }
        }
    }
    if size == 0 {
        return Ok(reject(src, "empty file (0 bytes)"));
    }
    if known.lock().map(|k| k.contains(&hash)).unwrap_or(false) {
        let _ = fs::remove_file(&tmp);
        return Ok(Outcome::Duplicate {
            source: src.clone(),
            hash,
        });
    }
    let meta = if bytes.is_empty() {
        let f = File::open(&tmp).map_err(Error::io(&tmp))?;
        shoebox_media::probe(&name, &mut BufReader::new(f), mtime)
    } else {
        shoebox_media::probe(&name, &mut Cursor::new(&bytes[..]), mtime)
    };
    let mut meta = match meta {
        Ok(m) => m,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Ok(reject(src, e.to_string()));
        }
    };
    if let Some(s) = &c.sidecar {
        crate::takeout::apply(&mut meta, s);
    }
    let (thumb_state, thumb_note) = make_thumbs(lib, &opts.thumbnailer, src, &bytes, &meta, &hash)?;
    if thumb_state == ThumbState::Failed && meta.kind == Kind::Photo {
        let _ = fs::remove_file(&tmp);
        return Ok(reject(
            src,
            thumb_note.unwrap_or_else(|| "cannot decode the image".into()),
        ));
    }
    if !bytes.is_empty() {
        write_synced(&tmp, &bytes)?;
    }
    // Verify the copy: what is on disk hashes to what we read from the source.
    let copied = hash_file(&tmp)?;
    if copied != hash {
        let _ = fs::remove_file(&tmp);
        return Ok(reject(
            src,
            "the copy in the library did not match the source; nothing was imported",
        ));
    }
    Ok(Outcome::Ready(Box::new(Prepared {
        source: src.clone(),
        tmp,
        hash,
        size,
        original_name: name,
        meta,
        thumb_state,
        thumb_note,
    })))
}

/// Copies a big file to `tmp` while hashing it. The outer error is the library's (fatal), the
/// inner one the source's (reject the file).
fn stream_copy(src: &mut File, tmp: &Path) -> Result<std::io::Result<(String, u64)>> {
    let mut out = File::create(tmp).map_err(Error::io(tmp))?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Ok(Err(e)),
        };
        hasher.update(&buf[..k]);
        out.write_all(&buf[..k]).map_err(Error::io(tmp))?;
        n += k as u64;
    }
    out.sync_all().map_err(Error::io(tmp))?;
    Ok(Ok((hasher.finalize().to_hex().to_string(), n)))
}

/// Makes and stores the thumbnails. A photo that cannot be decoded comes back as `Failed` with
/// the reason; a video or an unsupported format keeps its original and shows "no preview".
pub(crate) fn make_thumbs(
    lib: &LibraryPaths,
    t: &Thumbnailer,
    src: &Path,
    bytes: &[u8],
    meta: &Metadata,
    hash: &str,
) -> Result<(ThumbState, Option<String>)> {
    if meta.kind == Kind::Photo && bytes.is_empty() {
        return Ok((ThumbState::Unsupported, Some("too large to preview".into())));
    }
    let hash = Hash::parse(hash)?;
    let made = t.make(src, bytes, meta);
    let state = thumb_state_of(&made);
    match made {
        Ok(thumbs) => {
            for th in thumbs {
                write_atomic_cache(&lib.thumb(&hash, th.size), &lib.tmp(), &th.jpeg)?;
            }
            Ok((state, None))
        }
        Err(e) => {
            let state = if meta.kind == Kind::Video && state == ThumbState::Failed {
                // A video ffmpeg cannot read still imports and backs up; it shows a placeholder.
                ThumbState::Failed
            } else {
                state
            };
            Ok((state, Some(e.to_string())))
        }
    }
}

/// Places prepared files in `originals/` and commits their rows. The caller is the only writer.
///
/// One batch costs two catalog commits whatever its size: the pending journal for all of it,
/// then the renames (each file and folder fsynced), then all the assets.
pub(crate) fn commit_batch(
    batch: Vec<Prepared>,
    lib: &LibraryPaths,
    catalog: &mut Catalog,
) -> Result<Vec<Committed>> {
    let mut out = Vec::with_capacity(batch.len());
    let mut placed: Vec<(Prepared, RelPath)> = Vec::new();
    let mut hashes: HashSet<String> = HashSet::new();
    let mut names = Names::default();
    for prep in batch {
        let existing = match catalog.asset_by_hash(&shoebox_layout::Hash::parse(&prep.hash)?)? {
            Some(a) => Some(a.path),
            None if hashes.contains(&prep.hash) => placed
                .iter()
                .find(|(p, _)| p.hash == prep.hash)
                .map(|(_, rel)| rel.to_string()),
            None => None,
        };
        if let Some(existing) = existing {
            let _ = fs::remove_file(&prep.tmp);
            out.push(Committed::Duplicate(Duplicate {
                path: prep.source.display().to_string(),
                reason: format!("same bytes as {existing}, already in the library"),
                existing,
                hash: prep.hash,
            }));
            continue;
        }
        let folder = prep.meta.taken_at.folder();
        let rel = names.free(lib, catalog, &folder, &safe_name(&prep.original_name))?;
        hashes.insert(prep.hash.clone());
        placed.push((prep, rel));
    }
    if placed.is_empty() {
        return Ok(out);
    }
    let pending: Vec<Pending> = placed.iter().map(|(p, rel)| pending_of(p, rel)).collect();
    catalog.add_pending_all(&pending)?;
    let mut dirs: HashSet<PathBuf> = HashSet::new();
    for i in 0..placed.len() {
        // Never over another file: a name another process took since we looked (or one that a
        // case-insensitive disk takes for ours) makes us pick the next free name.
        let mut tries = 0;
        loop {
            let (prep, rel) = &placed[i];
            let abs = lib.original(rel);
            match place_no_replace(&prep.tmp, &abs) {
                Ok(()) => {
                    if let Some(d) = abs.parent() {
                        dirs.insert(d.to_owned());
                    }
                    break;
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && tries < 100 => {
                    tries += 1;
                    names.mark_taken(rel);
                    let folder = prep.meta.taken_at.folder();
                    let next =
                        names.free(lib, catalog, &folder, &safe_name(&prep.original_name))?;
                    catalog.remove_pending(rel.as_str())?;
                    catalog.add_pending(&pending_of(prep, &next))?;
                    placed[i].1 = next;
                }
                Err(e) => {
                    // Forget the placements that did not happen; the ones that did are adopted
                    // on open.
                    for (_, r) in &placed[i..] {
                        let _ = catalog.remove_pending(r.as_str());
                    }
                    return Err(Error::io(&abs)(e));
                }
            }
        }
    }
    for d in &dirs {
        sync_dir(d)?;
    }
    let assets: Vec<_> = placed
        .iter()
        .map(|(p, rel)| new_asset(p, rel.to_string()))
        .collect();
    catalog.insert_assets(&assets)?;
    for (prep, rel) in placed {
        out.push(Committed::New(Imported {
            source: prep.source.display().to_string(),
            path: rel.into_string(),
            hash: prep.hash,
            size: prep.size,
            has_thumbnail: prep.thumb_state == ThumbState::Ok,
            thumbnail_note: prep.thumb_note,
        }));
    }
    Ok(out)
}

fn pending_of(p: &Prepared, rel: &RelPath) -> Pending {
    Pending {
        path: rel.to_string(),
        hash: p.hash.clone(),
        original_name: p.original_name.clone(),
        source_path: Some(p.source.display().to_string()),
    }
}

/// The names taken in each month folder, compared the way a case-insensitive, normalising disk
/// (APFS, NTFS) compares them, so `IMG_1.JPG` and `img_1.jpg` never land in one folder whatever
/// disk the library is on. Each folder's names are read from the catalog once per batch.
#[derive(Default)]
struct Names {
    taken: HashMap<String, HashSet<String>>,
}

impl Names {
    fn mark_taken(&mut self, rel: &RelPath) {
        self.taken
            .entry(rel.parent().to_owned())
            .or_default()
            .insert(fold_key(rel.file_name()));
    }

    /// `folder/name`, or `folder/stem (2).ext`, … whichever is free on disk and in the catalog;
    /// reserves it.
    fn free(
        &mut self,
        lib: &LibraryPaths,
        catalog: &Catalog,
        folder: &str,
        name: &str,
    ) -> Result<RelPath> {
        let first = RelPath::join(folder, name)?;
        let dir = first.parent().to_owned();
        if let Some(d) = lib.original(&first).parent() {
            create_dir_durable(d)?;
        }
        if !self.taken.contains_key(&dir) {
            let keys = catalog
                .paths_in_folder(&dir)?
                .iter()
                .filter_map(|p| p.rsplit_once('/').map(|(_, n)| fold_key(n)))
                .collect();
            self.taken.insert(dir.clone(), keys);
        }
        let (stem, ext) = split_ext(name);
        for i in 1u32.. {
            let candidate = if i == 1 {
                first.clone()
            } else {
                RelPath::join(folder, &format!("{stem} ({i}){ext}"))?
            };
            let is_taken = self.taken[&dir].contains(&fold_key(candidate.file_name()))
                || fs::symlink_metadata(lib.original(&candidate)).is_ok();
            if !is_taken {
                self.mark_taken(&candidate);
                return Ok(candidate);
            }
        }
        unreachable!("u32 names exhausted")
    }
}

/// What [`reconcile`] found and did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReconcileReport {
    /// Files placed by an interrupted import and now in the catalog.
    pub adopted: Vec<String>,
    /// Files in `originals/` whose content did not match what was expected; kept, not catalogued.
    pub untracked: Vec<String>,
    /// Interrupted placements whose file never arrived.
    pub abandoned: usize,
    /// Temp files removed from `.shoebox/tmp`.
    pub temp_removed: usize,
}

/// Finishes what a crashed import left: adopts placed files from the pending journal, forgets
/// placements that never happened, and sweeps `.shoebox/tmp`. Needs the library's write lock.
pub fn reconcile(
    lib: &LibraryPaths,
    catalog: &mut Catalog,
    t: &Thumbnailer,
) -> Result<ReconcileReport> {
    let mut r = ReconcileReport::default();
    for p in catalog.pending()? {
        let Ok(abs) = lib.resolve(&p.path) else {
            catalog.remove_pending(&p.path)?;
            r.abandoned += 1;
            continue;
        };
        if catalog.path_taken(&RelPath::parse(&p.path)?)? || !abs.is_file() {
            catalog.remove_pending(&p.path)?;
            r.abandoned += 1;
            continue;
        }
        let hash = hash_file(&abs)?;
        if hash != p.hash
            || catalog
                .asset_by_hash(&shoebox_layout::Hash::parse(&hash)?)?
                .is_some()
        {
            catalog.remove_pending(&p.path)?;
            r.untracked.push(p.path);
            continue;
        }
        let bytes = fs::read(&abs).map_err(Error::io(&abs))?;
        let mtime = fs::metadata(&abs).and_then(|m| m.modified()).ok();
        let meta = match shoebox_media::probe(&p.original_name, &mut Cursor::new(&bytes[..]), mtime)
        {
            Ok(m) => m,
            Err(_) => {
                catalog.remove_pending(&p.path)?;
                r.untracked.push(p.path);
                continue;
            }
        };
        let src = p
            .source_path
            .as_deref()
            .map(PathBuf::from)
            .unwrap_or_else(|| abs.clone());
        let (thumb_state, thumb_note) = make_thumbs(lib, t, &abs, &bytes, &meta, &hash)?;
        let prep = Prepared {
            source: src,
            tmp: PathBuf::new(),
            hash,
            size: bytes.len() as u64,
            original_name: p.original_name.clone(),
            meta,
            thumb_state,
            thumb_note,
        };
        catalog.insert_asset(&new_asset(&prep, p.path.clone()))?;
        r.adopted.push(p.path);
    }
    if let Ok(entries) = fs::read_dir(lib.tmp()) {
        for e in entries.flatten() {
            if fs::remove_file(e.path()).is_ok() {
                r.temp_removed += 1;
            }
        }
    }
    Ok(r)
}
