//! Stores through OpenDAL — local folders, S3/MinIO, WebDAV and whatever else OpenDAL speaks —
//! in a self-describing format: backup, verify, repair and restore.
//!
//! ```no_run
//! use shoebox_store::{Store, Target};
//! let target = Target::local("backup", "/mnt/usb/Shoebox Backup");
//! let store = Store::open(&target, &Default::default()).unwrap();
//! println!("{}", store.test().message);
//! ```
//!
//! The layout on the store (see ARCHITECTURE.md): `shoebox.json`, `originals/YYYY/MM/<name>`
//! (the library's own relative paths), `thumbs/<2 hex>/<hash>-<size>.jpg`,
//! `catalogs/<device>/<snapshot>.db` and `catalogs/<device>/latest.json`, written last.

mod backup;
mod changes;
pub mod crypt;
mod error;
pub mod faults;
mod keys;
mod rekey;
mod restore;
mod verify;

pub use backup::{BackupOptions, BackupReport, Failed, up_to_date};
pub use changes::OwnHead;
pub use changes::{CHANGES_FORMAT, Head, SegmentRef, is_device_id};
pub use error::{Error, Result};
pub use keys::{local_path_for, unsafe_key_reason};
pub use rekey::RekeyReport;
pub use restore::{OthersRefs, RestoreReport};
pub use verify::{VerifyOptions, VerifyProblem, VerifyReport};

use opendal::Operator;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// The store format this build writes and reads. Format 2 added the devices' change logs
/// (`devices/`), content-tagged original keys and the store id; a format 1 store is upgraded
/// in place by rewriting only `shoebox.json` (every other object stays as it is and is read as
/// it was).
pub const FORMAT: u64 = 2;

/// How long a device that created `shoebox.json` waits before it reads the store's id back.
const MARKER_SETTLE: Duration = Duration::from_millis(750);

/// What `shoebox.json` says the layout is, for people reading the store without Shoebox.
const LAYOUT: &str = "originals/YYYY/MM/<name>~<16 hex of its BLAKE3>.<ext>, \
                      thumbs/<2 hex>/<hash>-<size>.jpg, \
                      catalogs/<device>/<snapshot>.db, catalogs/<device>/latest.json, \
                      devices/<device>/seg-<first>-<last>.json, \
                      devices/<device>/checkpoint-<last>.json, devices/<device>/head.json";

/// A backup target: a name, an OpenDAL scheme and its options. Secrets are kept apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub name: String,
    pub scheme: String,
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Names of the secret options (kept in the keychain or the secrets file, never here).
    #[serde(default)]
    pub secrets: Vec<String>,
}

fn yes() -> bool {
    true
}

/// Option names that are secrets: never stored with the target, never printed.
pub const SECRET_KEYS: &[&str] = &[
    "secret_access_key",
    "access_key_id",
    "password",
    "token",
    "session_token",
    "crypt_password",
    "crypt_password2",
    "crypt_password_old",
    "crypt_password_next",
];

/// The one object an encrypted store keeps in the clear, at its root: says what it is (so a
/// person, or Shoebox without the password, can tell) and lets a wrong password be told apart
/// from a damaged store. No secret in it.
pub const CRYPT_MARKER: &str = "SHOEBOX-ENCRYPTED.json";
/// The name whose encryption the marker keeps as `check`.
const CRYPT_CHECK_NAME: &str = "shoebox-password-check";

#[derive(Debug, Serialize, Deserialize)]
struct CryptMarker {
    about: String,
    encryption: String,
    filename_encryption: String,
    directory_name_encryption: bool,
    format: u64,
    /// `shoebox-password-check`, encrypted as a name: only the right password gives it.
    check: String,
    /// A password change under way: the device making it, and since when. Other devices write
    /// nothing to the store until it is done (what they wrote under the old password during
    /// the change could be left behind, unreadable under the new one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rekeying: Option<Rekeying>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Rekeying {
    device: String,
    since: String,
}

/// How a target's options ask for encryption: `encryption=rclone-crypt`.
pub fn is_encrypted(target: &Target) -> bool {
    target
        .options
        .get("encryption")
        .is_some_and(|e| e == "rclone-crypt")
}

impl Target {
    /// A folder on a local or mounted disk.
    pub fn local(name: &str, root: &str) -> Self {
        Target {
            name: name.into(),
            scheme: "fs".into(),
            options: [("root".to_owned(), root.to_owned())].into(),
            enabled: true,
            secrets: Vec::new(),
        }
    }

