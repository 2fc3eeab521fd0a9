//! The store's marker, `shoebox.json`: written verified on a new store, rewritten when torn, upgraded, read as the store's identity and encryption, and the `rekeying` lock of a password change.

use crate::*;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How long a device that created `shoebox.json` waits before it reads the store's id back.
pub(crate) const MARKER_SETTLE: Duration = Duration::from_millis(750);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Rekeying {
    pub(crate) device: String,
    pub(crate) since: String,
}

/// What `shoebox.json` says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Marker {
    pub format: u64,
    /// Chosen at random when the store is first written. A target remembers it, so a store
    /// that is not what it was (a disk not mounted, a bucket emptied or replaced) is never taken
    /// for the one it backed up to. Markers written before it had none: their id is a digest
    /// of their bytes, which are never rewritten.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub layout: String,
    /// The format the store had before it was upgraded in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgraded_from: Option<u64>,
}

/// The marker of an older store upgraded to [`FORMAT`]: the same id (a marker without one keeps
/// the digest of its old bytes, which is what identified it), the same creator. Two devices
/// upgrading at once write the same bytes, so the race is harmless.
pub(crate) fn upgraded_marker(old: &Marker, old_bytes: &[u8]) -> Marker {
    Marker {
        format: FORMAT,
        store_id: Some(store_id_of(old, old_bytes)),
        created_by: old.created_by.clone(),
        layout: LAYOUT.into(),
        upgraded_from: Some(old.upgraded_from.unwrap_or(old.format)),
    }
}

pub(crate) fn store_id_of(m: &Marker, bytes: &[u8]) -> String {
    m.store_id
        .clone()
        .unwrap_or_else(|| blake3_hex(bytes)[..16].to_owned())
}

impl Store {
    /// Reads `shoebox.json`, writing it first when the store is new, and upgrading a format 1
    /// store in place. Refuses newer formats.
    pub(crate) async fn ensure_marker(&self) -> Result<()> {
        if self.keys.is_some() {
            self.check_encryption(true).await?;
        }
        match self.op.read("shoebox.json").await {
            Ok(buf) => {
                let bytes = buf.to_vec();
                let m: Marker = serde_json::from_slice(&bytes).map_err(|e| {
                    Error::Store(format!(
                        "shoebox.json on {} is unreadable: {e}",
                        self.target.describe()
                    ))
                })?;
                if m.format > FORMAT {
                    return Err(Error::TooNew {
                        found: m.format,
                        supported: FORMAT,
                    });
                }
                if m.format < FORMAT {
                    let up = upgraded_marker(&m, &bytes);
                    let body =
                        serde_json::to_vec_pretty(&up).map_err(|e| Error::Store(e.to_string()))?;
                    let h = blake3_hex(&body);
                    transfer::put_verified(&self.op, "shoebox.json", body, &h)
                        .await
                        .map_err(|e| Error::Store(format!("upgrading shoebox.json: {e}")))?;
                    tracing::info!(from = m.format, to = FORMAT, "store format upgraded");
                }
                Ok(())
            }
            Err(e) if e.kind() == opendal::ErrorKind::NotFound => {
                if self.keys.is_none() {
                    // Not an encrypted store either? (Asked only here: a store with a plain
                    // shoebox.json is not encrypted, so a backup costs no request more.)
                    self.check_encryption(true).await?;
                }
                self.write_new_marker().await
            }
            Err(e) => Err(self.store_err(&e)),
        }
    }

    /// A new `shoebox.json` with a new store id, proven to be on the store whole.
    pub(crate) async fn write_new_marker(&self) -> Result<()> {
        let m = Marker {
            format: FORMAT,
            store_id: Some(format!("{:016x}", fastrand::u64(..))),
            created_by: format!("shoebox {}", env!("CARGO_PKG_VERSION")),
            layout: LAYOUT.into(),
            upgraded_from: None,
        };
        let body = serde_json::to_vec_pretty(&m).map_err(|e| Error::Store(e.to_string()))?;
        let h = blake3_hex(&body);
        transfer::put_verified(&self.op, "shoebox.json", body, &h)
            .await
            .map_err(|e| Error::Store(format!("shoebox.json: {e}")))?;
        // Devices starting on a new store at the same moment each write a marker with
        // their own id; the last one stays. Everyone reads the id back only after the
        // others' writes have landed (they follow their "not found" within
        // milliseconds), so all remember the same one.
        tokio::time::sleep(MARKER_SETTLE).await;
        Ok(())
    }

    /// Writes `shoebox.json` anew when the store holds one that cannot be read: a first write
    /// cut short (a crash, a store that keeps part of a failed upload). Nobody could read a
    /// store id from it, so none remembers one; only a target that has not remembered an id
    /// calls this. Returns whether it did.
    pub fn rewrite_torn_marker(&self) -> Result<bool> {
        self.rt.block_on(async {
            match self.op.read("shoebox.json").await {
                Ok(b) if serde_json::from_slice::<Marker>(&b.to_vec()).is_err() => {
                    tracing::warn!(store = %self.target.describe(), "shoebox.json is torn; written anew");
                    self.write_new_marker().await?;
                    Ok(true)
                }
                Ok(_) => Ok(false),
                Err(e) if e.kind() == opendal::ErrorKind::NotFound => Ok(false),
                Err(e) => Err(self.store_err(&e)),
            }
        })
    }

