//! Preparing one file (hash, metadata, thumbnails, temp copy) and committing it to the library.

use crate::fsutil::{create_dir_durable, sync_dir, write_atomic_cache, write_synced};
use crate::scan::describe_io;
use crate::{
    Candidate, Duplicate, Error, ImportOptions, Imported, LibraryPaths, Outcome, Result, hash_file,
    new_asset, thumb_state_of,
};
use serde::Serialize;
use shoebox_catalog::{Catalog, Pending, ThumbState};
use shoebox_media::Thumbnailer;
use shoebox_types::{Kind, Metadata};
use std::collections::HashSet;
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

/// `.shoebox/thumbs/<2 hex>/<hash>-<size>.jpg`
pub fn thumb_path(lib: &LibraryPaths, hash: &str, size: u32) -> PathBuf {
    lib.thumbs()
        .join(hash.get(..2).unwrap_or("00"))
        .join(format!("{hash}-{size}.jpg"))
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
    let meta = match meta {
        Ok(m) => m,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Ok(reject(src, e.to_string()));
        }
    };
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
    let made = t.make(src, bytes, meta);
    let state = thumb_state_of(&made);
    match made {
        Ok(thumbs) => {
            for th in thumbs {
                write_atomic_cache(&thumb_path(lib, hash, th.size), &lib.tmp(), &th.jpeg)?;
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
    let mut placed: Vec<(Prepared, String)> = Vec::new();
    let mut hashes: HashSet<String> = HashSet::new();
    let mut reserved: HashSet<String> = HashSet::new();
    for prep in batch {
        let existing = match catalog.asset_by_hash(&prep.hash)? {
            Some(a) => Some(a.path),
            None if hashes.contains(&prep.hash) => placed
                .iter()
                .find(|(p, _)| p.hash == prep.hash)
                .map(|(_, rel)| rel.clone()),
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
        let folder = format!("originals/{}", prep.meta.taken_at.folder());
        create_dir_durable(&lib.abs(&folder))?;
        let rel = free_name(
            lib,
            catalog,
            &reserved,
            &folder,
            &safe_name(&prep.original_name),
        )?;
        reserved.insert(rel.clone());
        hashes.insert(prep.hash.clone());
        placed.push((prep, rel));
    }
    if placed.is_empty() {
        return Ok(out);
    }
    let pending: Vec<Pending> = placed
        .iter()
        .map(|(p, rel)| Pending {
            path: rel.clone(),
            hash: p.hash.clone(),
            original_name: p.original_name.clone(),
            source_path: Some(p.source.display().to_string()),
        })
        .collect();
    catalog.add_pending_all(&pending)?;
    let mut dirs: HashSet<PathBuf> = HashSet::new();
    for (i, (prep, rel)) in placed.iter().enumerate() {
        let abs = lib.abs(rel);
        if let Err(e) = fs::rename(&prep.tmp, &abs) {
            // Forget the placements that did not happen; the ones that did are adopted on open.
            for p in &pending[i..] {
                let _ = catalog.remove_pending(&p.path);
            }
            return Err(Error::io(&abs)(e));
        }
        if let Some(d) = abs.parent() {
            dirs.insert(d.to_owned());
        }
    }
    for d in &dirs {
        sync_dir(d)?;
    }
    let assets: Vec<_> = placed
        .iter()
        .map(|(p, rel)| new_asset(p, rel.clone()))
        .collect();
    catalog.insert_assets(&assets)?;
    for (prep, rel) in placed {
        out.push(Committed::New(Imported {
            source: prep.source.display().to_string(),
            path: rel,
            hash: prep.hash,
            size: prep.size,
            has_thumbnail: prep.thumb_state == ThumbState::Ok,
            thumbnail_note: prep.thumb_note,
        }));
    }
    Ok(out)
}

/// A file name that works on every desktop file system and in every store.
pub(crate) fn safe_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    while s.ends_with('.') || s.ends_with(' ') {
        s.pop();
    }
    if s.is_empty() || s == "." || s == ".." {
        s = "unnamed".into();
    }
    s
}

/// `folder/name`, or `folder/stem (2).ext`, … whichever is free on disk and in the catalog.
/// Names are kept short enough for the suffix to fit in 255 bytes.
fn free_name(
    lib: &LibraryPaths,
    catalog: &Catalog,
    reserved: &HashSet<String>,
    folder: &str,
    name: &str,
) -> Result<String> {
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 && name.len() - i <= 10 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    let mut max = 200usize.saturating_sub(ext.len());
    while !stem.is_char_boundary(max.min(stem.len())) {
        max -= 1;
    }
    let stem = &stem[..max.min(stem.len())];
    for i in 1u32.. {
        let candidate = if i == 1 {
            format!("{folder}/{stem}{ext}")
        } else {
            format!("{folder}/{stem} ({i}){ext}")
        };
        let taken = reserved.contains(&candidate)
            || fs::symlink_metadata(lib.abs(&candidate)).is_ok()
            || catalog.path_taken(&candidate)?;
        if !taken {
            return Ok(candidate);
        }
    }
    unreachable!("u32 names exhausted")
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
        let abs = lib.abs(&p.path);
        if catalog.path_taken(&p.path)? || !abs.is_file() {
            catalog.remove_pending(&p.path)?;
            r.abandoned += 1;
            continue;
        }
        let hash = hash_file(&abs)?;
        if hash != p.hash || catalog.asset_by_hash(&hash)?.is_some() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_portable() {
        assert_eq!(safe_name("a:b*c?.jpg"), "a_b_c_.jpg");
        assert_eq!(safe_name("..."), "unnamed");
        assert_eq!(safe_name("x\u{0}y.JPG"), "x_y.JPG");
    }
}
