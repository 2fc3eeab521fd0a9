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

/// The name of the HEIF decoder's program (crate `shoebox-heif`).
const DECODER: &str = "shoebox-heif";

/// Longest one HEIF decode may take; a file that makes libheif hang is killed and refused.
const DECODE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Where `shoebox-heif` is: `SHOEBOX_HEIF`, else beside the running program (as installed, and
/// one folder up for cargo's test binaries in `target/*/deps`), else on PATH; `None` if none of
/// these runs. Looked for once.
///
/// HEIF decoding runs in that program of its own, not in this one: libheif and its codec
/// libraries cost every start of `shoebox` about 3 ms when linked in, and a codec that crashes
/// on a hostile file then ends that one process, reported as [`Error::Crashed`].
pub fn decoder_path() -> Option<&'static std::path::Path> {
    use std::path::PathBuf;
    use std::sync::OnceLock;
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let name = format!("{DECODER}{}", std::env::consts::EXE_SUFFIX);
            let mut candidates: Vec<PathBuf> = Vec::new();
            if let Some(p) = std::env::var_os("SHOEBOX_HEIF") {
                candidates.push(p.into());
            }
            if let Ok(exe) = std::env::current_exe() {
                candidates.extend(exe.ancestors().skip(1).take(2).map(|d| d.join(&name)));
            }
            if let Some(path) = std::env::var_os("PATH") {
                candidates.extend(std::env::split_paths(&path).map(|d| d.join(&name)));
            }
            candidates.into_iter().find(|c| {
                c.is_file()
                    && crate::tools::run_with_timeout(
                        crate::tools::quiet_command(c).arg("--version"),
                        std::time::Duration::from_secs(10),
                    )
                    .is_ok_and(|o| o.status.success())
            })
        })
        .as_deref()
}

/// Decodes a HEIF/HEIC picture, turned and mirrored as the file says, through `shoebox-heif`,
/// shrunk there to fit `largest` (the biggest thumbnail asked for): the pipe then carries a
/// 1440 px picture, 4.5 MB, instead of a 12 MP one, 36 MB.
pub(crate) fn decode(bytes: &[u8], limits: crate::Limits, largest: u32) -> Result<image::RgbImage> {
    let Some(program) = decoder_path() else {
        return Err(Error::Unsupported(
            "HEIC (shoebox-heif, its decoder, is not beside shoebox or does not run here)",
        ));
    };
    let start = std::time::Instant::now();
    let out = crate::tools::run_fed(
        crate::tools::quiet_command(program)
            .arg("--max-pixels")
            .arg(limits.max_pixels.to_string())
            .arg("--fit")
            .arg(largest.to_string()),
        &mut &bytes[..],
        DECODE_TIMEOUT,
    )
    .map_err(|e| Error::Crashed {
        what: "decoding",
        detail: format!("{DECODER}: {e}"),
    })?;
    answer(out, start.elapsed() >= DECODE_TIMEOUT, limits, largest)
}

/// What `shoebox-heif`'s run `out` means; `timed_out` when it ran until it was stopped.
fn answer(
    out: std::process::Output,
    timed_out: bool,
    limits: crate::Limits,
    largest: u32,
) -> Result<image::RgbImage> {
    let said = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    match out.status.code() {
        Some(0) => pixels(out.stdout, limits, largest),
        Some(3) => {
            let mut n = said.split(' ').map(|v| v.parse::<u64>().unwrap_or(0));
            let (width, height) = (n.next().unwrap_or(0), n.next().unwrap_or(0));
            Err(Error::TooLarge {
                width,
                height,
                megapixels: width * height / 1_000_000,
                limit: limits.max_pixels / 1_000_000,
            })
        }
        Some(2) => Err(Error::corrupt("HEIF", said)),
        code => Err(Error::Crashed {
            what: "decoding",
            detail: match code {
                Some(c) => format!("{DECODER} ended with status {c}: {said}"),
                None if timed_out => {
                    format!("{DECODER} was stopped after {} s", DECODE_TIMEOUT.as_secs())
                }
                None => format!("{DECODER} was killed by a signal ({})", out.status),
            },
        }),
    }
}

/// Reads `shoebox-heif`'s answer: `SBH1`, width and height (u32 LE), then RGB rows.
fn pixels(mut out: Vec<u8>, limits: crate::Limits, largest: u32) -> Result<image::RgbImage> {
    let short = || Error::corrupt("HEIF", "the decoder's answer was cut short");
    if out.len() < 12 || &out[..4] != b"SBH1" {
        return Err(short());
    }
    let word = |at: usize| u32::from_le_bytes([out[at], out[at + 1], out[at + 2], out[at + 3]]);
    let (w, h) = (word(4), word(8));
    if u64::from(w) * u64::from(h) > limits.max_pixels || w.max(h) > largest {
        return Err(Error::corrupt(
            "HEIF",
            "the decoder answered above the limit",
        ));
    }
    if out.len() - 12 != w as usize * h as usize * 3 {
        return Err(short());
    }
    out.drain(..12);
    image::RgbImage::from_raw(w, h, out).ok_or_else(short)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn a_decoder_that_hangs_is_stopped_and_said_so() {
        let t = Instant::now();
        let out = crate::tools::run_fed(
            std::process::Command::new("sleep").arg("30"),
            &mut &b"ftyp"[..],
            Duration::from_secs(1),
        )
        .unwrap();
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
        assert!(out.status.code().is_none(), "killed: {:?}", out.status);
        let e = answer(out, true, crate::Limits::default(), 1440).unwrap_err();
        assert!(e.to_string().contains("stopped after 120 s"), "{e}");
    }
}
