//! Changing an encrypted store's password. rclone crypt derives the keys of the contents and of
//! the names from the password, so a new password means every object read with the old keys and
//! written again with the new ones (under new encrypted names): the whole store travels down and
//! up once. Nothing is deleted before its copy under the new password is written and proven.
//!
//! The job is resumable: killed anywhere, the same command with the same new password goes on.
//! The public marker says which password is in force, and is switched only once every object
//! has its copy; after the switch, each object of the old password still there is copied if its
//! copy is missing (another computer may have sent one meanwhile) and then deleted.

use crate::crypt::CryptLayer;
use crate::{CRYPT_CHECK_NAME, CRYPT_MARKER, CryptMarker, Error, Rekeying, Result, Store};
use futures::StreamExt;
use opendal::Operator;
use serde::Serialize;
use shoebox_crypt::Keys;
use shoebox_types::{Progress, Throttle};
use std::sync::atomic::{AtomicBool, Ordering};

/// Objects re-encrypted at a time.
const REKEY_CONCURRENCY: usize = 8;

/// One pass of a password change: after the switch it deletes each old object; objects that
/// already have their copy are counted once in a run.
#[derive(Clone, Copy)]
struct Pass {
    delete: bool,
    count_already: bool,
}

/// What a password change did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct RekeyReport {
    /// Objects written under the new password this run.
    pub copied: u64,
    /// Objects that already had their copy (an earlier, interrupted run).
    pub already: u64,
    /// Objects of the old password deleted after their copy was proven.
    pub deleted: u64,
    /// Bytes read and written again (decrypted sizes).
    pub bytes: u64,
    /// The marker now names the new password: the change is in force.
    pub switched: bool,
    /// Stopped by the person; run it again to go on.
    pub cancelled: bool,
}

impl Store {
    /// Re-encrypts everything on this encrypted store under `new_password` (with the same
    /// second password, if one is set). The store must be opened with the password in force or,
    /// to finish a change whose switch already happened, with the old one.
    ///
    /// While it runs, and until it is finished, the public marker says so (with `device`, the
    /// device making the change): other devices write nothing to the store meanwhile
    /// ([`Store::check_not_rekeying`]).
    pub fn change_password(
        &self,
        new_password: &str,
        password2: Option<&str>,
        device: &str,
        progress: &dyn Fn(&Progress),
        cancel: &AtomicBool,
    ) -> Result<RekeyReport> {
        let old = self.keys.clone().ok_or_else(|| Error::Config {
            target: self.target.name.clone(),
            message: "it is not encrypted; there is no password to change".into(),
        })?;
        let new = Keys::derive(new_password, password2);
        self.rt
            .block_on(self.change_password_async(old, new, device, progress, cancel))
    }

    async fn write_marker(&self, marker: &CryptMarker) -> Result<()> {
        let body = serde_json::to_vec_pretty(marker).map_err(|e| Error::Store(e.to_string()))?;
        self.raw
            .write(CRYPT_MARKER, body)
            .await
            .map_err(|e| self.store_err(&e))?;
        Ok(())
    }