    /// Where it points, for people: a folder, an endpoint and bucket, a URL.
    pub fn describe(&self) -> String {
        let o = |k: &str| self.options.get(k).cloned().unwrap_or_default();
        match self.scheme.as_str() {
            "fs" => o("root"),
            "s3" => format!(
                "{} bucket {}{}",
                o("endpoint"),
                o("bucket"),
                if o("root").is_empty() {
                    String::new()
                } else {
                    format!(" /{}", o("root").trim_matches('/'))
                }
            ),
            "webdav" => format!("{}{}", o("endpoint"), o("root")),
            other => format!(
                "{other} {}",
                self.options
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        }
    }
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
fn upgraded_marker(old: &Marker, old_bytes: &[u8]) -> Marker {
    Marker {
        format: FORMAT,
        store_id: Some(store_id_of(old, old_bytes)),
        created_by: old.created_by.clone(),
        layout: LAYOUT.into(),
        upgraded_from: Some(old.upgraded_from.unwrap_or(old.format)),
    }
}

fn store_id_of(m: &Marker, bytes: &[u8]) -> String {
    m.store_id
        .clone()
        .unwrap_or_else(|| blake3_hex(bytes)[..16].to_owned())
}

/// The outcome of `shoebox target test`.
#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    /// `ok`, `unreachable`, `tls`, `credentials`, `missing`, `read_only` or `error`.
    pub status: String,
    pub message: String,
}

/// An open target.
pub struct Store {
    pub target: Target,
    /// What the store code uses: through the encryption layer on an encrypted target.
    op: Operator,
    /// The store as it is (for the public marker of an encrypted one).
    raw: Operator,
    keys: Option<shoebox_crypt::Keys>,
    rt: tokio::runtime::Runtime,
}

impl Store {
    /// Builds the OpenDAL operator from plain data: the target's options plus its secrets.
    pub fn open(target: &Target, secrets: &BTreeMap<String, String>) -> Result<Store> {
        opendal::install_default();
        let mut opts: BTreeMap<String, String> = target.options.clone();
        // The simulation's misbehaving store (see `faults`); nothing without a registered plan.
        let fault_plan = opts.remove("fault_plan").and_then(|p| faults::plan(&p));
        let keys = match opts.remove("encryption").as_deref() {
            None | Some("") | Some("none") => None,
            Some("rclone-crypt") => {
                let pw = secrets
                    .get("crypt_password")
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| Error::Config {
                        target: target.name.clone(),
                        message: "it is encrypted and its password (the recovery code) is not \
                                  on this computer; add the target again with \
                                  --passphrase-file FILE"
                            .into(),
                    })?;
                Some(shoebox_crypt::Keys::derive(
                    pw,
                    secrets.get("crypt_password2").map(String::as_str),
                ))
            }
            Some(other) => {
                return Err(Error::Config {
                    target: target.name.clone(),
                    message: format!("unknown encryption {other:?}; Shoebox knows rclone-crypt"),
                });
            }
        };
        for (k, v) in secrets {
            if k.starts_with("crypt_") {
                continue;
            }
            opts.insert(k.clone(), v.clone());
        }
        if target.scheme == "s3" {
            // Keep the machine's AWS settings out: a target is exactly what the user configured.
            opts.entry("disable_config_load".into())
                .or_insert_with(|| "true".into());
            opts.entry("region".into())
                .or_insert_with(|| "us-east-1".into());
        }
        if target.scheme == "fs"
            && let Some(root) = opts.get("root").cloned()
        {
            std::fs::create_dir_all(&root).map_err(error::io(&root))?;
            // Writes land in a temp file and are renamed: no half-written object at a final key.
            let tmp = std::path::Path::new(&root).join(".shoebox-tmp");
            std::fs::create_dir_all(&tmp).map_err(error::io(&tmp))?;
            opts.entry("atomic_write_dir".into())
                .or_insert_with(|| tmp.display().to_string());
        }
        let op = Operator::via_iter(&target.scheme, opts).map_err(|e| Error::Config {
            target: target.name.clone(),
            message: format!(
                "cannot use scheme {:?} with these options: {e}",
                target.scheme
            ),
        })?;
        let op = op
            .layer(
                opendal::layers::RetryLayer::new()
                    .with_max_times(5)
                    .with_min_delay(Duration::from_millis(100))
                    .with_max_delay(Duration::from_secs(5))
                    .with_jitter(),
            )
            .layer(
                opendal::layers::TimeoutLayer::new()
                    .with_timeout(Duration::from_secs(60))
                    .with_io_timeout(Duration::from_secs(30)),
            );
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(error::io("tokio runtime"))?;
        let op = match fault_plan {
            Some(plan) => op.layer(faults::FaultLayer { plan }),
            None => op,
        };
        let raw = op.clone();
        let op = match &keys {
            Some(k) => op.layer(crypt::CryptLayer::new(k.clone())),
            None => op,
        };
        Ok(Store {
            target: target.clone(),
            op,
            raw,
            keys,
            rt,
        })
    }

