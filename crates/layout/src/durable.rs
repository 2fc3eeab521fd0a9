//! Durable writes: write to a temp file, fsync, rename (never over another file), fsync the folder.

use crate::{Error, Result};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

/// Fsyncs a folder so that a rename into it survives a power cut.
///
/// File systems that cannot fsync a folder (SMB and some FUSE mounts answer EINVAL or ENOTSUP)
/// are not an error: there the rename is as durable as the file system makes it. On Windows
/// folders cannot be opened for syncing; NTFS journals renames itself.
pub fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    match File::open(dir).and_then(|d| d.sync_all()) {
        Ok(()) => {}
        Err(e) if dir_sync_unsupported(&e) => {}
        Err(e) => return Err(Error::io(dir)(e)),
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// EINVAL / ENOTSUP / EOPNOTSUPP from fsync of a folder: the file system does not do it.
pub fn dir_sync_unsupported(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
    )
}

/// Creates `dir` and any missing parents, fsyncing each parent that gained an entry.
pub fn create_dir_durable(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dir_durable(parent)?;
    }
    match fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) => return Err(Error::io(dir)(e)),
    }
    if let Some(parent) = dir.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

/// Writes `bytes` to `tmp` and fsyncs it (on macOS `sync_all` is `F_FULLFSYNC`).
pub fn write_synced(tmp: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = File::create(tmp).map_err(Error::io(tmp))?;
    f.write_all(bytes).map_err(Error::io(tmp))?;
    f.sync_all().map_err(Error::io(tmp))?;
    Ok(())
}

/// Writes a cache file (a thumbnail) atomically: readers see the old file or the whole new one.
/// Not fsynced: thumbnails can always be made again.
pub fn write_atomic_cache(dest: &Path, tmp_dir: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = dest.parent() {
        fs::create_dir_all(parent).map_err(Error::io(parent))?;
    }
    let tmp = tmp_dir.join(format!("thumb-{:016x}.part", fastrand::u64(..)));
    fs::write(&tmp, bytes).map_err(Error::io(&tmp))?;
    fs::rename(&tmp, dest).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(dest)(e)
    })
}

/// Moves `tmp` to `dest` unless `dest` exists: never replaces a file, on case-sensitive and
/// case-insensitive disks alike (where `img.jpg` exists, `IMG.JPG` is taken too).
///
/// A hard link is created atomically and fails when the name is taken, whatever the case
/// rules of the disk; the temp name is then removed. Where a file system has no hard links
/// (FAT, exFAT, some network shares) this falls back to a check and a rename, which is safe
/// while the caller holds the library's write lock (no other writer places originals).
/// An `AlreadyExists` error means the name is taken and nothing changed.
pub fn place_no_replace(tmp: &Path, dest: &Path) -> io::Result<()> {
    match fs::hard_link(tmp, dest) {
        Ok(()) => {
            // A leftover temp name is swept on the next open; the original is in place.
            let _ = fs::remove_file(tmp);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(e),
        Err(_) => {
            if fs::symlink_metadata(dest).is_ok() {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} exists", dest.display()),
                ));
            }
            fs::rename(tmp, dest)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placing_never_replaces() {
        let t = tempfile::tempdir().unwrap();
        let a = t.path().join("a.part");
        let dest = t.path().join("IMG_1.JPG");
        fs::write(&dest, b"first").unwrap();
        fs::write(&a, b"second").unwrap();
        let e = place_no_replace(&a, &dest).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&dest).unwrap(), b"first");
        assert!(a.exists(), "the temp copy stays for another name");
        let free = t.path().join("IMG_1 (2).JPG");
        place_no_replace(&a, &free).unwrap();
        assert_eq!(fs::read(&free).unwrap(), b"second");
        assert!(!a.exists());
    }

    #[test]
    fn folders_that_cannot_be_synced_are_not_an_error() {
        assert!(dir_sync_unsupported(&io::ErrorKind::InvalidInput.into()));
        assert!(dir_sync_unsupported(&io::ErrorKind::Unsupported.into()));
        assert!(!dir_sync_unsupported(
            &io::ErrorKind::PermissionDenied.into()
        ));
        // The errno values fsync gives for a folder; Windows error codes mean other things
        // (22 is ERROR_BAD_COMMAND there), and Windows never syncs a folder.
        #[cfg(unix)]
        {
            assert!(dir_sync_unsupported(&io::Error::from_raw_os_error(22)));
            assert!(!dir_sync_unsupported(&io::Error::from_raw_os_error(5)));
        }
        #[cfg(target_os = "linux")]
        assert!(dir_sync_unsupported(&io::Error::from_raw_os_error(95)));
        let t = tempfile::tempdir().unwrap();
        sync_dir(t.path()).unwrap();
    }
}
