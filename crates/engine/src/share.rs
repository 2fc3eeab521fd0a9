//! Sharing an album by link, with no server: the album published as a static gallery under
//! `shares/<id>/` on a target the recipient's browser can reach, every object but the viewer
//! page encrypted with a key of the share's own, which travels only in the link's fragment
//! (`#k=…`, never sent to the host).
//!
//! On the store: `shares/index.html` (the viewer, the same for every share, which the link
//! opens with `#s=<id>&k=<key>`), and in the share's folder `manifest.bin` (title,
//! items, sizes, dates unless left out, expiry), `t/<random>.bin` (320 px), `p/<random>.bin`
//! (1440 px) and, when asked, `o/<random>.bin` (the originals). Each `.bin` is in rclone's crypt
//! format (64 KiB XSalsa20-Poly1305 chunks) under the share's key, which tweetnacl in the page
//! opens. Thumbnails and previews are Shoebox's own JPEGs, made without EXIF: no GPS, no camera.
//! The key is kept in the OS keychain (or the secrets file), like a target's secrets; the rest
//! of what this computer knows of a share is a catalog setting, `share:<id>`.
//!
//! A target with no public address that can sign addresses (S3, MinIO) gets a *signed* share:
//! the link is the viewer page's SigV4 signed address, and every object is read through one of
//! its own, which the manifest carries (the query every object of one run shares once, then a
//! signature each). SigV4 signatures last at most 7 days, so such a share does too. The link's
//! fragment adds the signature of the manifest (and of `lock.json`), whose query is the page's.

use crate::{Error, Library, Result, secrets};
use serde::{Deserialize, Serialize};
use shoebox_layout::Hash;
use shoebox_types::Progress;
use std::collections::BTreeMap;

/// The viewer page, built with the UI (`npm --prefix ui run build` makes
/// `ui/dist/share/index.html`); empty in a build made without it.
const VIEWER: &str = include_str!(concat!(env!("OUT_DIR"), "/share-viewer.html"));

/// What `share create` is asked.
#[derive(Debug, Clone, Default)]
pub struct ShareOptions {
    pub album: String,
    pub target: String,
    /// Days until the viewer refuses to open it; none: no end.
    pub expires_days: Option<u32>,
    /// The originals too (they keep their GPS position and camera data).
    pub originals: bool,
    /// Leave the photos' dates out of the manifest (and the names, which often hold them).
    pub no_dates: bool,
    /// A password the viewer asks for: the link then carries no key, and the share's key is
    /// on the store wrapped with a key derived from the password (Argon2id).
    pub password: Option<String>,
}

/// Argon2id's cost for a share's password: 64 MiB, 3 passes, 1 lane (about a second in a
/// phone's browser through hash-wasm). Written into `lock.json`, which the viewer follows.
const ARGON_M_KIB: u32 = 64 * 1024;
const ARGON_T: u32 = 3;

/// The key that opens a share's key, from its password.
pub fn password_key(password: &str, salt: &[u8], m_kib: u32, t: u32) -> Result<[u8; 32]> {
    let params = argon2::Params::new(m_kib, t, 1, Some(32))
        .map_err(|e| Error::Setting(format!("Argon2 parameters: {e}")))?;
    let mut out = [0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .map_err(|e| Error::Setting(format!("Argon2: {e}")))?;
    Ok(out)
}

/// A share as this computer knows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Share {
    pub id: String,
    pub album: String,
    pub target: String,
    /// The link to send; `None` when this computer does not have the share's key.
    #[serde(skip_deserializing)]
    pub link: Option<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub photos: usize,
    pub originals: bool,
    pub dates: bool,
    /// The viewer asks for a password (the link holds no key).
    #[serde(default)]
    pub password: bool,
    /// The objects of each photo, by hash (this computer's record; never on the store).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    items: BTreeMap<String, Item>,
    /// The album's title as published.
    title: String,
    /// Empty for a signed share.
    public_url: String,
    /// A share read through signed addresses (a target with no public address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signed: Option<Signed>,
}

