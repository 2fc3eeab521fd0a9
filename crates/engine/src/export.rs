//! Exporting photos to a folder (issue 14): the originals as they are (each verified against its
//! hash, with an XMP sidecar when the catalog knows more than the file: rating, keywords,
//! caption, a corrected date or place), or JPEGs at a chosen size with that metadata written in.
//! Nothing in the folder is ever overwritten: a name taken gets a number.

use crate::error::io;
use crate::{Error, Library, Result};
use serde::Serialize;
use shoebox_catalog::Asset;
use shoebox_layout::Hash;
use shoebox_layout::{safe_name, split_ext};
use shoebox_media::export::{ExportMeta, export_jpeg, xmp_packet};
use shoebox_types::{Kind, Progress, Throttle};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// One exported file.
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    pub hash: String,
    /// Where it was written.
    pub file: PathBuf,
    /// The sidecar written beside it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sidecar: Option<PathBuf>,
}

/// What an export did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportReport {
    pub exported: Vec<Exported>,
    /// Photos not exported: (hash, why).
    pub failed: Vec<(String, String)>,
    pub bytes: u64,
    pub cancelled: bool,
}

/// The metadata a copy of `a` carries: the values in use, corrections included.
pub fn export_meta(a: &Asset) -> ExportMeta {
    ExportMeta {
        taken: Some(a.meta.taken_at),
        make: a.meta.make.clone(),
        model: a.meta.model.clone(),
        description: a.meta.description.clone().filter(|d| !d.is_empty()),
        gps: a.meta.gps.as_ref().map(|g| (g.lat, g.lon)),
        rating: a.rating,
        keywords: a.keywords.clone(),
    }
}

/// Whether the catalog knows more of a photo than its file says, what a sidecar is for: stars,
/// keywords, a caption, a corrected date or place. (`Catalog::sidecars_due` asks the same in
/// SQL.)
fn says_more_than_its_file(a: &Asset) -> bool {
    a.rating > 0
        || !a.keywords.is_empty()
        || a.meta.description.as_deref().is_some_and(|d| !d.is_empty())
        || a.taken_at_original.is_some()
        || a.gps_original.is_some()
}

/// Creates a new file in `dir` named `name`, or `stem (2).ext`, `stem (3).ext`… when taken.
fn create_new(dir: &Path, name: &str) -> Result<(File, PathBuf)> {
    let name = safe_name(name);
    let (stem, ext) = split_ext(&name);
    for n in 1..10_000 {
        let p = if n == 1 {
            dir.join(&name)
        } else {
            dir.join(format!("{stem} ({n}){ext}"))
        };
        match OpenOptions::new().write(true).create_new(true).open(&p) {
            Ok(f) => return Ok((f, p)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(p)(e)),
        }
    }
    Err(Error::Io {
        path: dir.join(&name),
        source: std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "10,000 files of this name are there already",
        ),
    })
}

/// The setting that says some sidecar on `target` could not be written yet.
pub(crate) fn sidecars_pending_key(target: &str) -> String {
    format!("sidecars_pending:{target}")
}

impl Library {
    /// Writes the XMP sidecars due on a target after a backup: beside each original this device
    /// imported whose catalog entry says more than the file (or said more before), when what it
    /// says changed since the sidecar written last. Returns how many were written; a sidecar
    /// that cannot be written is reported and tried again at the next backup.
    pub(crate) fn write_sidecars(
        &mut self,
        store: &shoebox_store::Store,
        target: &str,
        report: &mut shoebox_store::BackupReport,
    ) -> Result<()> {
        let (mut written, mut failed) = (Vec::new(), false);
        for due in self.catalog.sidecars_due(target)? {
            let body = xmp_packet(&export_meta(&due.asset)).into_bytes();
            let digest = blake3::hash(&body).to_hex().to_string();
            if due.written.as_deref() == Some(digest.as_str()) {
                continue;
            }
            let key = format!("{}.xmp", due.original_key);
            match store.put_object(&key, body) {
                Ok(()) => written.push((due.asset.hash.to_string(), key, digest)),
                Err(e) => {
                    failed = true;
                    report.failed.push(shoebox_store::Failed {
                        key,
                        reason: e.to_string(),
                    })
                }
            }
        }
        report.xmp_sidecars = written.len();
        self.catalog.put_sidecars(target, &written)?;
        // Until every sidecar due is written, the next backup runs even when the catalog did
        // not change (it would take the target for up to date) and tries them again.
        let pending = sidecars_pending_key(target);
        if failed {
            self.catalog.set_setting(&pending, "1")?;
        } else {
            self.catalog.delete_setting(&pending)?;
        }
        Ok(())
    }

