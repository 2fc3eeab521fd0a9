//! Camera RAW files (DNG, CR2, CR3, NEF, ARW, ORF, RW2, RAF): imported byte-identical, their
//! EXIF read, and their thumbnails made from the JPEG preview every camera embeds (no
//! demosaicing).
//!
//! The preview is found by looking for JPEG start markers in the file and keeping the largest
//! picture that is a baseline or progressive JPEG (the lossless-JPEG raw data of DNG and CR2 is
//! not a picture and is skipped). This works the same for the TIFF-based formats, Fuji's RAF and
//! Canon's ISO-BMFF CR3 without a parser per format.

use crate::{Error, Result};
use std::io::Cursor;

/// Most JPEG start markers looked at in one file.
const CANDIDATES_MAX: usize = 64;

/// An embedded JPEG: where it starts and its size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preview {
    pub offset: usize,
    pub width: u32,
    pub height: u32,
}

/// The largest embedded JPEG picture of a RAW file.
pub fn largest_preview(bytes: &[u8]) -> Option<Preview> {
    let mut best: Option<Preview> = None;
    let mut seen = 0;
    let mut i = 0;
    while let Some(pos) = find(&bytes[i..], &[0xFF, 0xD8, 0xFF]) {
        let at = i + pos;
        i = at + 3;
        seen += 1;
        if seen > CANDIDATES_MAX {
            break;
        }
        let mut d = jpeg_decoder::Decoder::new(Cursor::new(&bytes[at..]));
        if d.read_info().is_err() {
            continue;
        }
        let Some(info) = d.info() else { continue };
        if info.coding_process == jpeg_decoder::CodingProcess::Lossless
            || info.width < 16
            || info.height < 16
        {
            continue;
        }
        let p = Preview {
            offset: at,
            width: info.width as u32,
            height: info.height as u32,
        };
        if best
            .is_none_or(|b| (p.width as u64 * p.height as u64) > (b.width as u64 * b.height as u64))
        {
            best = Some(p);
        }
    }
    best
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The bytes of the largest preview (from its start to the end of the file: the decoder stops
/// at its end marker).
pub fn preview_bytes(bytes: &[u8]) -> Result<&[u8]> {
    largest_preview(bytes)
        .map(|p| &bytes[p.offset..])
        .ok_or_else(|| Error::corrupt("RAW", "no embedded JPEG preview"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u16, h: u16) -> Vec<u8> {
        let mut out = Vec::new();
        let enc = jpeg_encoder::Encoder::new(&mut out, 80);
        enc.encode(
            &vec![128u8; w as usize * h as usize * 3],
            w,
            h,
            jpeg_encoder::ColorType::Rgb,
        )
        .unwrap();
        out
    }

    #[test]
    fn the_largest_embedded_jpeg_is_the_preview() {
        let mut raw = b"II*\0\x08\0\0\0 some raw header".to_vec();
        raw.extend(jpeg(160, 120));
        raw.extend([0u8; 100]);
        let at = raw.len();
        raw.extend(jpeg(640, 480));
        raw.extend([1u8; 100]);
        // Marker bytes that are not a JPEG.
        raw.extend([0xFF, 0xD8, 0xFF, 0x00, 0x00]);
        let p = largest_preview(&raw).unwrap();
        assert_eq!((p.offset, p.width, p.height), (at, 640, 480));
        assert!(largest_preview(b"no pictures here").is_none());
    }
}