/// What a signed share's link and manifest need (see the module's note).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Signed {
    /// The viewer page's signed address: the link before its fragment.
    page: String,
    /// The signatures of `manifest.bin` and `lock.json`, whose query (but for the signature)
    /// is the page's own.
    manifest: String,
    lock: String,
    /// The queries (without their signature) of the objects' addresses: one for each run that
    /// signed some; an object names its query by index.
    qs: Vec<String>,
}

/// A signed address split into the address before its query, the query without the signature,
/// and the signature.
fn split_signed(uri: &str) -> Result<(String, String, String)> {
    let bad = || {
        Error::Setting(format!(
            "the store signed an address Shoebox cannot read: {uri}"
        ))
    };
    let (base, query) = uri.split_once('?').ok_or_else(bad)?;
    let mut rest = Vec::new();
    let mut sig = None;
    for pair in query.split('&') {
        match pair.strip_prefix("X-Amz-Signature=") {
            Some(s) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
                sig = Some(s.to_owned())
            }
            Some(_) => return Err(bad()),
            None => rest.push(pair),
        }
    }
    Ok((base.to_owned(), rest.join("&"), sig.ok_or_else(bad)?))
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Item {
    t: Obj,
    p: Obj,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    o: Option<Obj>,
    w: u32,
    h: u32,
    video: bool,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date: Option<String>,
}

/// One encrypted object: its name in the share's folder and its size before encryption (the
/// viewer checks it: rclone's format cannot tell a file cut at a chunk's end).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Obj {
    k: String,
    n: u64,
    /// In a signed share: the index of its address's query in the manifest's `qs`, and its
    /// signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    g: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    s: Option<String>,
}

/// What publishing did.
#[derive(Debug, Clone, Serialize)]
pub struct ShareReport {
    pub share: Share,
    /// Photos published by this run.
    pub added: usize,
    /// Objects written (each proven on the store).
    pub objects_written: usize,
    /// Photos left out, with why (no preview on this computer, say).
    pub skipped: Vec<String>,
}

const SETTING: &str = "share:";

fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", fastrand::u8(..)))
        .collect()
}

fn b64url(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn key_of(id: &str) -> Result<Option<[u8; 32]>> {
    use base64::Engine;
    let got = secrets::load_present(&format!("{SETTING}{id}"), &["key"])?;
    Ok(got.get("key").and_then(|k| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(k)
            .ok()
            .and_then(|v| <[u8; 32]>::try_from(v.as_slice()).ok())
    }))
}

/// The viewer page with the share's id and key in the fragment: neither reaches the server
/// with the page (the id does with the share's files, the key never).
fn link(share: &Share, key: &[u8; 32]) -> String {
    if let Some(sg) = &share.signed {
        return if share.password {
            format!(
                "{}#s={}&p=1&m={}&l={}",
                sg.page, share.id, sg.manifest, sg.lock
            )
        } else {
            format!(
                "{}#s={}&k={}&m={}",
                sg.page,
                share.id,
                b64url(key),
                sg.manifest
            )
        };
    }
    let base = share.public_url.trim_end_matches('/');
    if share.password {
        format!("{base}/shares/index.html#s={}&p=1", share.id)
    } else {
        format!("{base}/shares/index.html#s={}&k={}", share.id, b64url(key))
    }
}

/// Writes `lock.json`: the share's key sealed under the key its password derives, with the
/// salt and the cost the viewer needs to derive it again.
fn lock(store: &shoebox_store::Store, id: &str, key: &[u8; 32], password: &str) -> Result<()> {
    if password.is_empty() {
        return Err(Error::Setting("the password is empty".into()));
    }
    let salt = shoebox_crypt::Keys::random_data_key();
    let kek = password_key(password, &salt[..16], ARGON_M_KIB, ARGON_T)?;
    let (nonce, wrapped) = shoebox_crypt::content::seal_box(&kek, key);
    let lock = serde_json::json!({
        "kdf": "argon2id", "m": ARGON_M_KIB, "t": ARGON_T, "p": 1,
        "salt": b64url(&salt[..16]), "nonce": b64url(&nonce), "wrapped": b64url(&wrapped),
    });
    store.share_put(id, "lock.json", lock.to_string().into_bytes())?;
    Ok(())
}

