//! RAW files made here: TIFF-based (NEF and friends) with a preview and EXIF.

use super::*;

/// How a hand-made TIFF stores its pixels.
#[derive(Debug, Clone, Copy)]
pub struct TiffLayout {
    pub width: u32,
    pub height: u32,
    /// Samples per pixel (1 grey, 3 RGB, 4 RGBA).
    pub samples: u16,
    pub bits: u16,
    /// 1 chunky (RGBRGB…), 2 planar (RRR…GGG…BBB…).
    pub planar: u16,
    /// Tiles of this size, or strips of `rows_per_strip` when `None`.
    pub tile: Option<(u32, u32)>,
    pub rows_per_strip: u32,
    /// 1 none; others are written as declared over the same raw bytes (a malformed file).
    pub compression: u16,
}

impl TiffLayout {
    pub fn rgb(width: u32, height: u32) -> Self {
        TiffLayout {
            width,
            height,
            samples: 3,
            bits: 8,
            planar: 1,
            tile: None,
            rows_per_strip: height,
            compression: 1,
        }
    }
}

/// A little-endian baseline TIFF with the given layout and pseudo-random pixels: tiled or
/// striped, chunky or planar, any sample count and depth. Used to feed odd layouts to the
/// decoders (some of which have panicked on them).
pub fn tiff_with(l: TiffLayout, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (cw, ch) = l.tile.unwrap_or((l.width, l.rows_per_strip.max(1)));
    let across = l.width.div_ceil(cw);
    let down = l.height.div_ceil(ch);
    let planes = if l.planar == 2 { l.samples as u32 } else { 1 };
    let per_pixel_bits = if l.planar == 2 {
        l.bits as u32
    } else {
        l.bits as u32 * l.samples as u32
    };
    let row_bytes = (cw * per_pixel_bits).div_ceil(8);
    let chunk_bytes = row_bytes * ch;
    let chunks = if l.tile.is_some() {
        across * down * planes
    } else {
        down * planes
    };
    let mut data = Vec::new();
    let mut offsets = Vec::new();
    let data_start = 8u32;
    for _ in 0..chunks {
        offsets.push(data_start + data.len() as u32);
        data.extend((0..chunk_bytes).map(|_| rng.u8(..)));
    }
    let mut out = b"II*\0".to_vec();
    let ifd_at = data_start + data.len() as u32;
    let ifd_at = ifd_at + (ifd_at & 1);
    out.extend_from_slice(&ifd_at.to_le_bytes());
    out.extend_from_slice(&data);
    if out.len() % 2 == 1 {
        out.push(0);
    }
    // Entries: (tag, type, values). Arrays longer than 4 bytes go after the IFD.
    let mut entries: Vec<(u16, u16, Vec<u32>)> = vec![
        (256, 4, vec![l.width]),
        (257, 4, vec![l.height]),
        (258, 3, vec![l.bits as u32; l.samples as usize]),
        (259, 3, vec![l.compression as u32]),
        (262, 3, vec![if l.samples >= 3 { 2 } else { 1 }]),
        (277, 3, vec![l.samples as u32]),
        (284, 3, vec![l.planar as u32]),
    ];
    if l.samples == 4 {
        entries.push((338, 3, vec![2]));
    }
    let counts = vec![chunk_bytes; chunks as usize];
    match l.tile {
        Some((tw, th)) => {
            entries.push((322, 4, vec![tw]));
            entries.push((323, 4, vec![th]));
            entries.push((324, 4, offsets));
            entries.push((325, 4, counts));
        }
        None => {
            entries.push((273, 4, offsets));
            entries.push((278, 4, vec![ch]));
            entries.push((279, 4, counts));
        }
    }
    entries.sort_by_key(|e| e.0);
    let ifd_len = 2 + entries.len() as u32 * 12 + 4;
    let mut extra: Vec<u8> = Vec::new();
    let mut ifd = Vec::new();
    ifd.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, ty, vals) in &entries {
        let size = if *ty == 3 { 2 } else { 4 };
        let mut bytes = Vec::new();
        for v in vals {
            if *ty == 3 {
                bytes.extend_from_slice(&(*v as u16).to_le_bytes());
            } else {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
        }
        ifd.extend_from_slice(&tag.to_le_bytes());
        ifd.extend_from_slice(&ty.to_le_bytes());
        ifd.extend_from_slice(&(vals.len() as u32).to_le_bytes());
        if vals.len() * size <= 4 {
            bytes.resize(4, 0);
            ifd.extend_from_slice(&bytes);
        } else {
            let at = ifd_at + ifd_len + extra.len() as u32;
            ifd.extend_from_slice(&at.to_le_bytes());
            extra.extend_from_slice(&bytes);
        }
    }
    ifd.extend_from_slice(&0u32.to_le_bytes());
    out.truncate(ifd_at as usize);
    out.resize(ifd_at as usize, 0);
    out.extend_from_slice(&ifd);
    out.extend_from_slice(&extra);
    out
}

/// A camera RAW laid out as a Nikon NEF or a DNG is (no tool here writes a real one): a TIFF
/// with the EXIF of `taken` by a Nikon Z 6, a small thumbnail and a 600×400 preview JPEG, and
/// filler standing for the sensor data. `seed` makes each one different.
pub fn nef(taken: &str, seed: u64) -> Vec<u8> {
    let exif = Jpeg::new(8, 8)
        .taken(taken, Some("+01:00"))
        .camera("NIKON CORPORATION", "NIKON Z 6", "24-70mm f/4")
        .exif_block()
        .expect("an EXIF block");
    let mut raw = exif[6..].to_vec();
    raw.extend(Jpeg::new(160, 120).seed(1).bytes());
    raw.extend(vec![0x55u8 ^ seed as u8; 4096]);
    raw.extend(
        Jpeg::new(600, 400)
            .pixels(smooth_pixels(600, 400, 3 + seed))
            .bytes(),
    );
    raw
}
