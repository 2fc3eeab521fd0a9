//! Reads photo and video metadata and makes thumbnails. Knows nothing about databases.
//!
//! ```no_run
//! use shoebox_media::{probe_file, Thumbnailer};
//! let path = std::path::Path::new("IMG_0042.JPG");
//! let meta = probe_file(path).unwrap();
//! println!("taken {} ({})", meta.taken_at, meta.taken_at_source.as_str());
//! let bytes = std::fs::read(path).unwrap();
//! let thumbs = Thumbnailer::default().make(path, &bytes, &meta).unwrap();
//! assert_eq!(thumbs.len(), 2);
//! ```

mod error;
pub mod export;
pub mod heif;
pub mod look;
mod metadata;
pub mod motion;
pub mod raw;
mod thumbs;
mod tools;
mod video;

pub use error::{Error, Result};
pub use heif::read_heif_size;
pub use metadata::{date_from_file_name, probe, probe_file};
pub use thumbs::{Limits, Thumbnail, Thumbnailer, fit, heic_supported};
pub use tools::{ffmpeg_available, ffprobe_path};
pub use video::{VideoInfo, read_video_info};

use shoebox_types::Kind;

/// The container formats Shoebox reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    WebP,
    Gif,
    Tiff,
    Heif,
    /// MP4, MOV, M4V, 3GP: all ISO base media files.
    IsoVideo,
    /// WebM, MKV, AVI, MTS/M2TS: read through ffprobe and ffmpeg when installed.
    OtherVideo,
    /// Camera RAW (DNG, CR2, CR3, NEF, ARW, ORF, RW2, RAF): EXIF, and the embedded preview.
    Raw,
}

impl Format {
    pub fn kind(self) -> Kind {
        match self {
            Format::IsoVideo | Format::OtherVideo => Kind::Video,
            _ => Kind::Photo,
        }
    }
}

/// The default allowed extensions, lower case.
pub const DEFAULT_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "png", "webp", "gif", "tif", "tiff", "heic", "heif", "mp4", "mov", "m4v", "3gp",
    "webm", "mkv", "avi", "mts", "m2ts", "dng", "cr2", "cr3", "nef", "arw", "orf", "rw2", "raf",
    "mp",
];

/// Extensions added to [`DEFAULT_EXTENSIONS`] after the first release: a library whose settings
/// predate them gains them (unless it had removed them on purpose since: see the settings).
pub const ADDED_EXTENSIONS: &[&str] = &[
    "webm", "mkv", "avi", "mts", "m2ts", "dng", "cr2", "cr3", "nef", "arw", "orf", "rw2", "raf",
    "mp",
];

/// Format and MIME type for a file extension (any case).
pub fn format_for_extension(ext: &str) -> Option<(Format, &'static str)> {
    Some(match ext.to_ascii_lowercase().as_str() {
        // `.MP`: a Pixel's Motion Photo under its own extension (a JPEG with a video after it).
        "jpg" | "jpeg" | "jpe" | "mp" => (Format::Jpeg, "image/jpeg"),
        "png" => (Format::Png, "image/png"),
        "webp" => (Format::WebP, "image/webp"),
        "gif" => (Format::Gif, "image/gif"),
        "tif" | "tiff" => (Format::Tiff, "image/tiff"),
        "heic" => (Format::Heif, "image/heic"),
        "heif" => (Format::Heif, "image/heif"),
        "mp4" => (Format::IsoVideo, "video/mp4"),
        "m4v" => (Format::IsoVideo, "video/x-m4v"),
        "mov" => (Format::IsoVideo, "video/quicktime"),
        "3gp" => (Format::IsoVideo, "video/3gpp"),
        "webm" => (Format::OtherVideo, "video/webm"),
        "mkv" => (Format::OtherVideo, "video/x-matroska"),
        "avi" => (Format::OtherVideo, "video/x-msvideo"),
        "mts" | "m2ts" => (Format::OtherVideo, "video/mp2t"),
        "dng" => (Format::Raw, "image/x-adobe-dng"),
        "cr2" => (Format::Raw, "image/x-canon-cr2"),
        "cr3" => (Format::Raw, "image/x-canon-cr3"),
        "nef" => (Format::Raw, "image/x-nikon-nef"),
        "arw" => (Format::Raw, "image/x-sony-arw"),
        "orf" => (Format::Raw, "image/x-olympus-orf"),
        "rw2" => (Format::Raw, "image/x-panasonic-rw2"),
        "raf" => (Format::Raw, "image/x-fuji-raf"),
        _ => return None,
    })
}

/// The lower-case extension of a path, if it has one.
pub fn extension_of(path: &std::path::Path) -> Option<String> {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
}

/// Runs `f`, turning a panic inside it (a decoder's assertion on a malformed file) into
/// [`Error::Crashed`], so one bad file never takes an import, a watcher or the app down.
pub(crate) fn contain<T>(what: &'static str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into());
            tracing::warn!(%detail, "a decoder panicked; the file is rejected");
            Err(Error::Crashed {
                what,
                detail: detail.chars().take(200).collect(),
            })
        }
    }
}

/// Keeps the panic messages of third-party decoders (contained per file by the media crate and
/// reported as a rejection) off the terminal; every other panic is printed as before.
/// Front ends call this once at start.
pub fn quiet_decoder_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_decoder = info.location().is_some_and(|l| {
            let f = l.file().replace('\\', "/");
            DECODER_CRATES
                .iter()
                .any(|c| f.contains(&format!("/{c}-")) || f.contains(&format!("/{c}/")))
        });
        if in_decoder {
            tracing::debug!("decoder panic (contained): {info}");
        } else {
            default(info);
        }
    }));
}

/// Crates whose panics [`contain`] turns into per-file errors.
const DECODER_CRATES: &[&str] = &[
    "tiff",
    "image",
    "jpeg-decoder",
    "zune-jpeg",
    "zune-core",
    "png",
    "gif",
    "image-webp",
    "fdeflate",
    "weezl",
    "kamadak-exif",
    "fast_image_resize",
];

/// The width and height a JPEG says it has (its header only; nothing is decoded).
pub fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    use image::ImageDecoder;
    image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(bytes))
        .ok()
        .map(|d| d.dimensions())
}
