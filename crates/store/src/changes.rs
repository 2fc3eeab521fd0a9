//! Change logs on the store: each device appends immutable, checksummed segments of its edits
//! under its own prefix and writes a small head last.
//!
//! ```text
//! devices/<device>/seg-<first seq>-<last seq>.json   {"device", "changes": [...]}, never rewritten
//! devices/<device>/checkpoint-<last seq>.json         the same form: the device's log up to
//!                                                       `last`, compacted (each photo's import,
//!                                                       the last edit of each field)
//! devices/<device>/head.json                          {"format": 2, "device", "nonce", "seq",
//!                                                       "checkpoint": {key, first, last, size,
//!                                                       blake3} (optional), "segments": [...]}
//! ```
//!
//! A checkpoint replaces the segments it covers: a new device reads one object instead of years
//! of history. Applying it is the same as applying the segments (the last edit of a field by one
//! device is also its latest by the clock), so a device that had read some of them already
//! reads it again harmlessly.
//!
//! Only the device itself writes under its prefix (one writer per changeable object). A reader
//! takes a missing or torn head or segment for "not written yet", never for "deleted": it applies
//! what it can prove (size and BLAKE3 from the head) and tries the rest at the next sync.

use crate::transfer::put_verified;
use crate::{Error, Result, Store, blake3_hex};
use serde::{Deserialize, Serialize};
use shoebox_catalog::Change;
use shoebox_layout::Hash;

/// The change-log format these heads describe.
pub const CHANGES_FORMAT: u64 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentRef {
    pub key: String,
    pub first: i64,
    pub last: i64,
    pub size: u64,
    pub blake3: String,
}

/// A device's head: what it has written, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Head {
    pub format: u64,
    pub device: String,
    /// A random value of the catalog that writes this prefix: another catalog finding its own
    /// device id here with another nonce (a copied catalog) stops writing.
    pub nonce: String,
    /// A name for people (the computer's host name).
    #[serde(default)]
    pub name: Option<String>,
    pub seq: i64,
    /// The device's log up to `checkpoint.last`, compacted; `segments` follow it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<SegmentRef>,
    pub segments: Vec<SegmentRef>,
    pub updated_at: String,
}

#[derive(Serialize, Deserialize)]
struct Segment {
    device: String,
    changes: Vec<Change>,
}

