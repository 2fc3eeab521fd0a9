//! Organising photos: favourites, captions, the trash and emptying it, albums.

use crate::{Library, Result};
use serde::Serialize;
use shoebox_catalog::Album;
use shoebox_layout::Hash;
use std::fs;
/// What emptying the trash did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EmptyTrashReport {
    pub deleted: u64,
    pub bytes: u64,
    /// Files that could not be removed (they are no longer in the catalog): path and reason.
    pub failed: Vec<(String, String)>,
    /// Files found at a deleted photo's path that are not its original (a file of the
    /// person's own): left as they were. Path and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left: Vec<(String, String)>,
}

fn album_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(crate::Error::Setting(
            "an album name has 1 to 200 characters".into(),
        ));
    }
    Ok(name.to_owned())
}

impl Library {
    pub fn set_favourite(&mut self, hashes: &[Hash], on: bool) -> Result<usize> {
        let n = self.catalog.set_favourite(hashes, on)?;
        self.record("favourite", hashes, serde_json::json!(on))?;
        Ok(n)
    }

    /// Sets or clears a photo's caption (its `description`).
    pub fn set_caption(&mut self, hash: &Hash, text: Option<&str>) -> Result<bool> {
        let changed = self.catalog.set_caption(hash, text)?;
        self.record(
            "caption",
            &[hash.to_owned().to_string()],
            serde_json::json!(text),
        )?;
        Ok(changed)
    }

    /// Moves to the trash (`on`) or restores from it. Nothing is deleted until the trash is
    /// emptied.
    pub fn set_trashed(&mut self, hashes: &[Hash], on: bool) -> Result<usize> {
        let at = on.then(shoebox_catalog::now);
        let n = self.catalog.set_trashed_at(hashes, at.as_deref())?;
        let all = self.with_parts(hashes)?;
        if all.len() > hashes.len() {
            self.catalog
                .set_trashed_at(&all[hashes.len()..], at.as_deref())?;
        }
        self.record("trashed", &all, serde_json::json!(at))?;
        Ok(n)
    }

    /// Deletes the trashed originals and their thumbnails from the library. Backups keep them:
    /// stores are add-only.
    pub fn empty_trash(&mut self) -> Result<EmptyTrashReport> {
        let lock = self.write_lock(&|| {})?;
        self.empty_trash_locked(lock)
    }

    /// [`Self::empty_trash`] now or never: [`crate::Error::Busy`] while another job writes to
    /// the library, instead of waiting (the app must never hang on a long import).
    pub fn try_empty_trash(&mut self) -> Result<EmptyTrashReport> {
        let lock = self.try_write_lock()?.ok_or(crate::Error::Busy)?;
        self.empty_trash_locked(lock)
    }

    fn empty_trash_locked(&mut self, _lock: crate::WriteLock) -> Result<EmptyTrashReport> {
        let mut report = EmptyTrashReport::default();
        let dev = self.device_id()?;
        for a in self.catalog.take_trash(&dev, self.now_ms())? {
            // Only a checked path is deleted: a row that leads outside `originals/` (a restored
            // or hostile catalog) deletes nothing.
            let p = match self.paths.resolve(&a.path) {
                Ok(p) => p,
                Err(e) => {
                    report
                        .failed
                        .push((a.path.clone(), format!("{e}; nothing deleted")));
                    continue;
                }
            };
            // A fetched copy is this library's own.
            if let Ok(c) = self.cache_path(&a) {
                let _ = fs::remove_file(c);
            }
            // Only a file this library wrote and can prove is the photo's: its own import (the
            // size checked), another device's photo only when it hashes right (a restore put
            // it there; otherwise it is someone else's file that happens to sit there).
            let not_ours = match fs::metadata(&p) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    report.deleted += 1;
                    continue;
                }
                Err(e) => {
                    report.failed.push((a.path.clone(), e.to_string()));
                    continue;
                }
                Ok(m) if m.len() != a.size => Some(format!(
                    "it has {} bytes, not the photo's {}",
                    m.len(),
                    a.size
                )),
                Ok(_) if a.device.is_some() => match shoebox_layout::hash_file(&p) {
                    Ok(h) if h == a.hash.as_str() => None,
                    Ok(_) => Some("its content is not the photo's".into()),
                    Err(e) => Some(e.to_string()),
                },
                Ok(_) => None,
            };
            if let Some(why) = not_ours {
                report.deleted += 1;
                report.left.push((
                    a.path.clone(),
                    format!("not this photo's original ({why}); left as it is"),
                ));
                continue;
            }
            match fs::remove_file(&p) {
                Ok(()) => {
                    report.deleted += 1;
                    report.bytes += a.size;
                }
                Err(e) => report.failed.push((a.path.clone(), e.to_string())),
            }
            for size in [self.settings.grid_size, self.settings.preview_size] {
                let _ = fs::remove_file(self.paths.thumb(&a.hash, size));
            }
        }
        Ok(report)
    }

    pub fn albums(&self) -> Result<Vec<Album>> {
        Ok(self.catalog.albums()?)
    }

    pub fn album_create(&mut self, name: &str) -> Result<Album> {
        let name = album_name(name)?;
        let id = self.catalog.album_create(&name)?;
        self.record_album(id, "name", serde_json::json!(name))?;
        self.catalog
            .album(id)?
            .ok_or_else(|| crate::Error::NotFound(format!("album {id}")))
    }

    pub fn album_rename(&mut self, id: i64, name: &str) -> Result<()> {
        let name = album_name(name)?;
        if !self.catalog.album_rename(id, &name)? {
            return Err(crate::Error::NotFound(format!("album {id}")));
        }
        self.record_album(id, "name", serde_json::json!(name))
    }

    pub fn album_delete(&mut self, id: i64) -> Result<()> {
        // Recorded first: the album's id is gone with it.
        self.record_album(id, "deleted", serde_json::json!(true))?;
        if !self.catalog.album_delete(id)? {
            return Err(crate::Error::NotFound(format!("album {id}")));
        }
        Ok(())
    }

    pub fn album_add(&mut self, id: i64, hashes: &[Hash]) -> Result<usize> {
        let n = self.catalog.album_add(id, hashes)?;
        for h in hashes {
            self.record_album(id, &format!("member:{h}"), serde_json::json!(true))?;
        }
        Ok(n)
    }

    pub fn album_remove(&mut self, id: i64, hashes: &[Hash]) -> Result<usize> {
        let n = self.catalog.album_remove(id, hashes)?;
        for h in hashes {
            self.record_album(id, &format!("member:{h}"), serde_json::json!(false))?;
        }
        Ok(n)
    }

    /// The photos in an album, by hash.
    pub fn album_members(&self, id: i64) -> Result<Vec<Hash>> {
        Ok(self.catalog.album_members(id)?)
    }

    /// Records an album edit for the other devices: an album is `album:<uid>` there.
    fn record_album(&mut self, id: i64, field: &str, value: serde_json::Value) -> Result<()> {
        let Some(uid) = self.catalog.album_uid(id)? else {
            return Ok(());
        };
        self.record(field, &[format!("album:{uid}")], value)
    }

    pub fn albums_of(&self, hash: &Hash) -> Result<Vec<i64>> {
        Ok(self.catalog.albums_of(hash)?)
    }
}
