//! Albums, and keeping one on this computer.

use super::*;
use serde::Serialize;
use shoebox_engine as engine;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
pub struct Album {
    pub id: i32,
    pub name: String,
    pub count: u32,
    pub cover: Option<String>,
    /// Its originals are kept on this computer.
    pub pinned: bool,
}

/// What keeping an album on this computer would bring here: its originals that are on the
/// store only.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AlbumSpace {
    pub originals: u32,
    pub bytes: f64,
}

/// What keeping an album on this computer fetched.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PinResult {
    pub fetched: u32,
    pub bytes: f64,
    /// Originals that could not be fetched now (the store offline…); tried again at each sync.
    pub failed: Vec<FileProblem>,
}

impl From<engine::Album> for Album {
    fn from(a: engine::Album) -> Self {
        Album {
            id: a.id as i32,
            name: a.name,
            count: a.count as u32,
            cover: a.cover,
            pinned: a.pinned,
        }
    }
}
