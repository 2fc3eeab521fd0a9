//! Near-duplicates and similar shots (issue 14): photos whose grid thumbnails look alike —
//! resized, re-encoded, lightly cropped or brightened copies (Google's "storage saver" copies
//! beside the originals) — grouped so a person can keep one. Exact copies never get this far:
//! an import skips bytes it already has.

use crate::{Library, Result};
use rayon::prelude::*;
use serde::Serialize;
use shoebox_catalog::{Asset, Look, LookBits};
use shoebox_layout::Hash;
use shoebox_media::look::{COARSE_NEAR, Look as Hashes};
use shoebox_types::{Progress, Throttle, TimeSource};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

/// Photos that look alike.
#[derive(Debug, Clone, Serialize)]
pub struct SimilarGroup {
    /// The share of the 256 bits of the fine hash on which the two least alike photos of the
    /// group agree: 1.0 for the same picture.
    pub similarity: f32,
    /// The one to keep: the most pixels, then the most metadata, then the biggest file, then
    /// the first imported.
    pub keep: String,
    /// The photos, the one to keep first.
    pub photos: Vec<Asset>,
    /// For each photo, how much it carries besides its pixels ([`metadata_score`]).
    pub metadata: Vec<u32>,
}

/// What a photo carries besides its pixels, counted: a camera date, a position, a camera, a
/// caption, a favourite, a rating, keywords, albums.
pub fn metadata_score(a: &Asset, albums: usize) -> u32 {
    [
        matches!(
            a.meta.taken_at_source,
            TimeSource::Exif | TimeSource::ExifOther
        ),
        a.meta.gps.is_some(),
        a.meta.make.is_some() || a.meta.model.is_some(),
        a.meta.description.as_deref().is_some_and(|d| !d.is_empty()),
        a.favourite,
        a.rating > 0,
        !a.keywords.is_empty(),
        albums > 0,
    ]
    .into_iter()
    .map(u32::from)
    .sum()
}

/// Pairs of indexes into `looks` (first < second) whose coarse hashes differ by at most
/// [`COARSE_NEAR`] bits, found without comparing every pair: the 64 bits are cut into four
/// 16-bit blocks, and two hashes that close have some block within `COARSE_NEAR / 4` bits
/// (pigeonhole), so each hash looks up its blocks' near keys only.
fn coarse_pairs(coarse: &[u64]) -> Vec<(usize, usize)> {
    const BLOCKS: usize = 4;
    let radius = COARSE_NEAR / BLOCKS as u32;
    let mut tables: Vec<HashMap<u16, Vec<u32>>> = vec![HashMap::new(); BLOCKS];
    for (i, c) in coarse.iter().enumerate() {
        for (b, t) in tables.iter_mut().enumerate() {
            t.entry((c >> (16 * b)) as u16).or_default().push(i as u32);
        }
    }
    // Every 16-bit mask of at most `radius` bits.
    let mut masks = vec![0u16];
    for _ in 0..radius {
        let mut next = masks.clone();
        for m in &masks {
            for bit in 0..16 {
                next.push(m | (1 << bit));
            }
        }
        next.sort_unstable();
        next.dedup();
        masks = next;
    }
    coarse
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, c)| {
            let mut found = Vec::new();
            for (b, t) in tables.iter().enumerate() {
                let key = (c >> (16 * b)) as u16;
                for m in &masks {
                    if let Some(js) = t.get(&(key ^ m)) {
                        for &j in js {
                            let j = j as usize;
                            if j > i && (c ^ coarse[j]).count_ones() <= COARSE_NEAR {
                                found.push(j);
                            }
                        }
                    }
                }
            }
            found.sort_unstable();
            found.dedup();
            found.into_iter().map(move |j| (i, j))
        })
        .collect()
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Groups of looks that are near (linked through near pairs), with the largest distance of a
/// near pair inside each: (members, distance).
pub fn group_looks(looks: &[Look]) -> Vec<(Vec<usize>, u32)> {
    let coarse: Vec<u64> = looks.iter().map(|l| l.coarse).collect();
    let hashes = |l: &Look| Hashes {
        coarse: l.coarse,
        fine: l.fine,
    };
    let mut parent: Vec<usize> = (0..looks.len()).collect();
    let mut near = Vec::new();
    for (i, j) in coarse_pairs(&coarse) {
        let (a, b) = (hashes(&looks[i]), hashes(&looks[j]));
        if looks[i].kind == looks[j].kind && a.is_near(&b) {
            near.push((i, j, a.distance(&b)));
            let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
            if ri != rj {
                parent[rj] = ri;
            }
        }
    }
    let mut groups: HashMap<usize, (Vec<usize>, u32)> = HashMap::new();
    for (i, _, d) in &near {
        let r = find(&mut parent, *i);
        let g = groups.entry(r).or_default();
        g.1 = g.1.max(*d);
    }
    for i in 0..looks.len() {
        let r = find(&mut parent, i);
        if let Some(g) = groups.get_mut(&r) {
            g.0.push(i);
        }
    }
    groups.into_values().collect()
}

