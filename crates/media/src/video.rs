//! Just enough of ISO BMFF (MP4, MOV, M4V, 3GP) to read a video's creation time, size and length;
//! other containers (WebM, MKV, AVI, MTS) through ffprobe.

use crate::{Error, Result};
use chrono::{DateTime, NaiveDateTime};
use std::io::{Read, Seek, SeekFrom};

/// What the container says.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct VideoInfo {
    /// UTC creation time from `mvhd`, when set.
    pub created_utc: Option<NaiveDateTime>,
    /// A local time with offset from QuickTime's `©day`, when present.
    pub created_local: Option<DateTime<chrono::FixedOffset>>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<u64>,
}

const MAX_BOXES: usize = 10_000;
const MAC_EPOCH_TO_UNIX: i64 = 2_082_844_800;

struct BoxHeader {
    kind: [u8; 4],
    /// Offset of the payload.
    start: u64,
    /// Offset just past the box.
    end: u64,
}

fn read_header<R: Read + Seek>(r: &mut R, at: u64, limit: u64) -> Result<Option<BoxHeader>> {
    if at + 8 > limit {
        return Ok(None);
    }
    r.seek(SeekFrom::Start(at)).map_err(bad)?;
    let mut h = [0u8; 8];
    r.read_exact(&mut h).map_err(bad)?;
    let size32 = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) as u64;
    let kind = [h[4], h[5], h[6], h[7]];
    let (start, end) = match size32 {
        0 => (at + 8, limit),
        1 => {
            let mut l = [0u8; 8];
            r.read_exact(&mut l).map_err(bad)?;
            (at + 16, at.saturating_add(u64::from_be_bytes(l)))
        }
        n => (at + 8, at.saturating_add(n)),
    };
    if end < start || end > limit {
        return Err(Error::corrupt(
            "MP4/MOV",
            "a box runs past the end of the file",
        ));
    }
    Ok(Some(BoxHeader { kind, start, end }))
}

fn bad(e: std::io::Error) -> Error {
    Error::corrupt("MP4/MOV", e)
}

fn children<R: Read + Seek>(
    r: &mut R,
    start: u64,
    end: u64,
    count: &mut usize,
) -> Result<Vec<BoxHeader>> {
    let mut out = Vec::new();
    let mut at = start;
    while let Some(h) = read_header(r, at, end)? {
        *count += 1;
        if *count > MAX_BOXES {
            return Err(Error::corrupt("MP4/MOV", "too many boxes"));
        }
        at = h.end;
        out.push(h);
    }
    Ok(out)
}

fn read_at<R: Read + Seek>(r: &mut R, at: u64, len: usize) -> Result<Vec<u8>> {
    r.seek(SeekFrom::Start(at)).map_err(bad)?;
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf).map_err(bad)?;
    Ok(buf)
}

fn be32(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}
fn be64(b: &[u8], i: usize) -> u64 {
    u64::from_be_bytes([
        b[i],
        b[i + 1],
        b[i + 2],
        b[i + 3],
        b[i + 4],
        b[i + 5],
        b[i + 6],
        b[i + 7],
    ])
}

