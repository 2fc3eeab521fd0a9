//! Sharing an album by link.

use serde::Serialize;
use ts_rs::TS;

/// One share of an album, as the Share dialog shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ShareView {
    pub id: String,
    pub album: String,
    pub target: String,
    /// The link to send; none when this computer does not hold the share's key.
    pub link: Option<String>,
    /// The link as a QR code (an SVG document), to open it on a phone.
    pub qr_svg: Option<String>,
    pub expires_at: Option<String>,
    pub photos: u32,
    pub password: bool,
}

/// A target a share can go to, and the address browsers read it at, if set.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ShareTarget {
    pub name: String,
    pub public_url: Option<String>,
    /// The store can sign links (S3): without a public address, a link then lasts at most
    /// `max_signed_days`.
    pub signs: bool,
    pub max_signed_days: u32,
}