/// Signs the viewer page, `manifest.bin` and `lock.json` of share `id` for `secs` seconds, all
/// with one query (but for the signature), which the viewer reuses from its own address. A
/// signature made across a second's turn differs in its date: then it is made again.
fn sign_start(store: &shoebox_store::Store, id: &str, secs: u64) -> Result<Signed> {
    let expire = std::time::Duration::from_secs(secs);
    for _ in 0..5 {
        let page = store.viewer_presign(expire)?;
        let objs = store.share_presign(id, &["manifest.bin".into(), "lock.json".into()], expire)?;
        let (_, q, _) = split_signed(&page)?;
        let (_, qm, manifest) = split_signed(&objs[0])?;
        let (_, ql, lock) = split_signed(&objs[1])?;
        if q == qm && q == ql {
            return Ok(Signed {
                page,
                manifest,
                lock,
                qs: Vec::new(),
            });
        }
    }
    Err(Error::Setting(
        "the store's signed addresses kept changing their query; try again".into(),
    ))
}

/// The longest a signed share lasts, in days (SigV4's limit).
pub const MAX_SIGNED_DAYS: u32 = (shoebox_store::MAX_PRESIGN.as_secs() / 86400) as u32;

impl Library {
    /// Whether `target` can sign links, so that a share there needs no public address.
    pub fn can_sign_links(&self, target: &str) -> Result<bool> {
        Ok(self.open_target(target)?.0.can_presign())
    }

    /// How long signed share `share` has left, which is how long what it adds is signed for;
    /// an error once it has ended (its signatures cannot be made to last longer).
    fn signed_time_left(&self, share: &Share) -> Result<std::time::Duration> {
        let now = chrono::DateTime::from_timestamp_millis(self.now_ms() as i64)
            .unwrap_or_else(chrono::Utc::now);
        let end = share
            .expires_at
            .as_deref()
            .and_then(|e| chrono::DateTime::parse_from_rfc3339(e).ok())
            .ok_or_else(|| Error::Setting(format!("signed share {} has no end date", share.id)))?;
        let left = (end.with_timezone(&chrono::Utc) - now).num_seconds();
        if left <= 0 {
            return Err(Error::Setting(format!(
                "share {} ended on {}: its signed addresses cannot be renewed; make a new share",
                share.id,
                share.expires_at.as_deref().unwrap_or_default()
            )));
        }
        Ok(std::time::Duration::from_secs(left as u64))
    }

    /// Signs the objects of signed share `share` that have no signature yet (those this run
    /// wrote) for `left`: one query for them all, added to `qs`.
    fn sign_objects(
        &self,
        store: &shoebox_store::Store,
        share: &mut Share,
        left: std::time::Duration,
    ) -> Result<()> {
        let mut unsigned: Vec<&mut Obj> = share
            .items
            .values_mut()
            .flat_map(|it| [Some(&mut it.t), Some(&mut it.p), it.o.as_mut()])
            .flatten()
            .filter(|o| o.s.is_none())
            .collect();
        if unsigned.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = unsigned.iter().map(|o| o.k.clone()).collect();
        let urls = store.share_presign(&share.id, &names, left)?;
        let qs = &mut share.signed.as_mut().expect("a signed share").qs;
        for (o, url) in unsigned.iter_mut().zip(&urls) {
            let (_, q, sig) = split_signed(url)?;
            let g = match qs.iter().position(|x| *x == q) {
                Some(g) => g,
                None => {
                    qs.push(q);
                    qs.len() - 1
                }
            };
            o.g = Some(g);
            o.s = Some(sig);
        }
        Ok(())
    }

    /// The address the target's objects are read at by a browser (`target set T
    /// --public-url`), if set.
    pub fn public_url(&self, target: &str) -> Result<Option<String>> {
        Ok(self.catalog.setting(&format!("public_url:{target}"))?)
    }

