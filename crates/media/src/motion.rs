//! Motion Photos (Google Pixel, Samsung and others that follow Google's format): a JPEG whose
//! XMP says it carries a short MP4 after the picture, in the same file. The file is kept whole;
//! this finds where the video starts so the viewer can play it.

use regex::Regex;
use std::io::{Read, Seek, SeekFrom};
use std::sync::OnceLock;

/// How much of the file's start is searched for the XMP that describes the video.
const HEAD: u64 = 256 << 10;

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
    let mut head = Vec::new();
    r.by_ref().take(HEAD.min(len)).read_to_end(&mut head).ok()?;
    if !head.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let text = String::from_utf8_lossy(&head);
    let [flag, micro_offset, length_a, length_b] = patterns();
    if !flag.is_match(&text) {
        return None;
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
}