/// Reads the `moov` box wherever it is (start or end of the file).
pub fn read_video_info<R: Read + Seek>(r: &mut R) -> Result<VideoInfo> {
    let len = r.seek(SeekFrom::End(0)).map_err(bad)?;
    let mut count = 0;
    let top = children(r, 0, len, &mut count)?;
    match top.first() {
        Some(b)
            if matches!(
                &b.kind,
                b"ftyp" | b"moov" | b"mdat" | b"wide" | b"free" | b"skip"
            ) => {}
        _ => {
            return Err(Error::corrupt(
                "MP4/MOV",
                "no ftyp or moov box at the start",
            ));
        }
    }
    let moov = top
        .iter()
        .find(|b| &b.kind == b"moov")
        .ok_or_else(|| Error::corrupt("MP4/MOV", "no moov box (the file may be cut short)"))?;
    let mut info = VideoInfo::default();
    for b in children(r, moov.start, moov.end, &mut count)? {
        match &b.kind {
            b"mvhd" => {
                let n = (b.end - b.start).min(32) as usize;
                let d = read_at(r, b.start, n)?;
                let (created, timescale, duration) = match d.first() {
                    Some(1) if d.len() >= 32 => (be64(&d, 4), be32(&d, 20) as u64, be64(&d, 24)),
                    Some(0) if d.len() >= 20 => {
                        (be32(&d, 4) as u64, be32(&d, 12) as u64, be32(&d, 16) as u64)
                    }
                    _ => return Err(Error::corrupt("MP4/MOV", "short mvhd box")),
                };
                if created > 0 {
                    info.created_utc =
                        DateTime::from_timestamp(created as i64 - MAC_EPOCH_TO_UNIX, 0)
                            .map(|t| t.naive_utc())
                            .filter(|t| t.and_utc().timestamp() > 0);
                }
                info.duration_ms = duration.saturating_mul(1000).checked_div(timescale);
            }
            b"trak" => {
                for t in children(r, b.start, b.end, &mut count)? {
                    if &t.kind == b"tkhd" {
                        let n = (t.end - t.start).min(96) as usize;
                        let d = read_at(r, t.start, n)?;
                        // The matrix starts at 40 (version 0) or 52 (version 1); width and
                        // height (16.16 fixed point) follow it.
                        let m = if d.first() == Some(&1) { 52 } else { 40 };
                        if d.len() >= m + 44 {
                            let a = be32(&d, m) as i32;
                            let bb = be32(&d, m + 4) as i32;
                            let w = be32(&d, m + 36) >> 16;
                            let h = be32(&d, m + 40) >> 16;
                            if w > 0 && h > 0 && info.width.is_none() {
                                let rotated = a == 0 && bb != 0;
                                let (w, h) = if rotated { (h, w) } else { (w, h) };
                                info.width = Some(w);
                                info.height = Some(h);
                            }
                        }
                    }
                }
            }
            b"udta" => {
                for u in children(r, b.start, b.end, &mut count)? {
                    if &u.kind == b"\xa9day" && u.end - u.start > 4 && u.end - u.start < 256 {
                        let d = read_at(r, u.start, (u.end - u.start) as usize)?;
                        let s = String::from_utf8_lossy(&d[4..]);
                        info.created_local =
                            parse_quicktime_date(s.trim_matches(char::from(0)).trim());
                    }
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

fn parse_quicktime_date(s: &str) -> Option<DateTime<chrono::FixedOffset>> {
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z"))
        .ok()
}

/// A WebM, MKV, AVI or MTS file's creation time (`creation_time`, or a `date` tag), size and
/// length, from ffprobe reading the bytes on its stdin. Without ffprobe, or when it cannot
/// make sense of the file, nothing is known (the video imports with the file's date and a
/// poster frame if ffmpeg can make one).
pub fn probe_other_video<R: Read>(r: &mut R) -> Result<VideoInfo> {
    let Some(ffprobe) = crate::tools::ffprobe_path() else {
        return Ok(VideoInfo::default());
    };
    let mut cmd = crate::tools::quiet_command(&ffprobe);
    cmd.args([
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_entries",
        "format=duration:format_tags=creation_time,date:stream=width,height",
        "-i",
        "pipe:0",
    ]);
    let out = match crate::tools::run_fed(&mut cmd, r, std::time::Duration::from_secs(60)) {
        Ok(o) if o.status.success() => o,
        _ => return Ok(VideoInfo::default()),
    };
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let mut info = VideoInfo::default();
    if let Some(s) = v["streams"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["width"].as_u64().is_some()))
    {
        info.width = s["width"].as_u64().map(|w| w as u32);
        info.height = s["height"].as_u64().map(|h| h as u32);
    }
    info.duration_ms = v["format"]["duration"]
        .as_str()
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| *d > 0.0)
        .map(|d| (d * 1000.0) as u64);
    let tags = &v["format"]["tags"];
    info.created_utc = tags["creation_time"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.naive_utc())
        .or_else(|| {
            let d = tags["date"].as_str()?;
            chrono::NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(12, 0, 0))
        })
        .filter(|t| t.and_utc().timestamp() > 0);
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn bx(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn reads_mvhd_and_tkhd_with_moov_at_the_end() {
        let mut mvhd = vec![0u8; 100];
        let created = (1_688_214_896i64 + MAC_EPOCH_TO_UNIX) as u32; // 2023-07-01T12:34:56Z
        mvhd[4..8].copy_from_slice(&created.to_be_bytes());
        mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
        mvhd[16..20].copy_from_slice(&5_500u32.to_be_bytes());
        let mut tkhd = vec![0u8; 84];
        tkhd[40..44].copy_from_slice(&0x0001_0000u32.to_be_bytes());
        tkhd[56..60].copy_from_slice(&0x0001_0000u32.to_be_bytes());
        tkhd[76..80].copy_from_slice(&(1920u32 << 16).to_be_bytes());
        tkhd[80..84].copy_from_slice(&(1080u32 << 16).to_be_bytes());
        let moov = bx(
            b"moov",
            &[bx(b"mvhd", &mvhd), bx(b"trak", &bx(b"tkhd", &tkhd))].concat(),
        );
        let file = [
            bx(b"ftyp", b"isom\0\0\0\0isom"),
            bx(b"mdat", &[0u8; 1000]),
            moov,
        ]
        .concat();
        let info = read_video_info(&mut Cursor::new(file)).unwrap();
        assert_eq!(info.created_utc.unwrap().to_string(), "2023-07-01 12:34:56");
        assert_eq!(info.duration_ms, Some(5_500));
        assert_eq!((info.width, info.height), (Some(1920), Some(1080)));
    }

    #[test]
    fn random_bytes_are_not_a_video() {
        let junk: Vec<u8> = (0..5000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert!(read_video_info(&mut Cursor::new(junk)).is_err());
        assert!(read_video_info(&mut Cursor::new(Vec::new())).is_err());
    }
}
