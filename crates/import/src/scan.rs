//! Finds the files to import and sorts out, with a reason, what will not be read.

use crate::{Candidate, ImportOptions, ImportReport, LibraryPaths, Rejected, Skipped};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use walkdir::WalkDir;

/// The files to import, and the JSON files among the sources (possible Takeout sidecars: read
/// by `takeout`, never imported).
pub(crate) fn scan(
    sources: &[PathBuf],
    lib: &LibraryPaths,
    opts: &ImportOptions,
    report: &mut ImportReport,
    cancel: &AtomicBool,
    jsons: &mut Vec<PathBuf>,
) -> Vec<Candidate> {
    let lib_root = lib.root.canonicalize().unwrap_or_else(|_| lib.root.clone());
    // Takeout parts are unpacked into the library's temp folder: those are to be imported.
    let staging = lib.tmp().canonicalize().unwrap_or_else(|_| lib.tmp());
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut out = Vec::new();
    for src in sources {
        // Symlinks are followed; walkdir reports loops instead of walking them forever.
        for entry in WalkDir::new(src).follow_links(true).sort_by_file_name() {
            if cancel.load(Ordering::Relaxed) {
                report.cancelled = true;
                return out;
            }
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().unwrap_or(src).display().to_string();
                    let reason = if let Some(anc) = e.loop_ancestor() {
                        format!("symlink loop back to {}; not followed", anc.display())
                    } else if let Some(io) = e.io_error() {
                        describe_io(io)
                    } else {
                        e.to_string()
                    };
                    report.rejected.push(Rejected { path, reason });
                    continue;
                }
            };
            let path = entry.path();
            let ft = entry.file_type();
            if ft.is_dir() {
                continue;
            }
            if let Ok(canon) = path.canonicalize() {
                if canon.starts_with(&lib_root) && !canon.starts_with(&staging) {
                    report.skipped.push(Skipped {
                        path: path.display().to_string(),
                        reason: "already inside this library".into(),
                    });
                    continue;
                }
                // The same file reached twice (a symlink, or two overlapping sources).
                if !seen.insert(canon) {
                    continue;
                }
            }
            if ft.is_file()
                && shoebox_media::extension_of(path).as_deref() == Some("json")
                && !path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                jsons.push(path.to_owned());
                continue;
            }
            if let Some(reason) = skip_reason(path, opts) {
                report.skipped.push(Skipped {
                    path: path.display().to_string(),
                    reason,
                });
                continue;
            }
            if !ft.is_file() {
                report.rejected.push(Rejected {
                    path: path.display().to_string(),
                    reason: format!("not a regular file ({}); left alone", special_kind(&ft)),
                });
                continue;
            }
            let size = match entry.metadata() {
                Ok(m) => m.len(),
                Err(e) => {
                    report.rejected.push(Rejected {
                        path: path.display().to_string(),
                        reason: e.to_string(),
                    });
                    continue;
                }
            };
            if size > opts.max_file_size {
                report.skipped.push(Skipped {
                    path: path.display().to_string(),
                    reason: format!(
                        "{} is larger than the {} limit (setting max_file_size)",
                        human_bytes(size),
                        human_bytes(opts.max_file_size)
                    ),
                });
                continue;
            }
            if size == 0 {
                report.rejected.push(Rejected {
                    path: path.display().to_string(),
                    reason: "empty file (0 bytes)".into(),
                });
                continue;
            }
            out.push(Candidate {
                path: readable(path),
                size,
                sidecar: None,
            });
        }
    }
    out
}

/// `path`, or on Windows, where its name is one Windows reads as something else (a device
/// such as `aux.jpg`, a name ending in a dot or a space: such files come from folders made on
/// Linux or a Mac, network shares and cameras' cards), its verbatim `\\?\` form, which
/// reaches the file itself. Opening `aux.jpg` plainly opens the AUX device; `photo.` opens
/// `photo`.
fn readable(path: &Path) -> PathBuf {
    #[cfg(windows)]
    if let (Some(parent), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str()))
        && (shoebox_layout::is_reserved_on_windows(name) || name.ends_with(['.', ' ']))
        && let Ok(dir) = std::path::absolute(if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        })
    {
        // Only the folder goes through Windows' path rules (which would turn `aux.jpg` into
        // `\\.\aux`); the name is appended as it is.
        let dir = dir.to_string_lossy().into_owned();
        let dir = dir.trim_end_matches('\\');
        return PathBuf::from(if dir.starts_with(r"\\?\") {
            format!(r"{dir}\{name}")
        } else if let Some(unc) = dir.strip_prefix(r"\\") {
            format!(r"\\?\UNC\{unc}\{name}")
        } else {
            format!(r"\\?\{dir}\{name}")
        });
    }
    path.to_owned()
}

fn skip_reason(path: &Path, opts: &ImportOptions) -> Option<String> {
    let name = path.file_name()?.to_string_lossy();
    if name.starts_with('.') {
        return Some("hidden file".into());
    }
    match shoebox_media::extension_of(path) {
        None => Some("no file extension".into()),
        Some(ext) if ext == "xmp" => {
            Some("an XMP sidecar: its rating, keywords and caption go to its photo".into())
        }
        Some(ext) if !opts.allowed_extensions.iter().any(|a| a == &ext) => Some(format!(
            ".{ext} is not an allowed extension (setting allowed_extensions)"
        )),
        Some(_) => None,
    }
}

fn special_kind(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "a device";
        }
    }
    if ft.is_symlink() {
        return "a broken symlink";
    }
    "not a file"
}

pub(crate) fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            "permission denied; check the file's permissions".into()
        }
        std::io::ErrorKind::NotFound => {
            "not found (moved or deleted during the import, or a broken symlink)".into()
        }
        _ => e.to_string(),
    }
}

pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