/// A device id as Shoebox makes them (16 hex digits): anything else under `devices/` is ignored.
pub fn is_device_id(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

fn head_key(device: &str) -> String {
    format!("devices/{device}/head.json")
}

/// A device's own head as the store holds it.
#[derive(Debug)]
pub enum OwnHead {
    /// Never written (or gone with the store).
    Missing,
    /// There, but not a head: a write cut short on a store that keeps part of a failed upload.
    Unreadable,
    Found(Box<Head>),
}

impl Store {
    /// This device's head, telling "never written" from "there but unreadable": a device that
    /// took its torn head for none would write a head that leaves out the segments it had
    /// listed, and the other devices would never read them.
    pub fn read_own_head(&self, device: &str) -> Result<OwnHead> {
        self.rt.block_on(async {
            match self.op.read(&head_key(device)).await {
                Ok(b) => Ok(match serde_json::from_slice::<Head>(&b.to_vec()) {
                    Ok(h) if h.device == device => OwnHead::Found(Box::new(h)),
                    _ => OwnHead::Unreadable,
                }),
                Err(e) if e.kind() == opendal::ErrorKind::NotFound => Ok(OwnHead::Missing),
                Err(e) => Err(self.store_err(&e)),
            }
        })
    }

    /// This device's head as the store has it (`None`: never written, or unreadable).
    pub fn read_head(&self, device: &str) -> Result<Option<Head>> {
        self.rt
            .block_on(async { self.read_head_async(device).await })
    }

    async fn read_head_async(&self, device: &str) -> Result<Option<Head>> {
        match self.op.read(&head_key(device)).await {
            Ok(b) => Ok(serde_json::from_slice::<Head>(&b.to_vec())
                .ok()
                .filter(|h| h.device == device)),
            Err(e) if e.kind() == opendal::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.store_err(&e)),
        }
    }

    /// Appends `changes` (this device's, with their sequence numbers) as one segment, then
    /// writes the head that lists it. Returns the new head.
    pub fn push_changes(&self, mut head: Head, changes: &[(i64, Change)]) -> Result<Head> {
        let (Some(first), Some(last)) = (changes.first(), changes.last()) else {
            return Ok(head);
        };
        let (first, last) = (first.0, last.0);
        if head.format > CHANGES_FORMAT {
            return Err(Error::TooNew {
                found: head.format,
                supported: CHANGES_FORMAT,
            });
        }
        let body = serde_json::to_vec(&Segment {
            device: head.device.clone(),
            changes: changes.iter().map(|(_, c)| c.clone()).collect(),
        })
        .map_err(|e| Error::Store(e.to_string()))?;
        let key = format!("devices/{}/seg-{first:012}-{last:012}.json", head.device);
        let hash = blake3_hex(&body);
        let size = body.len() as u64;
        self.rt.block_on(async {
            put_verified(&self.op, &key, body, &hash)
                .await
                .map_err(|e| Error::Store(format!("{key}: {e}")))?;
            head.segments.push(SegmentRef {
                key,
                first,
                last,
                size,
                blake3: hash,
            });
            head.seq = last;
            head.updated_at = shoebox_catalog::now();
            let body = serde_json::to_vec_pretty(&head).map_err(|e| Error::Store(e.to_string()))?;
            let h = blake3_hex(&body);
            let hk = head_key(&head.device);
            put_verified(&self.op, &hk, body, &h)
                .await
                .map_err(|e| Error::Store(format!("{hk}: {e}")))?;
            Ok(head)
        })
    }

    /// Writes a head as it is: a device's first, empty head says "this device exists and
    /// relies on this store" before it takes anything in (prune waits for a device it cannot
    /// read the snapshot of).
    pub fn write_head(&self, head: &Head) -> Result<()> {
        let body = serde_json::to_vec_pretty(head).map_err(|e| Error::Store(e.to_string()))?;
        let h = blake3_hex(&body);
        let hk = head_key(&head.device);
        self.rt.block_on(async {
            put_verified(&self.op, &hk, body, &h)
                .await
                .map_err(|e| Error::Store(format!("{hk}: {e}")))
        })
    }

    /// The heads of every other device (one listing, one read per device). Torn or missing
    /// heads are left out: those devices' news arrive at a later sync.
    pub fn other_heads(&self, own: &str) -> Result<Vec<Head>> {
        self.rt.block_on(async {
            let mut heads = Vec::new();
            for dev in self.device_folders().await? {
                let dev = dev.as_str();
                if dev == own || !is_device_id(dev) {
                    continue;
                }
                if let Some(h) = self.read_head_async(dev).await?
                    && h.format <= CHANGES_FORMAT
                {
                    heads.push(h);
                }
            }
            Ok(heads)
        })
    }

    /// Replaces the head's checkpoint and segments by a new checkpoint of `compacted` (this
    /// device's log up to `head.seq`, compacted): the checkpoint first, the head next, then the
    /// objects it no longer lists are deleted from this device's prefix (only its owner writes
    /// there; a reader still holding the old head finds a segment gone, takes it for "not yet
    /// written" and reads the checkpoint at its next sync).
    pub fn write_checkpoint(&self, mut head: Head, compacted: &[(i64, Change)]) -> Result<Head> {
        let body = serde_json::to_vec(&Segment {
            device: head.device.clone(),
            changes: compacted.iter().map(|(_, c)| c.clone()).collect(),
        })
        .map_err(|e| Error::Store(e.to_string()))?;
        let key = format!("devices/{}/checkpoint-{:012}.json", head.device, head.seq);
        let hash = blake3_hex(&body);
        let size = body.len() as u64;
        let old: Vec<String> = head
            .checkpoint
            .iter()
            .chain(&head.segments)
            .map(|s| s.key.clone())
            .filter(|k| *k != key)
            .collect();
        head = self.rt.block_on(async {
            put_verified(&self.op, &key, body, &hash)
                .await
                .map_err(|e| Error::Store(format!("{key}: {e}")))?;
            head.checkpoint = Some(SegmentRef {
                key,
                first: 1,
                last: head.seq,
                size,
                blake3: hash,
            });
            head.segments.clear();
            head.updated_at = shoebox_catalog::now();
            Ok::<_, Error>(head)
        })?;
        self.write_head(&head)?;
        let (_, err) = self.delete(&old);
        if let Some(e) = err {
            // Left behind, unlisted: harmless; the next checkpoint tries again.
            tracing::warn!("old change-log segments not deleted: {e}");
        }
        Ok(head)
    }

    /// The changes of one segment or checkpoint a head lists, when the bytes prove to be what
    /// the head says (size and BLAKE3) and name only that device's prefix; otherwise why not.
    pub fn read_segment(&self, head: &Head, seg: &SegmentRef) -> Result<Vec<Change>> {
        let prefix = format!("devices/{}/", head.device);
        let named = seg
            .key
            .strip_prefix(&prefix)
            .is_some_and(|n| n.starts_with("seg-") || n.starts_with("checkpoint-"));
        if !named || crate::unsafe_key_reason(&seg.key).is_some() {
            return Err(Error::Store(format!(
                "device {}'s head names {:?}, outside its prefix; ignored",
                head.device, seg.key
            )));
        }
        let b = self
            .rt
            .block_on(async { self.op.read(&seg.key).await.map_err(|e| self.store_err(&e)) })?;
        let b = b.to_vec();
        if b.len() as u64 != seg.size || blake3_hex(&b) != seg.blake3 {
            return Err(Error::Store(format!(
                "{} is torn or damaged (size or checksum differs from its head); not applied",
                seg.key
            )));
        }
        let s: Segment =
            serde_json::from_slice(&b).map_err(|e| Error::Store(format!("{}: {e}", seg.key)))?;
        if s.device != head.device {
            return Err(Error::Store(format!(
                "{} says it is device {}'s; not applied",
                seg.key, s.device
            )));
        }
        Ok(s.changes)
    }

    /// The segments of this device's `head` that the store lost or holds damaged: checked by
    /// size, and with `deep` by BLAKE3 too.
    pub fn damaged_segments(&self, head: &Head, deep: bool) -> Result<Vec<SegmentRef>> {
        self.rt.block_on(async {
            let mut bad = Vec::new();
            for seg in head.checkpoint.iter().chain(&head.segments) {
                let ok = match self.op.stat(&seg.key).await {
                    Ok(m) if m.content_length() == seg.size => {
                        !deep
                            || crate::hash_object(&self.op, &seg.key)
                                .await
                                .is_ok_and(|(h, _)| h == seg.blake3)
                    }
                    Ok(_) => false,
                    Err(e) if e.kind() == opendal::ErrorKind::NotFound => false,
                    Err(e) => return Err(self.store_err(&e)),
                };
                if !ok {
                    bad.push(seg.clone());
                }
            }
            Ok(bad)
        })
    }

    /// Writes a lost or damaged segment (or checkpoint) of this device again from its own log:
    /// the same changes serialise to the same bytes, which must match the head's BLAKE3.
    pub fn rewrite_segment(
        &self,
        head: &Head,
        seg: &SegmentRef,
        changes: &[(i64, Change)],
    ) -> Result<()> {
        let body = serde_json::to_vec(&Segment {
            device: head.device.clone(),
            changes: changes.iter().map(|(_, c)| c.clone()).collect(),
        })
        .map_err(|e| Error::Store(e.to_string()))?;
        let hash = blake3_hex(&body);
        if hash != seg.blake3 || body.len() as u64 != seg.size {
            return Err(Error::Store(format!(
                "{}: this device's log no longer gives the same bytes; not rewritten",
                seg.key
            )));
        }
        self.rt.block_on(async {
            put_verified(&self.op, &seg.key, body, &hash)
                .await
                .map_err(|e| Error::Store(format!("{}: {e}", seg.key)))
        })
    }

    /// Fetches thumbnails (content-addressed, so any device's copy will do) that the library
    /// lacks; returns how many arrived.
    pub fn fetch_thumbs(
        &self,
        lib: &shoebox_layout::LibraryPaths,
        wanted: &[(shoebox_layout::Hash, u32)],
        concurrency: usize,
        each: &mut dyn FnMut(bool),
    ) -> usize {
        let jobs: Vec<_> = wanted
            .iter()
            .map(|(h, s)| (shoebox_layout::thumb_key(h, *s), lib.thumb(h, *s)))
            .filter(|(_, dest)| !dest.exists())
            .collect();
        self.rt
            .block_on(self.fetch_thumbs_async(lib, jobs, concurrency, each))
    }

    /// Fetches thumbnails `(key, file)` several at a time into the library's thumbnail cache;
    /// `each` hears of every one (arrived or not). Returns how many arrived.
    pub(crate) async fn fetch_thumbs_async(
        &self,
        lib: &shoebox_layout::LibraryPaths,
        jobs: Vec<(String, std::path::PathBuf)>,
        concurrency: usize,
        each: &mut dyn FnMut(bool),
    ) -> usize {
        use futures::StreamExt;
        let op = &self.op;
        let mut got = 0;
        let mut s = futures::stream::iter(jobs)
            .map(|(key, dest)| async move { (op.read(&key).await, dest) })
            .buffer_unordered(concurrency.max(1));
        while let Some((res, dest)) = s.next().await {
            let ok = res.is_ok_and(|b| {
                shoebox_layout::write_atomic_cache(&dest, &lib.tmp(), &b.to_vec()).is_ok()
            });
            got += ok as usize;
            each(ok);
        }
        got
    }

    /// Brings the original at `key` to `dest`, proven to hash to `hash` (streamed to a temp
    /// file in `tmp_dir`, renamed into place only when it checks out). `each` hears the bytes
    /// received so far and returns false to stop (nothing is left behind).
    pub fn fetch_original(
        &self,
        key: &str,
        hash: &Hash,
        dest: &std::path::Path,
        tmp_dir: &std::path::Path,
        each: &mut dyn FnMut(u64) -> bool,
    ) -> Result<u64> {
        if let Some(why) = crate::unsafe_key_reason(key) {
            return Err(Error::Store(format!("unsafe key {key:?}: {why}")));
        }
        let tmp = tmp_dir.join(format!("fetch-{:08x}.part", fastrand::u32(..)));
        let n = self
            .rt
            .block_on(crate::fetch_to_file_with(
                &self.op,
                key,
                &tmp,
                hash.as_str(),
                each,
            ))
            .map_err(Error::Store)?;
        if let Some(d) = dest.parent() {
            std::fs::create_dir_all(d).map_err(crate::error::io(d))?;
        }
        std::fs::rename(&tmp, dest).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            crate::error::io(dest)(e)
        })?;
        Ok(n)
    }
}
