//! Takeout's archives: unpacking zip and tgz parts safely (no path leaves the folder, sizes and entry counts bounded against bombs).

use crate::scan::describe_io;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// An archive entry that inflates more than this many times its compressed size (and beyond
/// 16 MiB) is taken for a bomb.
pub(crate) const BOMB_RATIO: u64 = 1000;

/// Most entries read from one archive.
pub(crate) const ENTRIES_MAX: usize = 2_000_000;

/// Is this source an archive Shoebox unpacks (a Takeout part)?
pub fn is_archive(p: &Path) -> bool {
    let n = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    p.is_file() && (n.ends_with(".zip") || n.ends_with(".tgz") || n.ends_with(".tar.gz"))
}

/// Unpacks an archive into `dest`, safely: only media and JSON entries, each under `dest`
/// (entries with `..`, absolute paths, drive letters or links are refused and reported),
/// none inflating beyond [`BOMB_RATIO`] times its compressed size, at most [`ENTRIES_MAX`].
/// Returns the problems met (entry, reason); an `Err` means the archive could not be read at
/// all, or the library's disk could not be written.
pub fn unpack(
    archive: &Path,
    dest: &Path,
    wanted: &dyn Fn(&str) -> bool,
) -> std::result::Result<Vec<(String, String)>, String> {
    std::fs::create_dir_all(dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    let lower = archive.to_string_lossy().to_ascii_lowercase();
    if lower.ends_with(".zip") {
        unpack_zip(archive, dest, wanted)
    } else {
        unpack_tgz(archive, dest, wanted)
    }
}

/// A checked relative path for an archive entry, or why not.
pub(crate) fn entry_path(name: &str) -> std::result::Result<PathBuf, &'static str> {
    if name.contains('\\') {
        return Err("a backslash in the name");
    }
    if name.contains('\0') {
        return Err("a NUL byte in the name");
    }
    let p = Path::new(name);
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => {
                let s = s.to_string_lossy();
                if s.len() >= 2 && s.as_bytes()[1] == b':' {
                    return Err("a drive letter");
                }
                out.push(&*s)
            }
            Component::CurDir => {}
            Component::ParentDir => return Err("`..` would leave the folder"),
            Component::RootDir | Component::Prefix(_) => return Err("an absolute path"),
        }
    }
    if out.as_os_str().is_empty() {
        return Err("an empty name");
    }
    Ok(out)
}

pub(crate) fn copy_bounded(
    r: &mut dyn Read,
    to: &Path,
    limit: u64,
) -> std::result::Result<u64, String> {
    if let Some(d) = to.parent() {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let mut f = std::fs::File::create(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let n = std::io::copy(&mut r.take(limit + 1), &mut f)
        .map_err(|e| format!("{}: {e}", to.display()))?;
    if n > limit {
        drop(f);
        let _ = std::fs::remove_file(to);
        return Err("inflates beyond what its header says (a zip bomb?)".into());
    }
    Ok(n)
}

pub(crate) fn unpack_zip(
    archive: &Path,
    dest: &Path,
    wanted: &dyn Fn(&str) -> bool,
) -> std::result::Result<Vec<(String, String)>, String> {
    let f = std::fs::File::open(archive).map_err(|e| describe_io(&e))?;
    let mut z = zip::ZipArchive::new(std::io::BufReader::new(f))
        .map_err(|e| format!("not a readable zip archive ({e})"))?;
    if z.len() > ENTRIES_MAX {
        return Err(format!(
            "{} entries, more than the {ENTRIES_MAX} a Takeout part has",
            z.len()
        ));
    }
    let mut problems = Vec::new();
    for i in 0..z.len() {
        let mut e = match z.by_index(i) {
            Ok(e) => e,
            Err(err) => {
                problems.push((format!("entry {i}"), format!("unreadable ({err})")));
                continue;
            }
        };
        let name = match e.name() {
            Ok(n) => n.into_owned(),
            Err(err) => {
                problems.push((format!("entry {i}"), format!("unreadable name ({err})")));
                continue;
            }
        };
        if e.is_dir() {
            continue;
        }
        if e.is_symlink() {
            problems.push((name, "a link; not followed".into()));
            continue;
        }
        let rel = match entry_path(&name) {
            Ok(r) => r,
            Err(why) => {
                problems.push((name, format!("refused: {why}")));
                continue;
            }
        };
        if !wanted(&name) {
            continue;
        }
        let (size, packed) = (e.size(), e.compressed_size().max(1));
        if size > 16 << 20 && size / packed > BOMB_RATIO {
            problems.push((
                name,
                format!("refused: inflates {}× (a zip bomb?)", size / packed),
            ));
            continue;
        }
        match copy_bounded(&mut e, &dest.join(&rel), size) {
            Ok(_) => {}
            Err(why) if why.contains("zip bomb") => problems.push((name, why)),
            Err(why) => return Err(why),
        }
    }
    Ok(problems)
}

pub(crate) fn unpack_tgz(
    archive: &Path,
    dest: &Path,
    wanted: &dyn Fn(&str) -> bool,
) -> std::result::Result<Vec<(String, String)>, String> {
    let f = std::fs::File::open(archive).map_err(|e| describe_io(&e))?;
    let mut t = tar::Archive::new(flate2::read::GzDecoder::new(std::io::BufReader::new(f)));
    let mut problems = Vec::new();
    let entries = t
        .entries()
        .map_err(|e| format!("not a readable .tgz archive ({e})"))?;
    for (i, e) in entries.enumerate() {
        if i >= ENTRIES_MAX {
            problems.push((
                archive.display().to_string(),
                format!("more than {ENTRIES_MAX} entries; the rest left out"),
            ));
            break;
        }
        let mut e = match e {
            Ok(e) => e,
            Err(err) => {
                // A damaged stream: nothing after this point can be trusted.
                problems.push((format!("entry {i}"), format!("unreadable ({err})")));
                break;
            }
        };
        let name = e
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let kind = e.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            problems.push((name, "not a plain file (a link or device); left out".into()));
            continue;
        }
        let rel = match entry_path(&name) {
            Ok(r) => r,
            Err(why) => {
                problems.push((name, format!("refused: {why}")));
                continue;
            }
        };
        if !wanted(&name) {
            continue;
        }
        let size = e.size();
        copy_bounded(&mut e, &dest.join(&rel), size)?;
    }
    Ok(problems)
}
