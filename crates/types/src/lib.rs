//! Plain data shared by the Shoebox crates: what we know about a photo or video, and job progress.
//!
//! ```
//! use shoebox_types::CaptureTime;
//! let t = CaptureTime::parse("2023-07-01T12:34:56+02:00").unwrap();
//! assert_eq!(t.to_string(), "2023-07-01T12:34:56+02:00");
//! assert_eq!(t.folder(), "2023/07");
//! ```

use chrono::{Datelike, FixedOffset, NaiveDateTime, TimeZone};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Photo or video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Photo,
    Video,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Photo => "photo",
            Kind::Video => "video",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "photo" => Some(Kind::Photo),
            "video" => Some(Kind::Video),
            _ => None,
        }
    }
}

/// Where a capture time came from, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeSource {
    /// EXIF DateTimeOriginal.
    Exif,
    /// Another EXIF date (DateTimeDigitized, DateTime).
    ExifOther,
    /// A video container's creation time.
    Container,
    /// A date in the file name.
    Filename,
    /// The file's modification time.
    Mtime,
    /// Google Photos' `photoTakenTime` from a Takeout sidecar (an instant in UTC): used when the
    /// file has no capture time of its own, or when Google's date was edited (it differs from
    /// the file's by more than any time-zone difference).
    Takeout,
}

impl TimeSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeSource::Exif => "exif",
            TimeSource::ExifOther => "exif_other",
            TimeSource::Container => "container",
            TimeSource::Filename => "filename",
            TimeSource::Mtime => "mtime",
            TimeSource::Takeout => "takeout",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "exif" => TimeSource::Exif,
            "exif_other" => TimeSource::ExifOther,
            "container" => TimeSource::Container,
            "filename" => TimeSource::Filename,
            "mtime" => TimeSource::Mtime,
            "takeout" => TimeSource::Takeout,
            _ => return None,
        })
    }
}

/// A capture time as the camera saw it: local wall-clock time, plus its UTC offset when known.
///
/// Folders and the timeline use the local time, so a photo taken at 00:30 on 1 January is in
/// January wherever it is viewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CaptureTime {
    pub local: NaiveDateTime,
    /// Minutes east of UTC.
    pub offset_minutes: Option<i32>,
}

impl CaptureTime {
    /// `YYYY/MM` of the local date: the folder under `originals/`.
    pub fn folder(&self) -> String {
        format!("{:04}/{:02}", self.local.year(), self.local.month())
    }

    /// Parses what [`fmt::Display`] writes: RFC 3339 with an offset, or local time without one.
    pub fn parse(s: &str) -> Option<Self> {
        if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
            return Some(CaptureTime {
                local: dt.naive_local(),
                offset_minutes: Some(dt.offset().local_minus_utc() / 60),
            });
        }
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
            .ok()
            .map(|local| CaptureTime {
                local,
                offset_minutes: None,
            })
    }

    /// The local time without offset, sortable as text: the catalog's sort key.
    pub fn local_key(&self) -> String {
        self.local.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()
    }
}

impl fmt::Display for CaptureTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = if self.local.and_utc().timestamp_subsec_millis() == 0 {
            self.local.format("%Y-%m-%dT%H:%M:%S").to_string()
        } else {
            self.local.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()
        };
        match self
            .offset_minutes
            .and_then(|m| FixedOffset::east_opt(m * 60))
        {
            Some(off) => match off.from_local_datetime(&self.local).single() {
                Some(dt) => {
                    let s = dt.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
                    // AutoSi prints micro/nanoseconds as needed; keep our millisecond base.
                    let tz = &s[s.len() - 6..];
                    let tz = if s.ends_with('Z') { "+00:00" } else { tz };
                    write!(f, "{base}{tz}")
                }
                None => f.write_str(&base),
            },
            None => f.write_str(&base),
        }
    }
}

impl Serialize for CaptureTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CaptureTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CaptureTime::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not a capture time: {s}")))
    }
}

/// Where a photo was taken, in words: the nearest town of the offline gazetteer (GeoNames).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// For people: "Trastevere, Lazio, Italy".
    pub name: String,
    pub city: String,
    /// The first-level division (state, region, province); may be empty.
    pub region: String,
    pub country: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
}

/// A position from EXIF GPS.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Gps {
    pub lat: f64,
    pub lon: f64,
    pub alt: Option<f64>,
}

/// Everything Shoebox reads from a file without importing it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub kind: Kind,
    pub mime: String,
    pub taken_at: CaptureTime,
    pub taken_at_source: TimeSource,
    /// As displayed, i.e. after orientation.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub orientation: Option<u8>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub lens: Option<String>,
    pub iso: Option<u32>,
    /// Seconds.
    pub exposure_time: Option<f64>,
    pub f_number: Option<f64>,
    pub focal_length_mm: Option<f64>,
    pub gps: Option<Gps>,
    pub duration_ms: Option<u64>,
    pub description: Option<String>,
    /// A Motion Photo: where the short video embedded after the picture starts, in bytes from
    /// the start of the file (the file is kept whole).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub motion_offset: Option<u64>,
}

impl Metadata {
    /// What is known of any file before its headers are read: its kind, type and a time;
    /// everything else unknown.
    pub fn bare(
        kind: Kind,
        mime: &str,
        taken_at: CaptureTime,
        taken_at_source: TimeSource,
    ) -> Self {
        Metadata {
            kind,
            mime: mime.to_owned(),
            taken_at,
            taken_at_source,
            width: None,
            height: None,
            orientation: None,
            make: None,
            model: None,
            lens: None,
            iso: None,
            exposure_time: None,
            f_number: None,
            focal_length_mm: None,
            gps: None,
            duration_ms: None,
            description: None,
            motion_offset: None,
        }
    }
}

/// Progress of a long job, as the CLI and the app show it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub phase: String,
    pub done: u64,
    pub total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub current: Option<String>,
    pub errors: u64,
    /// What the job found so far, where it looks for things (faces).
    #[serde(default)]
    pub found: u64,
}

/// Sends progress at most ~10 times a second, always the first and the last.
pub struct Throttle<'a> {
    sink: &'a dyn Fn(&Progress),
    last: Option<std::time::Instant>,
}

impl<'a> Throttle<'a> {
    pub fn new(sink: &'a dyn Fn(&Progress)) -> Self {
        Throttle { sink, last: None }
    }
    pub fn send(&mut self, p: &Progress, force: bool) {
        let due = self
            .last
            .is_none_or(|t| t.elapsed() >= std::time::Duration::from_millis(100));
        if force || due {
            (self.sink)(p);
            self.last = Some(std::time::Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_time_round_trips_with_and_without_offset() {
        for s in [
            "2023-07-01T12:34:56+02:00",
            "2023-07-01T12:34:56",
            "2023-07-01T12:34:56.120-05:30",
            "2023-01-01T00:30:00+00:00",
        ] {
            let t = CaptureTime::parse(s).unwrap();
            assert_eq!(t.to_string(), s);
        }
        assert_eq!(
            CaptureTime::parse("2023-01-01T00:30:00+09:00")
                .unwrap()
                .folder(),
            "2023/01",
            "the folder follows local time, not UTC"
        );
    }
}
