//! The `thumb:` and `original:` URI schemes: images reach the webview as files, never as base64
//! over IPC.
//!
//! - `thumb://localhost/<size>/<hash>` serves only files of the library's thumbnail cache, for
//!   the two configured sizes and a 64-hex-digit hash; nothing else can be named.
//! - `original://localhost/<hash>` serves the original of a catalogued asset, looked up by hash
//!   (opened by the viewer on demand); byte ranges are honoured so videos can seek.
//! - `original://localhost/<hash>/motion` serves the video embedded in a Motion Photo: the
//!   original's bytes from where the catalog says the video starts, as an MP4 of its own.

use shoebox_engine::Library;
use shoebox_layout::is_hash;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use tauri::http::{Request, Response, StatusCode, header};

/// Longest answer to an open-ended range request; the player asks for the rest.
const RANGE_CHUNK: u64 = 4 << 20;

/// Largest original sent whole to a request without a range; a bigger one gets its first part
/// (206), so no request holds more than this in memory.
const WHOLE_MAX: u64 = 64 << 20;

fn status(code: StatusCode, text: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(code)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(text.as_bytes().to_vec())
        .expect("static response")
}

/// The last path segments of a scheme URL (`thumb://localhost/320/ab…` on Linux and macOS,
/// `http://thumb.localhost/320/ab…` on Windows).
fn segments(req: &Request<Vec<u8>>) -> Vec<String> {
    req.uri()
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches(".jpg").to_owned())
        .collect()
}

