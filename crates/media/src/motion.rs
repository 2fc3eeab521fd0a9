//! Motion Photos: a JPEG carrying a short MP4 after the picture, in the same file. Google's
//! format (Pixels, newer Samsungs and others) says so in the XMP; Samsung's older one only in
//! its own trailer at the end of the file (`SEFH` … `SEFT`), as an entry named
//! `MotionPhoto_Data`. The file is kept whole; this finds where the video starts (and ends) so
//! the viewer can play it.

use regex::Regex;
use std::io::{Read, Seek, SeekFrom};
use std::sync::OnceLock;

/// The XMP of a JPEG is at most one 64 KiB APP1 segment; this many segments before the picture
/// data is more than any camera writes.
const MAX_SEGMENTS: usize = 64;

fn patterns() -> &'static [Regex; 4] {
    static P: OnceLock<[Regex; 4]> = OnceLock::new();
    #[allow(clippy::unwrap_used)] // literal patterns
    P.get_or_init(|| {
        [
            // Camera:MotionPhoto="1" (current), MicroVideo="1" (older Pixels), attribute or
            // element form.
            Regex::new(r#"(?:MotionPhoto|MicroVideo)(?:="1"|>\s*1\s*<)"#).unwrap(),
            // Older: the video's start as bytes from the end of the file.
            Regex::new(r#"MicroVideoOffset(?:="|>\s*)(\d{1,12})"#).unwrap(),
            // Current: a Container:Directory whose MotionPhoto item gives the video's length.
            Regex::new(r#"(?s)Item:Semantic="MotionPhoto"[^>]*?Item:Length="(\d{1,12})""#).unwrap(),
            Regex::new(r#"(?s)Item:Length="(\d{1,12})"[^>]*?Item:Semantic="MotionPhoto""#).unwrap(),
        ]
    })
}

/// Where the MP4 embedded in a Motion Photo starts (bytes from the start of the file), or
/// `None` for a plain picture. The video must start with an MP4 `ftyp` box where the XMP says.
pub fn motion_photo_offset<R: Read + Seek>(r: &mut R) -> Option<u64> {
    let len = r.seek(SeekFrom::End(0)).ok()?;
    r.seek(SeekFrom::Start(0)).ok()?;
    let Some(xmp) = jpeg_xmp(r) else {
        return samsung_trailer_video(r, len);
    };
    let text = String::from_utf8_lossy(&xmp);
    let [flag, micro_offset, length_a, length_b] = patterns();
    if !flag.is_match(&text) {
        return samsung_trailer_video(r, len);
    }
    let from_end: u64 = if let Some(c) = micro_offset.captures(&text) {
        c[1].parse().ok()?
    } else {
        let c = length_a
            .captures(&text)
            .or_else(|| length_b.captures(&text))?;
        c[1].parse().ok()?
    };
    if from_end < 8 || from_end >= len {
        return None;
    }
    let start = len - from_end;
    let mut boxhead = [0u8; 8];
    r.seek(SeekFrom::Start(start)).ok()?;
    r.read_exact(&mut boxhead).ok()?;
    (&boxhead[4..8] == b"ftyp").then_some(start)
}

/// The XMP packets of a JPEG (its APP1 segments named by Adobe's namespace), read segment by
/// segment up to the picture data: a few small reads, not the file. `None` when the file is
/// no JPEG or has no XMP.
fn jpeg_xmp<R: Read + Seek>(r: &mut R) -> Option<Vec<u8>> {
    const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
    let mut soi = [0u8; 2];
    r.read_exact(&mut soi).ok()?;
    if soi != [0xFF, 0xD8] {
        return None;
    }
    let mut out = Vec::new();
    for _ in 0..MAX_SEGMENTS {
        let mut head = [0u8; 4];
        r.read_exact(&mut head).ok()?;
        if head[0] != 0xFF {
            break;
        }
        // Fill bytes before a marker.
        while head[1] == 0xFF {
            head.copy_within(1.., 0);
            r.read_exact(&mut head[3..]).ok()?;
        }
        let marker = head[1];
        // Start of scan or end of image: no metadata after this.
        if marker == 0xDA || marker == 0xD9 {
            break;
        }
        let size = u16::from_be_bytes([head[2], head[3]]) as usize;
        if size < 2 {
            break;
        }
        let body = size - 2;
        if marker == 0xE1 && body > XMP.len() {
            let mut seg = vec![0u8; body];
            r.read_exact(&mut seg).ok()?;
            if seg.starts_with(XMP) {
                out.extend_from_slice(&seg[XMP.len()..]);
            }
        } else {
            r.seek(SeekFrom::Current(body as i64)).ok()?;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Samsung's trailer: the file ends with `SEFH` (version, entry count, entries of marker,
/// offset back from `SEFH`, length), the directory's length and `SEFT`; each entry's data starts
/// with two zero bytes, its marker, the length of its name and the name. The video is the entry
/// named `MotionPhoto_Data`; it must start with an MP4 `ftyp` box.
fn samsung_trailer_video<R: Read + Seek>(r: &mut R, len: u64) -> Option<u64> {
    /// More entries than a phone writes means this is not a trailer.
    const MAX_ENTRIES: u32 = 256;
    const NAME: &[u8] = b"MotionPhoto_Data";
    if len < 8 + 12 {
        return None;
    }
    let mut tail = [0u8; 8];
    r.seek(SeekFrom::Start(len - 8)).ok()?;
    r.read_exact(&mut tail).ok()?;
    if &tail[4..] != b"SEFT" {
        return None;
    }
    let dir_len = u32::from_le_bytes(tail[..4].try_into().ok()?) as u64;
    let sefh = (len - 8).checked_sub(dir_len)?;
    let mut head = [0u8; 12];
    r.seek(SeekFrom::Start(sefh)).ok()?;
    r.read_exact(&mut head).ok()?;
    let count = u32::from_le_bytes(head[8..12].try_into().ok()?);
    if &head[..4] != b"SEFH" || count > MAX_ENTRIES || 12 + count as u64 * 12 > dir_len {
        return None;
    }
    let mut entries = vec![0u8; count as usize * 12];
    r.read_exact(&mut entries).ok()?;
    for e in entries.chunks_exact(12) {
        let back = u32::from_le_bytes(e[4..8].try_into().ok()?) as u64;
        let size = u32::from_le_bytes(e[8..12].try_into().ok()?) as u64;
        let Some(start) = sefh.checked_sub(back) else {
            continue;
        };
        if size < 8 + NAME.len() as u64 + 8 || start + size > sefh {
            continue;
        }
        let mut field = [0u8; 8 + NAME.len() + 8];
        r.seek(SeekFrom::Start(start)).ok()?;
        r.read_exact(&mut field).ok()?;
        let name_len = u32::from_le_bytes(field[4..8].try_into().ok()?) as usize;
        if field[..2] != [0, 0] || name_len != NAME.len() || &field[8..8 + NAME.len()] != NAME {
            continue;
        }
        if &field[8 + NAME.len() + 4..] == b"ftyp" {
            return Some(start + 8 + NAME.len() as u64);
        }
    }
    None
}

/// How long the MP4 starting at `start` is: its top-level boxes walked until the file ends or
/// something that is no box follows (Samsung's trailer goes on after the video).
pub fn motion_length<R: Read + Seek>(r: &mut R, start: u64) -> std::io::Result<u64> {
    let len = r.seek(SeekFrom::End(0))?;
    let mut at = start;
    while at + 8 <= len {
        let mut head = [0u8; 16];
        r.seek(SeekFrom::Start(at))?;
        r.read_exact(&mut head[..8])?;
        let kind = &head[4..8];
        if !kind.iter().all(|b| b.is_ascii_alphanumeric() || *b == b' ') {
            break;
        }
        let size = match u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as u64 {
            // To the end of the file.
            0 => len - at,
            // A 64-bit size follows the type.
            1 if at + 16 <= len => {
                r.read_exact(&mut head[8..16])?;
                u64::from_be_bytes([
                    head[8], head[9], head[10], head[11], head[12], head[13], head[14], head[15],
                ])
            }
            n => n,
        };
        if size < 8 || size > len - at {
            break;
        }
        at += size;
    }
    Ok(at - start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn motion_photo(xmp: &str, video: &[u8]) -> Vec<u8> {
        let mut payload = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
        payload.extend_from_slice(xmp.as_bytes());
        let mut f = vec![0xFF, 0xD8, 0xFF, 0xE1];
        f.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        f.extend_from_slice(&payload);
        f.extend_from_slice(&[0xFF, 0xD9]);
        f.extend_from_slice(video);
        f
    }

    #[test]
    fn the_embedded_video_is_found_where_the_xmp_says() {
        let video = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isomsome video bytes";
        let n = video.len();
        let current = format!(
            r#"<rdf:Description GCamera:MotionPhoto="1"><Container:Directory><rdf:Seq>
<rdf:li><Container:Item Item:Mime="image/jpeg" Item:Semantic="Primary" Item:Length="0"/></rdf:li>
<rdf:li><Container:Item Item:Mime="video/mp4" Item:Semantic="MotionPhoto" Item:Length="{n}"/></rdf:li>
</rdf:Seq></Container:Directory></rdf:Description>"#
        );
        let f = motion_photo(&current, video);
        assert_eq!(
            motion_photo_offset(&mut Cursor::new(&f)),
            Some((f.len() - n) as u64)
        );
        let older = format!(r#"GCamera:MicroVideo="1" GCamera:MicroVideoOffset="{n}""#);
        let f = motion_photo(&older, video);
        assert_eq!(
            motion_photo_offset(&mut Cursor::new(&f)),
            Some((f.len() - n) as u64)
        );
        // Lies are not followed: a length past the start, no ftyp where it points, no flag.
        let f = motion_photo(&older.replace(&n.to_string(), "99999"), video);
        assert_eq!(motion_photo_offset(&mut Cursor::new(&f)), None);
        let f = motion_photo(&older.replace(&n.to_string(), &(n - 3).to_string()), video);
        assert_eq!(motion_photo_offset(&mut Cursor::new(&f)), None);
        let f = motion_photo(&format!(r#"GCamera:MicroVideoOffset="{n}""#), video);
        assert_eq!(motion_photo_offset(&mut Cursor::new(&f)), None);
        assert_eq!(motion_photo_offset(&mut Cursor::new(b"not a jpeg")), None);
    }

    /// Samsung's older trailer: found from the end of the file, the video's length by its
    /// boxes (the trailer's directory after it is not played).
    #[test]
    fn samsungs_trailer_gives_the_video() {
        let video = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom\0\0\0\x10mdatframes!!";
        let mut f = vec![0xFF, 0xD8, 0xFF, 0xD9];
        // Another entry first (Samsung writes several), then the video's.
        let other_at = f.len();
        f.extend_from_slice(&[0, 0, 0x01, 0x0A]);
        f.extend_from_slice(&(14u32).to_le_bytes());
        f.extend_from_slice(b"Image_UTC_Data1234567890");
        let other_len = f.len() - other_at;
        let video_at = f.len();
        f.extend_from_slice(&[0, 0, 0x30, 0x0A]);
        f.extend_from_slice(&(16u32).to_le_bytes());
        f.extend_from_slice(b"MotionPhoto_Data");
        f.extend_from_slice(video);
        let video_len = f.len() - video_at;
        let sefh = f.len();
        f.extend_from_slice(b"SEFH");
        f.extend_from_slice(&106u32.to_le_bytes());
        f.extend_from_slice(&2u32.to_le_bytes());
        for (at, n, marker) in [
            (other_at, other_len, 0x0A01u16),
            (video_at, video_len, 0x0A30),
        ] {
            f.extend_from_slice(&[0, 0]);
            f.extend_from_slice(&marker.to_le_bytes());
            f.extend_from_slice(&((sefh - at) as u32).to_le_bytes());
            f.extend_from_slice(&(n as u32).to_le_bytes());
        }
        f.extend_from_slice(&((f.len() - sefh) as u32).to_le_bytes());
        f.extend_from_slice(b"SEFT");
        let start = motion_photo_offset(&mut Cursor::new(&f)).expect("the video");
        assert_eq!(start as usize, video_at + 24);
        assert_eq!(&f[start as usize..start as usize + video.len()], video);
        assert_eq!(
            motion_length(&mut Cursor::new(&f), start).unwrap(),
            video.len() as u64,
            "the trailer's directory is not part of the video"
        );
        // Lies are not followed: a directory longer than the file, an offset before it, no ftyp.
        let mut bad = f.clone();
        let n = bad.len();
        bad[n - 8..n - 4].copy_from_slice(&(n as u32 * 2).to_le_bytes());
        assert_eq!(motion_photo_offset(&mut Cursor::new(&bad)), None);
        let mut bad = f.clone();
        let e = sefh + 12 + 12 + 4;
        bad[e..e + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(motion_photo_offset(&mut Cursor::new(&bad)), None);
        let mut bad = f.clone();
        bad[start as usize + 4] = b'x';
        assert_eq!(motion_photo_offset(&mut Cursor::new(&bad)), None);
        // A video at the very end (Google's format) runs to the end of the file.
        assert_eq!(
            motion_length(&mut Cursor::new(video.to_vec()), 0).unwrap(),
            video.len() as u64
        );
    }
}