    /// Writes a small object (an XMP sidecar) and proves it arrived. The key is checked first.
    pub fn put_object(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        if let Some(why) = keys::unsafe_key_reason(key) {
            return Err(Error::Store(format!("refused to write {key:?}: {why}")));
        }
        let hash = blake3::hash(&bytes).to_hex().to_string();
        self.rt
            .block_on(backup::put_verified(&self.op, key, bytes, &hash))
            .map_err(|e| Error::Store(format!("{key}: {e}")))
    }

    /// Deletes objects, one at a time, stopping at the first error. Returns the keys deleted
    /// and, when it stopped early, why. Only `shoebox prune` (and a device compacting its own
    /// change log into a checkpoint) calls this.
    pub fn delete(&self, keys: &[String]) -> (Vec<String>, Option<String>) {
        self.rt.block_on(async {
            let mut done = Vec::new();
            for k in keys {
                if let Some(why) = keys::unsafe_key_reason(k) {
                    return (done, Some(format!("refused to delete {k:?}: {why}")));
                }
                match self.op.delete(k).await {
                    Ok(()) => done.push(k.clone()),
                    Err(e) => {
                        return (
                            done,
                            Some(format!("deleting {k}: {}", self.describe_err(&e))),
                        );
                    }
                }
            }
            (done, None)
        })
    }

    pub(crate) fn describe_err(&self, e: &opendal::Error) -> String {
        describe_error(&self.target, e)
    }

    /// A store failure as an error that keeps its class, so a front end can tell "unreachable"
    /// from "credentials" without reading the text.
    pub(crate) fn store_err(&self, e: &opendal::Error) -> Error {
        Error::Remote {
            class: classify(e),
            message: self.describe_err(e),
        }
    }

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
                    backup::put_verified(&self.op, "shoebox.json", body, &h)
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
    async fn write_new_marker(&self) -> Result<()> {
        let m = Marker {
            format: FORMAT,
            store_id: Some(format!("{:016x}", fastrand::u64(..))),
            created_by: format!("shoebox {}", env!("CARGO_PKG_VERSION")),
            layout: LAYOUT.into(),
            upgraded_from: None,
        };
        let body = serde_json::to_vec_pretty(&m).map_err(|e| Error::Store(e.to_string()))?;
        let h = blake3_hex(&body);
        backup::put_verified(&self.op, "shoebox.json", body, &h)
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
    async fn check_encryption(&self, claim: bool) -> Result<()> {
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

    /// Tells apart: unreachable, TLS error, bad credentials, missing bucket or folder, read-only, OK.
    pub fn test(&self) -> TestReport {
        self.rt.block_on(async {
            let fail = |e: &opendal::Error| TestReport {
                status: classify(e).to_owned(),
                message: self.describe_err(e),
            };
            if let Err(e) = self.op.list("").await {
                return fail(&e);
            }
            let probe = format!(".shoebox-probe-{:08x}", fastrand::u32(..));
            if let Err(e) = self.op.write(&probe, b"probe".to_vec()).await {
                let mut r = fail(&e);
                // Listing worked, so the server and the credentials are fine for reading.
                if !matches!(r.status.as_str(), "unreachable" | "tls") {
                    r.status = "read_only".into();
                    r.message = format!(
                        "{} can be read but not written: {}",
                        self.target.describe(),
                        r.message
                    );
                }
                return r;
            }
            let back = self.op.read(&probe).await;
            let _ = self.op.delete(&probe).await;
            match back {
                Ok(b) if b.to_vec() == b"probe" => TestReport {
                    status: "ok".into(),
                    message: format!(
                        "{} works: listed, wrote, read back and deleted a probe",
                        self.target.describe()
                    ),
                },
                Ok(_) => TestReport {
                    status: "error".into(),
                    message: "the probe read back different bytes".into(),
                },
                Err(e) => fail(&e),
            }
        })
    }
}

/// `unreachable`, `tls`, `credentials`, `missing` or `error`.
pub fn classify(e: &opendal::Error) -> &'static str {
    // Display, not Debug: a captured backtrace (RUST_BACKTRACE) has line numbers that read as codes.
    let text = format!("{e}").to_ascii_lowercase();
    match e.kind() {
        opendal::ErrorKind::PermissionDenied => "credentials",
        opendal::ErrorKind::NotFound => "missing",
        _ if text.contains("certificate") || text.contains("tls") || text.contains("ssl") => "tls",
        _ if [
            "connection refused",
            "error sending request",
            "dns error",
            "tcp connect",
            "timed out",
            "no route to host",
            "connection reset",
        ]
        .iter()
        .any(|n| text.contains(n)) =>
        {
            "unreachable"
        }
        _ if text.contains("nosuchbucket") => "missing",
        // Status codes as whole words: the text also holds the endpoint, whose port may well
        // contain "403" (127.0.0.1:40371 once made a missing bucket look like bad credentials).
        _ if has_word(&text, "403")
            || text.contains("accessdenied")
            || text.contains("signaturedoesnotmatch")
            || text.contains("invalidaccesskeyid")
            || has_word(&text, "401") =>
        {
            "credentials"
        }
        _ => "error",
    }
}

fn has_word(text: &str, word: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == word)
}