/// Why a request names nothing: the status and a sentence for the body.
pub type Refusal = (StatusCode, &'static str);

pub fn refused((code, text): Refusal) -> Response<Vec<u8>> {
    status(code, text)
}

/// What a `thumb:` request names: the thumbnail file, or the answer when it names nothing.
/// Needs the library only for its settings; the file is read after the lock is released.
pub fn resolve_thumb(lib: &Library, req: &Request<Vec<u8>>) -> Result<PathBuf, Refusal> {
    let seg = segments(req);
    let [size, hash] = seg.as_slice() else {
        return Err((StatusCode::BAD_REQUEST, "expected /<size>/<hash>"));
    };
    let Ok(size) = size.parse::<u32>() else {
        return Err((StatusCode::BAD_REQUEST, "bad size"));
    };
    let s = lib.settings();
    let Ok(hash) = shoebox_layout::Hash::parse(hash) else {
        return Err((StatusCode::BAD_REQUEST, "not a thumbnail"));
    };
    if size != s.grid_size && size != s.preview_size {
        return Err((StatusCode::BAD_REQUEST, "not a thumbnail"));
    }
    lib.thumbnail(&hash, size)
        .ok_or((StatusCode::NOT_FOUND, "no thumbnail"))
}

pub fn serve_thumb(path: &Path) -> Response<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => Response::builder()
            .header(header::CONTENT_TYPE, "image/jpeg")
            // Thumbnails are named by content: they never change.
            .header(header::CACHE_CONTROL, "max-age=31536000, immutable")
            .body(bytes)
            .expect("response"),
        Err(e) => status(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// What an `original:` request names: the original's path, the MIME type of what is served and
/// where in the file it starts (0, or a Motion Photo's video), or the answer when it names
/// nothing.
pub type Served = (PathBuf, String, u64);

pub fn resolve_original(lib: &Library, req: &Request<Vec<u8>>) -> Result<Served, Refusal> {
    let seg = segments(req);
    let (hash, motion) = match seg.as_slice() {
        [hash] => (hash, false),
        [hash, m] if m == "motion" => (hash, true),
        _ => {
            return Err((
                StatusCode::BAD_REQUEST,
                "expected /<hash> or /<hash>/motion",
            ));
        }
    };
    if !is_hash(hash) {
        return Err((StatusCode::BAD_REQUEST, "not a hash"));
    }
    let a = lib
        .show(hash)
        .map_err(|_| (StatusCode::NOT_FOUND, "no such photo"))?;
    // Only a checked path is served: a catalog row that leads outside `originals/` names
    // nothing.
    let Ok(in_library) = lib.paths().resolve(&a.path) else {
        return Err((
            StatusCode::FORBIDDEN,
            "the catalog's path for this photo is unsafe",
        ));
    };
    // In the library, or fetched from a store into the cache.
    let file = match lib.local_original(&a) {
        Some(f) => f,
        None if a.device.is_some() => {
            return Err((
                StatusCode::NOT_FOUND,
                "the original is on the store and not on this computer yet (`shoebox fetch`)",
            ));
        }
        None => in_library,
    };
    match (motion, a.meta.motion_offset) {
        (false, _) => Ok((file, a.meta.mime, 0)),
        (true, Some(start)) => Ok((file, "video/mp4".into(), start)),
        (true, None) => Err((StatusCode::NOT_FOUND, "not a Motion Photo")),
    }
}

/// Serves an original (from byte `start`: a Motion Photo's video), honouring a byte range.
pub fn serve_original(
    path: &Path,
    mime: &str,
    start: u64,
    req: &Request<Vec<u8>>,
) -> Response<Vec<u8>> {
    let range = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok());
    match serve_file(path, start, mime, range) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => status(
            StatusCode::NOT_FOUND,
            "the original is missing from the library; `shoebox verify --repair` restores it from a backup",
        ),
        Err(e) => status(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// Parses `bytes=a-b`, `bytes=a-` and `bytes=-n` against a length.
fn parse_range(h: &str, len: u64) -> Option<(u64, u64)> {
    let spec = h.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || len == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: u64 = n.parse().ok()?;
            (len.saturating_sub(n), len - 1)
        }
        (a, "") => {
            let a: u64 = a.parse().ok()?;
            (a, (a + RANGE_CHUNK - 1).min(len - 1))
        }
        (a, b) => {
            let a: u64 = a.parse().ok()?;
            // A long explicit range is answered in part too (206 says which part).
            (
                a,
                b.parse::<u64>()
                    .ok()?
                    .min(len - 1)
                    .min(a.saturating_add(RANGE_CHUNK - 1)),
            )
        }
    };
    (start <= end && start < len).then_some((start, end))
}

/// Serves the bytes of `path` from `base` on as a file of their own.
fn serve_file(
    path: &Path,
    base: u64,
    mime: &str,
    range: Option<&str>,
) -> std::io::Result<Response<Vec<u8>>> {
    let mut f = File::open(path)?;
    // A Motion Photo's video: only its own boxes (Samsung's trailer follows them).
    let len = if base == 0 {
        f.metadata()?.len()
    } else {
        shoebox_engine::motion_length(&mut f, base)?
    };
    let builder = Response::builder()
        .header(header::CONTENT_TYPE, mime)
        .header(header::ACCEPT_RANGES, "bytes");
    let range = range.map(str::to_owned).or_else(|| {
        // Too big to send whole: the first part, as a player or viewer asks for the rest.
        (len > WHOLE_MAX).then(|| "bytes=0-".to_owned())
    });
    let resp = match range.as_deref() {
        Some(r) => match parse_range(r, len) {
            Some((start, end)) => {
                f.seek(SeekFrom::Start(base + start))?;
                let mut buf = vec![0; (end - start + 1) as usize];
                f.read_exact(&mut buf)?;
                builder
                    .status(StatusCode::PARTIAL_CONTENT)
                    .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"))
                    .body(buf)
            }
            None => Response::builder()
                .status(StatusCode::RANGE_NOT_SATISFIABLE)
                .header(header::CONTENT_RANGE, format!("bytes */{len}"))
                .body(Vec::new()),
        },
        None => {
            let mut buf = vec![0; len as usize];
            f.seek(SeekFrom::Start(base))?;
            f.read_exact(&mut buf)?;
            builder.body(buf)
        }
    };
    Ok(resp.expect("response"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some((0, 99)));
        assert_eq!(parse_range("bytes=900-", 1000), Some((900, 999)));
        assert_eq!(parse_range("bytes=-100", 1000), Some((900, 999)));
        assert_eq!(parse_range("bytes=0-5000", 1000), Some((0, 999)));
        assert_eq!(
            parse_range("bytes=0-", 100 << 20),
            Some((0, RANGE_CHUNK - 1))
        );
        assert_eq!(parse_range("bytes=1000-", 1000), None);
        assert_eq!(parse_range("bytes=5-1", 1000), None);
        assert_eq!(parse_range("bytes=0-1,5-6", 1000), None);
        // A client cannot make us read gigabytes into memory.
        assert_eq!(
            parse_range("bytes=0-4000000000", 5 << 30),
            Some((0, RANGE_CHUNK - 1))
        );
        assert_eq!(parse_range("items=0-1", 1000), None);
    }

    #[test]
    fn only_hashes_name_files() {
        assert!(is_hash(&"a".repeat(64)));
        assert!(!is_hash(&"A".repeat(64)));
        assert!(!is_hash("../../etc/passwd"));
        assert!(!is_hash(&format!("{}/..", "a".repeat(61))));
    }

    fn thumb(lib: &Library, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
        resolve_thumb(lib, req).map_or_else(refused, |p| serve_thumb(&p))
    }

    fn original(lib: &Library, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
        resolve_original(lib, req).map_or_else(refused, |(p, m, s)| serve_original(&p, &m, s, req))
    }

    fn get(uri: &str) -> Request<Vec<u8>> {
        Request::builder().uri(uri).body(Vec::new()).unwrap()
    }

    #[test]
    fn serves_thumbnails_and_originals_of_a_real_library() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("in");
        std::fs::create_dir_all(&src).unwrap();
        let jpeg = shoebox_tests::Jpeg::new(64, 48).bytes();
        std::fs::write(src.join("a.jpg"), &jpeg).unwrap();
        let mut lib = Library::open(&dir.path().join("lib")).unwrap();
        lib.import(&[src], &|_| {}, &Default::default(), &|| {})
            .unwrap();
        let a = lib.list().unwrap().remove(0);

        let r = thumb(&lib, &get(&format!("thumb://localhost/320/{}", a.hash)));
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(&r.body()[..2], &[0xFF, 0xD8]);
        // Windows form of the same URL.
        let r = thumb(
            &lib,
            &get(&format!("http://thumb.localhost/1440/{}", a.hash)),
        );
        assert_eq!(r.status(), StatusCode::OK);
        for bad in [
            "thumb://localhost/320/..%2F..%2Fcatalog.db".to_string(),
            format!("thumb://localhost/999/{}", a.hash),
            format!("thumb://localhost/320/{}", "0".repeat(64)),
            "thumb://localhost/320".to_string(),
        ] {
            assert_ne!(thumb(&lib, &get(&bad)).status(), StatusCode::OK, "{bad}");
        }

        let r = original(&lib, &get(&format!("original://localhost/{}", a.hash)));
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.body(), &jpeg);
        let req = Request::builder()
            .uri(format!("original://localhost/{}", a.hash))
            .header(header::RANGE, "bytes=2-9")
            .body(Vec::new())
            .unwrap();
        let r = original(&lib, &req);
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(r.body(), &jpeg[2..10]);
        assert_eq!(
            original(&lib, &get("original://localhost/catalog.db")).status(),
            StatusCode::BAD_REQUEST
        );
        // Not a Motion Photo: no video to serve.
        assert_eq!(
            original(
                &lib,
                &get(&format!("original://localhost/{}/motion", a.hash))
            )
            .status(),
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn a_motion_photo_serves_its_video_on_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("in");
        std::fs::create_dir_all(&src).unwrap();
        let video = shoebox_tests::SAMPLE_MP4;
        let file = shoebox_tests::motion_photo(video);
        std::fs::write(src.join("PXL_1.MP.jpg"), &file).unwrap();
        let mut lib = Library::open(&dir.path().join("lib")).unwrap();
        lib.import(&[src], &|_| {}, &Default::default(), &|| {})
            .unwrap();
        let a = lib.list().unwrap().remove(0);
        let start = a.meta.motion_offset.expect("a Motion Photo");
        assert_eq!(start as usize, file.len() - video.len());
        let r = original(
            &lib,
            &get(&format!("original://localhost/{}/motion", a.hash)),
        );
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.body(), video, "the video, byte for byte");
        let req = Request::builder()
            .uri(format!("original://localhost/{}/motion", a.hash))
            .header(header::RANGE, "bytes=4-11")
            .body(Vec::new())
            .unwrap();
        let r = original(&lib, &req);
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(r.body(), &video[4..12]);
        assert_eq!(
            r.headers()[header::CONTENT_RANGE],
            format!("bytes 4-11/{}", video.len()).as_str()
        );
    }

    /// An older Samsung's Motion Photo: the video is served without the trailer after it.
    #[test]
    fn a_samsung_motion_photo_serves_its_video_without_the_trailer() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("in");
        std::fs::create_dir_all(&src).unwrap();
        let video = shoebox_tests::SAMPLE_MP4;
        let file = shoebox_tests::samsung_motion_photo(video);
        std::fs::write(src.join("20190708_091011.jpg"), &file).unwrap();
        let mut lib = Library::open(&dir.path().join("lib")).unwrap();
        lib.import(&[src], &|_| {}, &Default::default(), &|| {})
            .unwrap();
        let a = lib.list().unwrap().remove(0);
        assert!(a.meta.motion_offset.is_some(), "{a:?}");
        let r = original(
            &lib,
            &get(&format!("original://localhost/{}/motion", a.hash)),
        );
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.body(), video, "the video alone, byte for byte");
    }
}