    /// Exports photos to `to` (made if missing): originals, or JPEGs whose longest edge is at
    /// most `size`. Originals only on a store are fetched first. A photo that fails is
    /// reported and the rest go on; what was written for it is removed.
    pub fn export(
        &mut self,
        hashes: &[Hash],
        to: &Path,
        size: Option<u32>,
        progress: &dyn Fn(&Progress),
        cancel: &AtomicBool,
    ) -> Result<ExportReport> {
        if let Some(s) = size
            && !(64..=16_384).contains(&s)
        {
            return Err(Error::Setting(format!(
                "a size is the longest edge in pixels, 64 to 16384, not {s}"
            )));
        }
        fs::create_dir_all(to).map_err(io(to))?;
        // Originals are the photo's files: a Live Photo's video and a RAW+JPEG pair's RAW too.
        // A JPEG export is one picture per photo.
        let hashes = if size.is_none() {
            self.with_parts(hashes)?
        } else {
            hashes.to_vec()
        };
        let mut assets = Vec::new();
        for h in &hashes {
            assets.push(self.show(h.as_str())?);
        }
        let mut report = ExportReport::default();
        let mut throttle = Throttle::new(progress);
        let mut p = Progress {
            phase: "exporting".into(),
            total: assets.len() as u64,
            bytes_total: assets.iter().map(|a| a.size).sum(),
            ..Default::default()
        };
        throttle.send(&p, true);
        for a in assets {
            if cancel.load(Ordering::Relaxed) {
                report.cancelled = true;
                break;
            }
            p.current = Some(a.original_name.clone());
            match self.export_one(&a, to, size) {
                Ok((e, bytes)) => {
                    report.bytes += bytes;
                    report.exported.push(e);
                }
                Err(e) => {
                    p.errors += 1;
                    report
                        .failed
                        .push((a.hash.clone().to_string(), e.to_string()));
                }
            }
            p.done += 1;
            p.bytes_done += a.size;
            throttle.send(&p, false);
        }
        throttle.send(&p, true);
        Ok(report)
    }

    fn export_one(&mut self, a: &Asset, to: &Path, size: Option<u32>) -> Result<(Exported, u64)> {
        let src = match self.local_original(a) {
            Some(p) => p,
            None => self.fetch(a.hash.as_str())?.file,
        };
        let meta = export_meta(a);
        let as_jpeg = size.is_some() && a.meta.kind == Kind::Photo;
        let (stem, _) = split_ext(&a.original_name);
        let name = if as_jpeg {
            format!("{stem}.jpg")
        } else {
            a.original_name.clone()
        };
        let (mut file, dest) = create_new(to, &name)?;
        let written = (|| -> Result<(u64, Option<PathBuf>)> {
            if let (true, Some(size)) = (as_jpeg, size) {
                let bytes = fs::read(&src).map_err(io(&src))?;
                let jpeg = export_jpeg(&src, &bytes, &a.meta, size, a.rotation, &meta)?;
                file.write_all(&jpeg).map_err(io(&dest))?;
                file.sync_all().map_err(io(&dest))?;
                return Ok((jpeg.len() as u64, None));
            }
            // The original as it is, checked against its hash as it is written.
            let mut input = File::open(&src).map_err(io(&src))?;
            let mut hasher = blake3::Hasher::new();
            let mut buf = vec![0u8; 1 << 20];
            let mut n = 0u64;
            loop {
                let k = input.read(&mut buf).map_err(io(&src))?;
                if k == 0 {
                    break;
                }
                hasher.update(&buf[..k]);
                file.write_all(&buf[..k]).map_err(io(&dest))?;
                n += k as u64;
            }
            file.sync_all().map_err(io(&dest))?;
            if hasher.finalize().to_hex().as_str() != a.hash {
                return Err(Error::Damaged(src.display().to_string()));
            }
            // What the catalog knows beyond the file goes in a sidecar beside the copy.
            if says_more_than_its_file(a) {
                let side = PathBuf::from(format!("{}.xmp", dest.display()));
                let mut f = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&side)
                    .map_err(io(&side))?;
                f.write_all(xmp_packet(&meta).as_bytes())
                    .map_err(io(&side))?;
                return Ok((n, Some(side)));
            }
            Ok((n, None))
        })();
        match written {
            Ok((n, sidecar)) => Ok((
                Exported {
                    hash: a.hash.clone().to_string(),
                    file: dest,
                    sidecar,
                },
                n,
            )),
            Err(e) => {
                drop(file);
                let _ = fs::remove_file(&dest);
                Err(e)
            }
        }
    }
}