    /// The store's identity (see [`Marker::store_id`]) and format, or `None` when it has no
    /// `shoebox.json`: a new store, or one that is not there (a disk not mounted, a bucket
    /// emptied). One request.
    /// Refuses, with why, while another device changes this encrypted store's password (see
    /// [`Store::change_password`]): a device writes nothing to the store meanwhile. One small
    /// read on an encrypted store, none on another.
    pub fn check_not_rekeying(&self, device: &str) -> Result<()> {
        if self.keys.is_none() {
            return Ok(());
        }
        let b = match self.rt.block_on(self.raw.read(CRYPT_MARKER)) {
            Ok(b) => b.to_vec(),
            Err(e) if e.kind() == opendal::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(self.store_err(&e)),
        };
        let m: CryptMarker = serde_json::from_slice(&b)
            .map_err(|e| Error::Store(format!("{CRYPT_MARKER} is unreadable: {e}")))?;
        match m.rekeying {
            Some(r) if r.device != device => Err(Error::Remote {
                class: "busy",
                message: format!(
                    "the password is being changed on {} by device {} (since {}); nothing was \
                     written. Once it is done, add the target again with the new recovery code \
                     (`target add … --encrypt --passphrase-file`)",
                    self.target.describe(),
                    r.device,
                    r.since
                ),
            }),
            _ => Ok(()),
        }
    }

    pub fn identity(&self) -> Result<Option<(String, u64)>> {
        self.rt.block_on(async {
            if self.keys.is_some() {
                self.check_encryption(false).await?;
            }
            match self.op.read("shoebox.json").await {
                Ok(b) => {
                    let b = b.to_vec();
                    let m: Marker = serde_json::from_slice(&b).map_err(|e| {
                        Error::Store(format!(
                            "shoebox.json on {} is unreadable: {e}",
                            self.target.describe()
                        ))
                    })?;
                    Ok(Some((store_id_of(&m, &b), m.format)))
                }
                Err(e) if e.kind() == opendal::ErrorKind::NotFound => {
                    if self.keys.is_none() {
                        self.check_encryption(false).await?;
                    }
                    Ok(None)
                }
                Err(e) => Err(self.store_err(&e)),
            }
        })
    }

    /// Whether the target's encryption (or its absence) matches the store: an encrypted store
    /// needs the right password, an unencrypted target refuses an encrypted store, an encrypted
    /// target refuses a store that holds anything else. With `claim`, a new encrypted store gets
    /// its public marker.
    pub(crate) async fn check_encryption(&self, claim: bool) -> Result<()> {
        let found = match self.raw.read(CRYPT_MARKER).await {
            Ok(b) => Some(b.to_vec()),
            Err(e) if e.kind() == opendal::ErrorKind::NotFound => None,
            Err(e) => return Err(self.store_err(&e)),
        };
        let wrong = |message: String| Error::Remote {
            class: "credentials",
            message,
        };
        let check = match &self.keys {
            Some(k) => Some(
                k.encrypt_name(CRYPT_CHECK_NAME)
                    .map_err(|e| Error::Store(e.to_string()))?,
            ),
            None => None,
        };
        match (check, found) {
            (None, None) => Ok(()),
            (None, Some(_)) => Err(wrong(format!(
                "{} is an encrypted store (rclone crypt); add it with its recovery code: \
                 `shoebox target add NAME … --encrypt --passphrase-file FILE`",
                self.target.describe()
            ))),
            (Some(check), Some(b)) => {
                let m: CryptMarker = serde_json::from_slice(&b)
                    .map_err(|e| Error::Store(format!("{CRYPT_MARKER} is unreadable: {e}")))?;
                if m.check != check {
                    return Err(wrong(format!(
                        "the password (recovery code) for {} is wrong; nothing was read or \
                         written",
                        self.target.describe()
                    )));
                }
                Ok(())
            }
            (Some(check), None) => {
                // A new encrypted store, or a place that already holds something else.
                let listed = self.raw.list("").await.map_err(|e| self.store_err(&e))?;
                let other: Vec<String> = listed
                    .iter()
                    .map(|e| e.path().to_owned())
                    .filter(|p| !p.is_empty() && p != "/" && !p.starts_with(".shoebox-"))
                    .collect();
                if !other.is_empty() {
                    return Err(Error::Config {
                        target: self.target.name.clone(),
                        message: format!(
                            "{} already holds files ({}…) and no {CRYPT_MARKER}: an encrypted \
                             target needs its own empty folder or bucket (an unencrypted \
                             library there is never encrypted in place)",
                            self.target.describe(),
                            other[0]
                        ),
                    });
                }
                if claim {
                    let m = CryptMarker {
                        about: "An encrypted Shoebox store. Everything else here is in the rclone \
                                crypt format: read it with rclone and a crypt remote with the \
                                same password (the recovery code)."
                            .into(),
                        encryption: "rclone crypt".into(),
                        filename_encryption: "standard".into(),
                        directory_name_encryption: true,
                        format: FORMAT,
                        check,
                        rekeying: None,
                    };
                    let body =
                        serde_json::to_vec_pretty(&m).map_err(|e| Error::Store(e.to_string()))?;
                    self.raw
                        .write(CRYPT_MARKER, body)
                        .await
                        .map_err(|e| self.store_err(&e))?;
                }
                Ok(())
            }
        }
    }

    /// Brings an older store to [`FORMAT`] in place (only `shoebox.json` is rewritten; see
    /// [`FORMAT`]); refuses a newer one.
    pub fn upgrade(&self) -> Result<()> {
        self.rt.block_on(self.ensure_marker())
    }
}