impl Library {
    /// Works out the look of every photo that has none yet, from its grid thumbnail (photos
    /// whose thumbnail is not on this computer yet are left for later). Returns how many.
    pub fn fill_looks(
        &mut self,
        progress: &dyn Fn(&Progress),
        cancel: &AtomicBool,
    ) -> Result<usize> {
        let total = self.catalog.looks_pending_count()?;
        let mut throttle = Throttle::new(progress);
        let mut p = Progress {
            phase: "looking".into(),
            total,
            ..Default::default()
        };
        throttle.send(&p, true);
        let (mut after, mut n) = (0, 0);
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Err(crate::Error::Cancelled);
            }
            let batch = self.catalog.looks_pending(after, 256)?;
            let Some(last) = batch.last() else { break };
            after = last.0;
            n += self.look_batch(&batch)?;
            p.done += batch.len() as u64;
            throttle.send(&p, false);
        }
        p.done = p.total;
        throttle.send(&p, true);
        Ok(n)
    }

    /// Works out and records the looks of a batch of photos (id, hash) from their grid
    /// thumbnails. Returns how many were recorded.
    fn look_batch(&mut self, batch: &[(i64, String)]) -> Result<usize> {
        let size = self.settings.grid_size;
        let found: Vec<(i64, Option<LookBits>)> = batch
            .par_iter()
            .filter_map(|(id, hash)| {
                let path = self.paths.thumb(&Hash::parse(hash).ok()?, size);
                // Not here yet (another device's photo): asked again next time.
                let bytes = std::fs::read(path).ok()?;
                let look = shoebox_media::look::look_of(&bytes).map(|l| (l.coarse, l.fine));
                Some((*id, look))
            })
            .collect();
        self.catalog.set_looks(&found)?;
        Ok(found.len())
    }

    /// The looks of photos just imported, as a side task: a failure is logged, and the
    /// photos are looked at when duplicates are next asked for.
    pub(crate) fn look_at_new(&mut self, hashes: &[Hash]) {
        let res = self
            .catalog
            .looks_pending_of(hashes)
            .map_err(crate::Error::from)
            .and_then(|pending| {
                pending
                    .chunks(256)
                    .try_for_each(|c| self.look_batch(c).map(|_| ()))
            });
        if let Err(e) = res {
            tracing::warn!("near-duplicate hashes not written this time: {e}");
        }
    }

    /// Photos that look alike, on the timeline (not trashed), the newest groups first. Only
    /// photos whose look is known are compared: run [`Self::fill_looks`] first.
    pub fn similar(&self) -> Result<Vec<SimilarGroup>> {
        let looks = self.catalog.looks()?;
        let mut out = Vec::new();
        for (members, distance) in group_looks(&looks) {
            let mut photos = Vec::new();
            for i in members {
                if let Some(a) = self
                    .catalog
                    .asset_by_hash(&shoebox_layout::Hash::parse(&looks[i].hash)?)?
                {
                    let albums = self.catalog.albums_of(&a.hash)?.len();
                    photos.push((a, albums));
                }
            }
            if photos.len() < 2 {
                continue;
            }
            photos.sort_by(|(a, na), (b, nb)| {
                let px = |x: &Asset| {
                    u64::from(x.meta.width.unwrap_or(0)) * u64::from(x.meta.height.unwrap_or(0))
                };
                px(b)
                    .cmp(&px(a))
                    .then(metadata_score(b, *nb).cmp(&metadata_score(a, *na)))
                    .then(b.size.cmp(&a.size))
                    .then(a.imported_at.cmp(&b.imported_at))
                    .then(a.hash.cmp(&b.hash))
            });
            let metadata = photos.iter().map(|(a, n)| metadata_score(a, *n)).collect();
            let photos: Vec<Asset> = photos.into_iter().map(|(a, _)| a).collect();
            out.push(SimilarGroup {
                similarity: 1.0 - distance as f32 / 256.0,
                keep: photos[0].hash.clone().to_string(),
                photos,
                metadata,
            });
        }
        let newest = |g: &SimilarGroup| {
            g.photos
                .iter()
                .map(|a| a.meta.taken_at.local_key())
                .max()
                .unwrap_or_default()
        };
        out.sort_by_cached_key(|g| std::cmp::Reverse(newest(g)));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coarse_pairs_are_exactly_the_close_ones() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut coarse: Vec<u64> = (0..400).map(|_| rng.u64(..)).collect();
        // Near copies: 0 to 10 bits flipped, spread over the blocks.
        for i in 0..200 {
            let mut c = coarse[i];
            for _ in 0..(i % 11) {
                c ^= 1 << rng.u32(0..64);
            }
            coarse.push(c);
        }
        let mut want = Vec::new();
        for i in 0..coarse.len() {
            for j in i + 1..coarse.len() {
                if (coarse[i] ^ coarse[j]).count_ones() <= COARSE_NEAR {
                    want.push((i, j));
                }
            }
        }
        let mut got = coarse_pairs(&coarse);
        got.sort_unstable();
        assert!(want.len() > 150, "{}", want.len());
        assert_eq!(got, want);
    }
}