    async fn change_password_async(
        &self,
        old: Keys,
        new: Keys,
        device: &str,
        progress: &dyn Fn(&Progress),
        cancel: &AtomicBool,
    ) -> Result<RekeyReport> {
        let name_err = |e: shoebox_crypt::Error| Error::Store(e.to_string());
        let old_check = old.encrypt_name(CRYPT_CHECK_NAME).map_err(name_err)?;
        let new_check = new.encrypt_name(CRYPT_CHECK_NAME).map_err(name_err)?;
        if old_check == new_check {
            return Err(Error::Config {
                target: self.target.name.clone(),
                message: "the new password is the one in use".into(),
            });
        }
        let marker_bytes = self
            .raw
            .read(CRYPT_MARKER)
            .await
            .map_err(|e| self.store_err(&e))?
            .to_vec();
        let mut marker: CryptMarker = serde_json::from_slice(&marker_bytes)
            .map_err(|e| Error::Store(format!("{CRYPT_MARKER} is unreadable: {e}")))?;
        let mut report = RekeyReport {
            switched: marker.check == new_check,
            ..Default::default()
        };
        if !report.switched && marker.check != old_check {
            return Err(Error::Remote {
                class: "credentials",
                message: format!(
                    "neither the password on this computer nor the new one opens {}; nothing \
                     was changed",
                    self.target.describe()
                ),
            });
        }
        match &marker.rekeying {
            Some(r) if r.device != device => {
                return Err(Error::Remote {
                    class: "busy",
                    message: format!(
                        "device {} began changing the password of {} (since {}); finish it \
                         there",
                        r.device,
                        self.target.describe(),
                        r.since
                    ),
                });
            }
            Some(_) => {}
            None => {
                // Said before the first copy: other devices stop writing from here on.
                marker.rekeying = Some(Rekeying {
                    device: device.to_owned(),
                    since: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                });
                self.write_marker(&marker).await?;
            }
        }
        let old_op = self.raw.clone().layer(CryptLayer::new(old));
        let new_op = self.raw.clone().layer(CryptLayer::new(new));
        let first_pass = !report.switched;
        if first_pass {
            let pass = Pass {
                delete: false,
                count_already: true,
            };
            self.rekey_pass(&old_op, &new_op, pass, &mut report, progress, cancel)
                .await?;
            if report.cancelled {
                return Ok(report);
            }
            // Every object has its copy: the new password is now the one in force.
            marker.check = new_check;
            self.write_marker(&marker).await?;
            report.switched = true;
        }
        // Copies found here were counted by the first pass when it ran in this run.
        let pass = Pass {
            delete: true,
            count_already: !first_pass,
        };
        self.rekey_pass(&old_op, &new_op, pass, &mut report, progress, cancel)
            .await?;
        if !report.cancelled {
            // Done: the other devices may write again (with the new password).
            marker.rekeying = None;
            self.write_marker(&marker).await?;
        }
        Ok(report)
    }

