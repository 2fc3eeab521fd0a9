//! HEIF/HEIC header reading without a decoder: image size and rotation from `ispe` and `irot`.

use crate::{Error, Result};
use std::io::{Read, Seek, SeekFrom};

/// Size of the primary image as displayed: the largest `ispe`, turned by `irot`.
pub fn read_heif_size<R: Read + Seek>(r: &mut R) -> Result<(u32, u32)> {
    let len = r.seek(SeekFrom::End(0)).map_err(bad)?;
    let mut buf = Vec::new();
    r.seek(SeekFrom::Start(0)).map_err(bad)?;
    // Headers of HEIF files live in the first `meta` box, before the image data; 4 MiB is plenty.
    r.take(len.min(4 << 20))
        .read_to_end(&mut buf)
        .map_err(bad)?;
    if buf.len() < 12 || &buf[4..8] != b"ftyp" {
        return Err(Error::corrupt("HEIF", "no ftyp box at the start"));
    }
    let meta =
        find(&buf, 0, buf.len(), b"meta").ok_or_else(|| Error::corrupt("HEIF", "no meta box"))?;
    // `meta` is a full box: 4 bytes of version and flags before its children.
    let iprp = find(&buf, meta.0 + 4, meta.1, b"iprp")
        .ok_or_else(|| Error::corrupt("HEIF", "no iprp box"))?;
    let ipco =
        find(&buf, iprp.0, iprp.1, b"ipco").ok_or_else(|| Error::corrupt("HEIF", "no ipco box"))?;
    let mut best = (0u32, 0u32);
    let mut turned = false;
    let mut at = ipco.0;
    while let Some((start, end, kind)) = next(&buf, at, ipco.1) {
        if &kind == b"ispe" && end - start >= 12 {
            let w = u32::from_be_bytes([
                buf[start + 4],
                buf[start + 5],
                buf[start + 6],
                buf[start + 7],
            ]);
            let h = u32::from_be_bytes([
                buf[start + 8],
                buf[start + 9],
                buf[start + 10],
                buf[start + 11],
            ]);
            if (w as u64) * (h as u64) > (best.0 as u64) * (best.1 as u64) {
                best = (w, h);
            }
        }
        if &kind == b"irot" && end > start {
            turned |= buf[start] & 1 == 1;
        }
        at = end;
    }
    if best.0 == 0 {
        return Err(Error::corrupt("HEIF", "no image size (ispe)"));
    }
    Ok(if turned { (best.1, best.0) } else { best })
}

fn bad(e: std::io::Error) -> Error {
    Error::corrupt("HEIF", e)
}

/// The next box in `buf[at..limit]`: (payload start, end, type).
fn next(buf: &[u8], at: usize, limit: usize) -> Option<(usize, usize, [u8; 4])> {
    if at + 8 > limit {
        return None;
    }
    let size = u32::from_be_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]]) as usize;
    let kind = [buf[at + 4], buf[at + 5], buf[at + 6], buf[at + 7]];
    let end = if size == 0 {
        limit
    } else {
        at.checked_add(size)?
    };
    if size != 0 && size < 8 || end > limit {
        return None;
    }
    Some((at + 8, end, kind))
}

fn find(buf: &[u8], mut at: usize, limit: usize, want: &[u8; 4]) -> Option<(usize, usize)> {
    while let Some((start, end, kind)) = next(buf, at, limit) {
        if &kind == want {
            return Some((start, end));
        }
        at = end;
    }
    None
}