/// A message a person can act on.
pub fn describe_error(t: &Target, e: &opendal::Error) -> String {
    let where_ = t.describe();
    match classify(e) {
        "credentials" => format!(
            "{where_}: access denied — check the access key and secret (or user and password), and that they may write here"
        ),
        "missing" if t.scheme == "s3" => format!(
            "{where_}: the bucket does not exist — create it first (Shoebox never creates buckets)"
        ),
        "missing" => format!("{where_}: not found — check the path"),
        "tls" => format!(
            "{where_}: TLS error — check the certificate, or use http:// for a server without TLS"
        ),
        "unreachable" => {
            format!("cannot reach {where_} — is the server running and the address right? ({e})")
        }
        _ => format!("{where_}: {e}"),
    }
}

/// Hex BLAKE3 of bytes.
pub(crate) fn blake3_hex(b: &[u8]) -> String {
    blake3::hash(b).to_hex().to_string()
}

/// Reads the object at `key` into the new file `tmp` a chunk at a time (memory stays bounded
/// whatever the object's size), hashing as it goes, and fsyncs it. Returns the size when the
/// bytes hash to `expect`; otherwise removes `tmp` and says why.
pub(crate) async fn fetch_to_file(
    op: &Operator,
    key: &str,
    tmp: &std::path::Path,
    expect: &str,
) -> std::result::Result<u64, String> {
    fetch_to_file_with(op, key, tmp, expect, |_| true).await
}

/// [`fetch_to_file`], telling `each` the bytes received so far after every chunk; it returns
/// false to stop (the partial file goes).
pub(crate) async fn fetch_to_file_with(
    op: &Operator,
    key: &str,
    tmp: &std::path::Path,
    expect: &str,
    mut each: impl FnMut(u64) -> bool,
) -> std::result::Result<u64, String> {
    use futures::TryStreamExt;
    use std::io::Write;
    let res = async {
        let mut stream = op
            .reader_with(key)
            .chunk(4 << 20)
            .await
            .map_err(|e| format!("{key}: {e}"))?
            .into_bytes_stream(..)
            .await
            .map_err(|e| format!("{key}: {e}"))?;
        let mut f = std::fs::File::create(tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        let mut h = blake3::Hasher::new();
        let mut n = 0u64;
        while let Some(chunk) = stream.try_next().await.map_err(|e| format!("{key}: {e}"))? {
            h.update(&chunk);
            f.write_all(&chunk)
                .map_err(|e| format!("{}: {e}", tmp.display()))?;
            n += chunk.len() as u64;
            if !each(n) {
                return Err(format!("{key}: stopped"));
            }
        }
        if h.finalize().to_hex().as_str() != expect {
            return Err(format!(
                "{key} on the store does not match its hash; not used"
            ));
        }
        f.sync_all()
            .map_err(|e| format!("{}: {e}", tmp.display()))?;
        Ok(n)
    }
    .await;
    if res.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    res
}

/// The BLAKE3 and size of the object at `key`, read a chunk at a time.
pub(crate) async fn hash_object(
    op: &Operator,
    key: &str,
) -> std::result::Result<(String, u64), String> {
    use futures::TryStreamExt;
    let mut stream = op
        .reader_with(key)
        .chunk(4 << 20)
        .await
        .map_err(|e| e.to_string())?
        .into_bytes_stream(..)
        .await
        .map_err(|e| e.to_string())?;
    let mut h = blake3::Hasher::new();
    let mut n = 0u64;
    while let Some(chunk) = stream.try_next().await.map_err(|e| e.to_string())? {
        h.update(&chunk);
        n += chunk.len() as u64;
    }
    Ok((h.finalize().to_hex().to_string(), n))
}

#[cfg(test)]
mod classify_tests {
    use super::*;

    #[test]
    fn a_port_with_403_in_it_is_not_a_403() {
        let e = opendal::Error::new(
            opendal::ErrorKind::Unexpected,
            "PUT http://127.0.0.1:40371/nope/probe: NoSuchBucket",
        );
        assert_eq!(classify(&e), "missing");
        let e = opendal::Error::new(
            opendal::ErrorKind::Unexpected,
            "PUT http://127.0.0.1:40371/photos/probe: status 403 Forbidden",
        );
        assert_eq!(classify(&e), "credentials");
        let e = opendal::Error::new(opendal::ErrorKind::Unexpected, "http://10.0.0.1:4011/x");
        assert_eq!(classify(&e), "error");
    }
}