    /// One pass over every object of the old password (listed through its keys: another
    /// password's names do not decrypt and are left out): each gets its copy under the new
    /// password unless the new keys already find it with the same size; with `delete` (after
    /// the switch) the old object then goes.
    async fn rekey_pass(
        &self,
        old_op: &Operator,
        new_op: &Operator,
        Pass {
            delete,
            count_already,
        }: Pass,
        report: &mut RekeyReport,
        progress: &dyn Fn(&Progress),
        cancel: &AtomicBool,
    ) -> Result<()> {
        let mut throttle = Throttle::new(progress);
        let listed = old_op
            .list_with("")
            .recursive(true)
            .await
            .map_err(|e| self.store_err(&e))?;
        let objects: Vec<(String, u64)> = listed
            .iter()
            .filter(|e| e.metadata().is_file())
            .map(|e| (e.path().to_owned(), e.metadata().content_length()))
            .collect();
        // Folders (on a folder or WebDAV store) of the old names, deepest first.
        let mut folders: Vec<String> = listed
            .iter()
            .filter(|e| e.metadata().is_dir() && !e.path().is_empty() && e.path() != "/")
            .map(|e| e.path().to_owned())
            .collect();
        folders.sort_by_key(|f| std::cmp::Reverse(f.matches('/').count()));
        let mut p = Progress {
            phase: if delete {
                "removing the old encryption".into()
            } else {
                "re-encrypting".into()
            },
            total: objects.len() as u64,
            bytes_total: objects.iter().map(|(_, n)| n).sum(),
            ..Default::default()
        };
        throttle.send(&p, true);
        // Several objects at a time, as a backup sends them: each is a few round trips.
        // After a failure no new object is started, and those under way are finished (their
        // copies count when the change is run again).
        let failed = AtomicBool::new(false);
        let failed = &failed;
        let mut work = futures::stream::iter(objects.iter().cloned())
            .map(|(path, len)| async move {
                if cancel.load(Ordering::Relaxed) || failed.load(Ordering::Relaxed) {
                    return Ok(None);
                }
                // A copy counts only when it holds the same bytes (an object rewritten under
                // the old password since its copy was made, by its one writer, keeps its size
                // often: a head, a pointer).
                let there = match new_op.stat(&path).await {
                    Ok(m) if m.content_length() == len => {
                        same_content(old_op, new_op, &path).await?
                    }
                    Ok(_) => false,
                    Err(e) if e.kind() == opendal::ErrorKind::NotFound => false,
                    Err(e) => return Err(self.store_err(&e)),
                };
                if !there {
                    // Read with the old keys (every chunk authenticated), written and proven.
                    copy_verified(old_op, new_op, &path, len)
                        .await
                        .map_err(|e| {
                            Error::Store(if delete {
                                format!("{path}: {e}; it stays as it was, under the old password")
                            } else {
                                format!(
                                    "{path}: {e}; nothing was deleted and the old password is \
                                     still the one in force"
                                )
                            })
                        })?;
                }
                if delete {
                    old_op.delete(&path).await.map_err(|e| self.store_err(&e))?;
                }
                Ok(Some((path, len, there)))
            })
            .buffer_unordered(REKEY_CONCURRENCY);
        let mut first_error = None;
        while let Some(done) = work.next().await {
            let (path, len, there) = match done {
                Ok(Some(d)) => d,
                Ok(None) => {
                    report.cancelled |= cancel.load(Ordering::Relaxed);
                    continue;
                }
                Err(e) => {
                    failed.store(true, Ordering::Relaxed);
                    first_error.get_or_insert(e);
                    continue;
                }
            };
            if there {
                report.already += u64::from(count_already);
            } else {
                report.copied += 1;
                report.bytes += len;
            }
            if delete {
                report.deleted += 1;
            }
            p.done += 1;
            p.bytes_done += len;
            p.current = Some(path);
            throttle.send(&p, false);
        }
        throttle.send(&p, true);
        if let Some(e) = first_error {
            return Err(e);
        }
        if delete && !report.cancelled {
            // Emptied now; one that is not (an object of another password) stays.
            for f in folders {
                let _ = old_op.delete(&f).await;
            }
        }
        Ok(())
    }
}

/// Whether `path` holds the same bytes through both operators (each read decrypted and
/// authenticated, hashed as it streams). Either unreadable: not the same (the copy that follows
/// reports an unreadable original).
async fn same_content(a: &Operator, b: &Operator, path: &str) -> Result<bool> {
    match (
        crate::hash_object(b, path).await,
        crate::hash_object(a, path).await,
    ) {
        (Ok(copy), Ok(original)) => Ok(copy == original),
        _ => Ok(false),
    }
}

/// Streams `path` from `from` to `to` (decrypting and encrypting on the way, a few MiB held at
/// a time) and proves the copy: the store's ETag of the ciphertext, else the copy read back and
/// hashed like the original.
async fn copy_verified(
    from: &Operator,
    to: &Operator,
    path: &str,
    len: u64,
) -> std::result::Result<(), String> {
    use futures::TryStreamExt;
    let mut stream = from
        .reader_with(path)
        .chunk(4 << 20)
        .await
        .map_err(|e| e.to_string())?
        .into_bytes_stream(..)
        .await
        .map_err(|e| e.to_string())?;
    let mut w = to
        .writer_with(path)
        .chunk(8 << 20)
        .concurrent(2)
        .await
        .map_err(|e| e.to_string())?;
    let mut h = blake3::Hasher::new();
    let mut n = 0u64;
    while let Some(chunk) = stream
        .try_next()
        .await
        .map_err(|e| format!("cannot read it with the old password: {e}"))?
    {
        h.update(&chunk);
        n += chunk.len() as u64;
        w.write(chunk).await.map_err(|e| e.to_string())?;
    }
    if n != len {
        let _ = w.abort().await;
        return Err(format!("read {n} bytes of {len}"));
    }
    let written = w.close().await.map_err(|e| e.to_string())?;
    let hash = h.finalize().to_hex().to_string();
    crate::transfer::prove(to, path, written.etag(), len, "", &hash).await
}
