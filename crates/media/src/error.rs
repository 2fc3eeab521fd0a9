use std::path::PathBuf;

/// Why a file's metadata or thumbnail could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("file type .{0} is not a photo or video Shoebox knows")]
    UnknownType(String),
    #[error("not a valid {format} file: {detail}")]
    Corrupt {
        format: &'static str,
        detail: String,
    },
    #[error(
        "image claims {width}×{height} pixels ({megapixels} MP), above the {limit} MP decoding limit; \
         it looks like a decompression bomb"
    )]
    TooLarge {
        width: u64,
        height: u64,
        megapixels: u64,
        limit: u64,
    },
    #[error("no decoder for {0} in this build")]
    Unsupported(&'static str),
    #[error("cannot make a thumbnail: {0}")]
    Thumbnail(String),
    #[error("the decoder crashed while {what} this file ({detail}); it was left out")]
    Crashed { what: &'static str, detail: String },
}

impl Error {
    pub(crate) fn corrupt(format: &'static str, detail: impl ToString) -> Self {
        Error::Corrupt {
            format,
            detail: detail.to_string(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