    /// Sets (or with `None` clears) the address a browser reads `target`'s objects at: the
    /// folder's web server, a MinIO bucket with anonymous download on `shares/`, a Garage
    /// website bucket.
    pub fn set_public_url(&mut self, target: &str, url: Option<&str>) -> Result<()> {
        self.targets()?
            .iter()
            .find(|t| t.name == target)
            .ok_or_else(|| Error::NotFound(format!("no target named {target:?}")))?;
        let key = format!("public_url:{target}");
        match url {
            Some(u) => {
                let u = u.trim();
                if !(u.starts_with("http://") || u.starts_with("https://")) {
                    return Err(Error::Setting(format!(
                        "{u:?} is not a web address: give the http:// or https:// address at \
                         which a browser reads this target's files"
                    )));
                }
                self.catalog.set_setting(&key, u.trim_end_matches('/'))?;
            }
            None => self.catalog.delete_setting(&key)?,
        }
        Ok(())
    }

    /// The shares this computer made, newest first.
    pub fn shares(&self) -> Result<Vec<Share>> {
        let mut out = Vec::new();
        for (k, v) in self.catalog.settings_with_prefix(SETTING)? {
            let Ok(mut s) = serde_json::from_str::<Share>(&v) else {
                tracing::warn!("setting {k} is unreadable; left out");
                continue;
            };
            s.link = key_of(&s.id)?.map(|key| link(&s, &key));
            out.push(s);
        }
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at));
        Ok(out)
    }

    /// This computer's record of share `id` (without its link: the key is read where needed).
    fn share(&self, id: &str) -> Result<Share> {
        let missing = || Error::NotFound(format!("no share {id:?} (see `shoebox share list`)"));
        let record = self
            .catalog
            .setting(&format!("{SETTING}{id}"))?
            .ok_or_else(missing)?;
        serde_json::from_str(&record).map_err(|e| {
            Error::Setting(format!(
                "this computer's record of share {id} is unreadable: {e}"
            ))
        })
    }

    /// Publishes album `opts.album` on `opts.target` as a new share; returns it with its link.
    /// Checks everything it can before writing anything.
    pub fn share_create(
        &mut self,
        opts: &ShareOptions,
        progress: &dyn Fn(&Progress),
    ) -> Result<ShareReport> {
        if VIEWER.is_empty() {
            return Err(Error::Setting(
                "this shoebox was built without the share viewer: build the UI first \
                 (`npm --prefix ui run build`), then shoebox"
                    .into(),
            ));
        }
        let album = self
            .albums()?
            .into_iter()
            .find(|a| a.name == opts.album)
            .ok_or_else(|| Error::NotFound(format!("no album named {:?}", opts.album)))?;
        let public_url = self.public_url(&opts.target)?;
        let (store, _) = self.open_target(&opts.target)?;
        let expires_days = match (&public_url, store.can_presign()) {
            (Some(_), _) => opts.expires_days,
            (None, true) => match opts.expires_days {
                Some(d) if d > MAX_SIGNED_DAYS => {
                    return Err(Error::Setting(format!(
                        "target {t} has no public address, so its link would be signed, and a \
                         signed address lasts at most {m} days (SigV4's limit): ask for \
                         --expires {m}d or less, or set a public address with `shoebox target \
                         set {t} --public-url URL`. Nothing was written",
                        t = opts.target,
                        m = MAX_SIGNED_DAYS
                    )));
                }
                Some(d) => Some(d),
                None => Some(MAX_SIGNED_DAYS),
            },
            (None, false) => {
                return Err(Error::Setting(format!(
                    "target {t} has no public address, so a link could not reach it: set the \
                     address a browser reads its files at with `shoebox target set {t} \
                     --public-url URL` (the folder's web server, a MinIO bucket with `mc \
                     anonymous set download ALIAS/BUCKET/shares`, a Garage website bucket), \
                     or share on an S3 target, whose links can be signed. Nothing was written",
                    t = opts.target
                )));
            }
        };
        let id = random_hex(16);
        let key = shoebox_crypt::Keys::random_data_key();
        // By the library's clock (tests move it to make a share that has expired).
        let created = chrono::DateTime::from_timestamp_millis(self.now_ms() as i64)
            .unwrap_or_else(chrono::Utc::now);
        let signed = match (&public_url, expires_days) {
            (None, Some(d)) => Some(sign_start(&store, &id, u64::from(d) * 86400)?),
            _ => None,
        };
        let share = Share {
            id: id.clone(),
            album: album.name.clone(),
            target: opts.target.clone(),
            link: None,
            created_at: created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            expires_at: expires_days.map(|d| {
                (created + chrono::Duration::days(d.into()))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            }),
            photos: 0,
            originals: opts.originals,
            dates: !opts.no_dates,
            password: opts.password.is_some(),
            items: BTreeMap::new(),
            title: album.name.clone(),
            public_url: public_url.unwrap_or_default(),
            signed,
        };
        // The key first: a share whose key is lost could never be opened or updated.
        secrets::save(
            &format!("{SETTING}{id}"),
            &BTreeMap::from([("key".into(), b64url(&key))]),
        )?;
        let res = match &opts.password {
            Some(pw) => lock(&store, &id, &key, pw),
            None => Ok(()),
        }
        .and_then(|()| self.publish(&store, share, &key, album.id, progress));
        if res.is_err() {
            // Nothing half-made stays: what was written goes, and so does the key.
            let _ = store.share_delete(&id);
            let _ = secrets::forget(&format!("{SETTING}{id}"));
        }
        res
    }

    /// Adds to share `id` the photos added to its album since, and writes its manifest again.
    pub fn share_update(&mut self, id: &str, progress: &dyn Fn(&Progress)) -> Result<ShareReport> {
        let share = self.share(id)?;
        let key = key_of(id)?.ok_or_else(|| {
            Error::Setting(format!(
                "the key of share {id} is not on this computer (it stays where the share was \
                 made); it cannot be updated here"
            ))
        })?;
        let album = self
            .albums()?
            .into_iter()
            .find(|a| a.name == share.album)
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "album {:?} of share {id} is gone; revoke the share instead",
                    share.album
                ))
            })?;
        let (store, _) = self.open_target(&share.target)?;
        self.publish(&store, share, &key, album.id, progress)
    }

    /// Deletes share `id` from its store, every object (then checks none is left), and
    /// forgets it. Returns how many objects were deleted.
    pub fn share_revoke(&mut self, id: &str) -> Result<usize> {
        let share = self.share(id)?;
        let (store, _) = self.open_target(&share.target)?;
        let n = store.share_delete(id)?;
        self.catalog.delete_setting(&format!("{SETTING}{id}"))?;
        secrets::forget(&format!("{SETTING}{id}"))?;
        Ok(n)
    }

    /// Writes the album's photos the share lacks, then the manifest and the viewer, and saves
    /// the share's record.
    fn publish(
        &mut self,
        store: &shoebox_store::Store,
        mut share: Share,
        key: &[u8; 32],
        album: i64,
        progress: &dyn Fn(&Progress),
    ) -> Result<ShareReport> {
        // A signed share that has ended takes nothing more: said before anything is written.
        let sign_for = match share.signed {
            Some(_) => Some(self.signed_time_left(&share)?),
            None => None,
        };
        let (mut added, mut written, mut skipped) = (0, 0, Vec::new());
        let keys = shoebox_crypt::Keys::from_data_key(*key);
        let members = self.album_members(album)?;
        let new: Vec<&Hash> = members
            .iter()
            .filter(|h| !share.items.contains_key(h.as_str()))
            .collect();
        let total = new.len() as u64;
        let sid = share.id.clone();
        let put = |name: &str, plain: &[u8], written: &mut usize| -> Result<Obj> {
            store.share_put(&sid, name, shoebox_crypt::content::seal_all(&keys, plain))?;
            *written += 1;
            Ok(Obj {
                k: name.to_owned(),
                n: plain.len() as u64,
                g: None,
                s: None,
            })
        };
        for (i, h) in new.iter().enumerate() {
            progress(&Progress {
                phase: "Publishing".into(),
                done: i as u64,
                total,
                ..Default::default()
            });
            let Some(a) = self.catalog.asset_by_hash(h)? else {
                continue;
            };
            let read = |size: u32| std::fs::read(self.paths.thumb(h, size)).ok();
            let (Some(thumb), Some(preview)) = (read(320), read(1440)) else {
                skipped.push(format!(
                    "{}: no thumbnail or preview on this computer (sync or import it again)",
                    a.path
                ));
                continue;
            };
            let original = if share.originals {
                match self.local_original(&a) {
                    Some(f) => Some(std::fs::read(&f).map_err(crate::error::io(f.clone()))?),
                    None => {
                        skipped.push(format!(
                            "{}: its original is not on this computer (`shoebox fetch` it \
                             first)",
                            a.path
                        ));
                        continue;
                    }
                }
            } else {
                None
            };
            let (w, h_px) = shoebox_media::jpeg_size(&thumb).unwrap_or((4, 3));
            let ext = shoebox_layout::split_ext(&a.original_name).1.to_owned();
            let name = if share.dates {
                a.original_name.clone()
            } else {
                format!("photo-{:04}{ext}", share.items.len() + 1)
            };
            let item = Item {
                t: put(&format!("t/{}.bin", random_hex(16)), &thumb, &mut written)?,
                p: put(&format!("p/{}.bin", random_hex(16)), &preview, &mut written)?,
                o: match &original {
                    Some(b) => Some(put(&format!("o/{}.bin", random_hex(16)), b, &mut written)?),
                    None => None,
                },
                w,
                h: h_px,
                video: a.meta.kind == shoebox_types::Kind::Video,
                name,
                date: share.dates.then(|| {
                    a.meta
                        .taken_at
                        .local
                        .format("%Y-%m-%dT%H:%M:%S")
                        .to_string()
                }),
            };
            share.items.insert(h.to_string(), item);
            added += 1;
        }
        if let Some(left) = sign_for {
            self.sign_objects(store, &mut share, left)?;
        }
        // The manifest lists the album's photos in the album's order, newest first.
        let mut items: Vec<&Item> = members
            .iter()
            .filter_map(|h| share.items.get(h.as_str()))
            .collect();
        items.sort_by(|a, b| b.date.cmp(&a.date));
        let manifest = serde_json::json!({
            "v": 1,
            "title": share.title,
            "created": share.created_at,
            "expires": share.expires_at,
            "items": items,
            "qs": share.signed.as_ref().map(|s| &s.qs),
        });
        put(
            "manifest.bin",
            &serde_json::to_vec(&manifest).map_err(|e| Error::Setting(e.to_string()))?,
            &mut written,
        )?;
        store.share_put_viewer(VIEWER.as_bytes().to_vec())?;
        written += 1;
        share.photos = share.items.len();
        let record = serde_json::to_string(&share).map_err(|e| Error::Setting(e.to_string()))?;
        self.catalog
            .set_setting(&format!("{SETTING}{}", share.id), &record)?;
        progress(&Progress {
            phase: "Publishing".into(),
            done: total,
            total,
            ..Default::default()
        });
        share.link = Some(link(&share, key));
        Ok(ShareReport {
            share,
            added,
            objects_written: written,
            skipped,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_address_splits_into_its_query_and_signature() {
        let sig = "0ace61d2e25575746c11da968b4a20c2831778f85723fca9ef77d5f9e86fc21a";
        let (base, q, s) = split_signed(&format!(
            "http://nas:9000/b/shares/index.html?X-Amz-Algorithm=AWS4-HMAC-SHA256&\
             X-Amz-Date=20261207T103451Z&X-Amz-Signature={sig}&X-Amz-SignedHeaders=host"
        ))
        .unwrap();
        assert_eq!(base, "http://nas:9000/b/shares/index.html");
        assert_eq!(
            q,
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261207T103451Z&X-Amz-SignedHeaders=host"
        );
        assert_eq!(s, sig);
        // No query, no signature, or one that is not 64 hex digits: refused.
        for bad in [
            "http://nas/x".to_owned(),
            "http://nas/x?X-Amz-Date=1".to_owned(),
            format!("http://nas/x?X-Amz-Signature={}", &sig[1..]),
            "http://nas/x?X-Amz-Signature=../../zz".to_owned(),
        ] {
            assert!(split_signed(&bad).is_err(), "{bad}");
        }
    }
}
