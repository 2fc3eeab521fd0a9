//! Metadata: EXIF through kamadak-exif, sizes from image headers, dates from containers and names.

use crate::{Error, Format, Result, extension_of, format_for_extension};
use chrono::{Local, NaiveDate, NaiveDateTime, Offset, TimeZone};
use exif::{In, Tag, Value};
use regex::Regex;
use shoebox_types::{CaptureTime, Gps, Metadata, TimeSource};
use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::Path;
use std::sync::LazyLock;
use std::time::SystemTime;

/// Reads a file's metadata without decoding its pixels.
pub fn probe_file(path: &Path) -> Result<Metadata> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let mtime = file.metadata().and_then(|m| m.modified()).ok();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    probe(&name, &mut BufReader::with_capacity(16 * 1024, file), mtime)
}

/// Reads metadata from `r`; `name` (the file name) picks the format and may hold a date.
pub fn probe<R: BufRead + Seek>(
    name: &str,
    r: &mut R,
    mtime: Option<SystemTime>,
) -> Result<Metadata> {
    crate::contain("reading metadata", || probe_inner(name, r, mtime))
}

fn probe_inner<R: BufRead + Seek>(
    name: &str,
    r: &mut R,
    mtime: Option<SystemTime>,
) -> Result<Metadata> {
    let ext = extension_of(Path::new(name)).unwrap_or_default();
    let (format, mime) =
        format_for_extension(&ext).ok_or_else(|| Error::UnknownType(ext.clone()))?;
    let mut meta = Metadata::bare(
        format.kind(),
        mime,
        CaptureTime {
            local: NaiveDateTime::default(),
            offset_minutes: None,
        },
        TimeSource::Mtime,
    );
    let mut taken: Option<(CaptureTime, TimeSource)> = None;
    if format == Format::IsoVideo {
        let v = crate::video::read_video_info(r)?;
        meta.width = v.width;
        meta.height = v.height;
        meta.duration_ms = v.duration_ms;
        taken = v
            .created_local
            .map(|t| CaptureTime {
                local: t.naive_local(),
                offset_minutes: Some(t.offset().local_minus_utc() / 60),
            })
            .or_else(|| v.created_utc.map(utc_to_local))
            .map(|t| (t, TimeSource::Container));
    } else if format == Format::Raw {
        let mut bytes = Vec::new();
        r.read_to_end(&mut bytes)
            .map_err(|e| Error::corrupt("RAW", e))?;
        let preview = crate::raw::largest_preview(&bytes);
        // TIFF-based RAWs carry EXIF in the file; RAF and CR3 in their preview JPEG.
        let exif = exif::Reader::new()
            .read_from_container(&mut std::io::Cursor::new(&bytes))
            .ok()
            .or_else(|| {
                let p = preview?;
                exif::Reader::new()
                    .read_from_container(&mut std::io::Cursor::new(&bytes[p.offset..]))
                    .ok()
            });
        if let Some(exif) = &exif {
            read_exif(exif, &mut meta);
            taken = exif_time(exif);
        }
        let dims = exif
            .as_ref()
            .and_then(|e| {
                let w = e
                    .get_field(Tag::PixelXDimension, In::PRIMARY)?
                    .value
                    .get_uint(0)?;
                let h = e
                    .get_field(Tag::PixelYDimension, In::PRIMARY)?
                    .value
                    .get_uint(0)?;
                (w > 0 && h > 0).then_some((w, h))
            })
            .or(preview.map(|p| (p.width, p.height)));
        let Some((w, h)) = dims else {
            return Err(Error::corrupt(
                "RAW",
                "neither EXIF dimensions nor an embedded preview",
            ));
        };
        let turned = matches!(meta.orientation, Some(5..=8));
        (meta.width, meta.height) = if turned {
            (Some(h), Some(w))
        } else {
            (Some(w), Some(h))
        };
    } else if format == Format::OtherVideo {
        let v = crate::video::probe_other_video(r)?;
        meta.width = v.width;
        meta.height = v.height;
        meta.duration_ms = v.duration_ms;
        taken = v
            .created_utc
            .map(|t| (utc_to_local(t), TimeSource::Container));
    } else {
        let (w, h) = image_size(format, r)?;
        r.seek(SeekFrom::Start(0))
            .map_err(|e| Error::corrupt("image", e))?;
        // A broken EXIF block is not a broken photo: keep the pixels, lose the tags.
        let exif = exif::Reader::new().read_from_container(r).ok();
        if let Some(exif) = &exif {
            read_exif(exif, &mut meta);
            taken = exif_time(exif);
        }
        // HEIF carries its rotation in `irot` (already applied to the size); EXIF orientation
        // is informational there.
        let turned = format != Format::Heif && matches!(meta.orientation, Some(5..=8));
        (meta.width, meta.height) = if turned {
            (Some(h), Some(w))
        } else {
            (Some(w), Some(h))
        };
    }
    let (t, src) = taken
        .or_else(|| date_from_file_name(name).map(|t| (t, TimeSource::Filename)))
        .or_else(|| mtime.map(|m| (system_to_local(m), TimeSource::Mtime)))
        .unwrap_or((system_to_local(SystemTime::now()), TimeSource::Mtime));
    meta.taken_at = t;
    meta.taken_at_source = src;
    if format == Format::Jpeg {
        meta.motion_offset = crate::motion::motion_photo_offset(r);
    }
    Ok(meta)
}

fn image_size<R: BufRead + Seek>(format: Format, r: &mut R) -> Result<(u32, u32)> {
    if format == Format::Heif {
        return crate::heif::read_heif_size(r);
    }
    if format == Format::Jpeg {
        // Headers only: image's JPEG decoder would read the whole file into memory first.
        r.seek(SeekFrom::Start(0))
            .map_err(|e| Error::corrupt("JPEG", e))?;
        let mut d = jpeg_decoder::Decoder::new(&mut *r);
        if d.read_info().is_ok()
            && let Some(info) = d.info()
            && info.width > 0
            && info.height > 0
        {
            return Ok((info.width as u32, info.height as u32));
        }
        // Odd but valid JPEGs (arithmetic coding, say): let the other decoder judge.
    }
    let f = match format {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
        Format::WebP => image::ImageFormat::WebP,
        Format::Gif => image::ImageFormat::Gif,
        _ => image::ImageFormat::Tiff,
    };
    let name = format_name(format);
    r.seek(SeekFrom::Start(0))
        .map_err(|e| Error::corrupt(name, e))?;
    let (w, h) = image::ImageReader::with_format(&mut *r, f)
        .into_dimensions()
        .map_err(|e| Error::corrupt(name, e))?;
    if w == 0 || h == 0 {
        return Err(Error::corrupt(name, "zero width or height"));
    }
    Ok((w, h))
}

pub(crate) fn format_name(f: Format) -> &'static str {
    match f {
        Format::Jpeg => "JPEG",
        Format::Png => "PNG",
        Format::WebP => "WebP",
        Format::Gif => "GIF",
        Format::Tiff => "TIFF",
        Format::Heif => "HEIF",
        Format::IsoVideo => "MP4/MOV",
        Format::OtherVideo => "video",
        Format::Raw => "RAW",
    }
}

fn text(exif: &exif::Exif, tag: Tag) -> Option<String> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Ascii(parts) => {
            let s = parts
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect::<Vec<_>>()
                .join(" ");
            let s = s
                .trim_matches(|c: char| c == '\0' || c.is_whitespace())
                .to_owned();
            (!s.is_empty()).then_some(s)
        }
        _ => None,
    }
}

fn rational(exif: &exif::Exif, tag: Tag) -> Option<f64> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Rational(v) => v.first().filter(|r| r.denom != 0).map(|r| r.to_f64()),
        Value::SRational(v) => v.first().filter(|r| r.denom != 0).map(|r| r.to_f64()),
        _ => None,
    }
    .filter(|x| x.is_finite())
}

fn read_exif(exif: &exif::Exif, m: &mut Metadata) {
    m.orientation = exif
        .get_field(Tag::Orientation, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .filter(|o| (1..=8).contains(o))
        .map(|o| o as u8);
    m.make = text(exif, Tag::Make);
    m.model = text(exif, Tag::Model);
    m.lens = text(exif, Tag::LensModel);
    m.description = text(exif, Tag::ImageDescription);
    m.iso = exif
        .get_field(Tag::PhotographicSensitivity, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0));
    m.exposure_time = rational(exif, Tag::ExposureTime);
    m.f_number = rational(exif, Tag::FNumber);
    m.focal_length_mm = rational(exif, Tag::FocalLength);
    m.gps = gps(exif);
}

fn gps(exif: &exif::Exif) -> Option<Gps> {
    let dms = |tag| match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Rational(v) if v.len() >= 3 && v.iter().all(|r| r.denom != 0) => {
            Some(v[0].to_f64() + v[1].to_f64() / 60.0 + v[2].to_f64() / 3600.0)
        }
        _ => None,
    };
    let reference = |tag| text(exif, tag).unwrap_or_default();
    let mut lat = dms(Tag::GPSLatitude)?;
    let mut lon = dms(Tag::GPSLongitude)?;
    if reference(Tag::GPSLatitudeRef).starts_with('S') {
        lat = -lat;
    }
    if reference(Tag::GPSLongitudeRef).starts_with('W') {
        lon = -lon;
    }
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return None;
    }
    let below = exif
        .get_field(Tag::GPSAltitudeRef, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        == Some(1);
    let alt = rational(exif, Tag::GPSAltitude).map(|a| if below { -a } else { a });
    Some(Gps { lat, lon, alt })
}

fn exif_time(exif: &exif::Exif) -> Option<(CaptureTime, TimeSource)> {
    let sets = [
        (
            Tag::DateTimeOriginal,
            Tag::SubSecTimeOriginal,
            Tag::OffsetTimeOriginal,
            TimeSource::Exif,
        ),
        (
            Tag::DateTimeDigitized,
            Tag::SubSecTimeDigitized,
            Tag::OffsetTimeDigitized,
            TimeSource::ExifOther,
        ),
        (
            Tag::DateTime,
            Tag::SubSecTime,
            Tag::OffsetTime,
            TimeSource::ExifOther,
        ),
    ];
    for (tag, sub, off, source) in sets {
        let Some(Value::Ascii(v)) = exif.get_field(tag, In::PRIMARY).map(|f| &f.value) else {
            continue;
        };
        let Some(mut dt) = v.first().and_then(|b| exif::DateTime::from_ascii(b).ok()) else {
            continue;
        };
        if let Some(Value::Ascii(s)) = exif.get_field(sub, In::PRIMARY).map(|f| &f.value)
            && let Some(s) = s.first()
        {
            let _ = dt.parse_subsec(s);
        }
        if let Some(Value::Ascii(s)) = exif.get_field(off, In::PRIMARY).map(|f| &f.value)
            && let Some(s) = s.first()
        {
            let _ = dt.parse_offset(s);
        }
        let Some(local) = NaiveDate::from_ymd_opt(dt.year as i32, dt.month as u32, dt.day as u32)
            .and_then(|d| {
                d.and_hms_nano_opt(
                    dt.hour as u32,
                    dt.minute as u32,
                    dt.second as u32,
                    dt.nanosecond.unwrap_or(0) / 1_000_000 * 1_000_000,
                )
            })
        else {
            continue;
        };
        if dt.year < 1800 {
            continue;
        }
        let offset_minutes = dt.offset.map(|o| o as i32).filter(|o| o.abs() <= 18 * 60);
        return Some((
            CaptureTime {
                local,
                offset_minutes,
            },
            source,
        ));
    }
    None
}

static NAME_DATE: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)] // a literal, tested below
    Regex::new(
        r"(?:^|[^0-9])((?:19[7-9]|20[0-9])[0-9])-?([01][0-9])-?([0-3][0-9])(?:[ _T-]?([0-2][0-9])[.:-]?([0-5][0-9])[.:-]?([0-5][0-9])([0-9]{1,3})?)?(?:[^0-9]|$)",
    )
    .unwrap()
});

/// A capture time from names like IMG_20230102_123456, PXL_20230102_123456789,
/// IMG-20230102-WA0001 or Screenshot_2023-01-02-12-34-56. No offset: names carry local time.
pub fn date_from_file_name(name: &str) -> Option<CaptureTime> {
    let c = NAME_DATE.captures(name)?;
    let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let date = NaiveDate::from_ymd_opt(num(1)? as i32, num(2)?, num(3)?)?;
    let local = match (num(4), num(5), num(6)) {
        (Some(h), Some(mi), Some(s)) => {
            let ms = c.get(7).map(|m| {
                let digits = m.as_str();
                digits.parse::<u32>().unwrap_or(0) * 10u32.pow(3 - digits.len() as u32)
            });
            date.and_hms_milli_opt(h, mi, s, ms.unwrap_or(0))?
        }
        _ => date.and_hms_opt(0, 0, 0)?,
    };
    Some(CaptureTime {
        local,
        offset_minutes: None,
    })
}

fn system_to_local(t: SystemTime) -> CaptureTime {
    let dt: chrono::DateTime<Local> = t.into();
    let dt = dt.with_nanosecond_trunc();
    CaptureTime {
        local: dt.naive_local(),
        offset_minutes: Some(dt.offset().fix().local_minus_utc() / 60),
    }
}

fn utc_to_local(utc: NaiveDateTime) -> CaptureTime {
    let dt = Local.from_utc_datetime(&utc);
    CaptureTime {
        local: dt.naive_local(),
        offset_minutes: Some(dt.offset().fix().local_minus_utc() / 60),
    }
}

trait TruncMillis {
    fn with_nanosecond_trunc(self) -> Self;
}
impl TruncMillis for chrono::DateTime<Local> {
    fn with_nanosecond_trunc(self) -> Self {
        use chrono::Timelike;
        let ms = self.nanosecond() / 1_000_000 * 1_000_000;
        self.with_nanosecond(ms).unwrap_or(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_file_names() {
        let cases = [
            ("IMG_20230102_123456.jpg", Some("2023-01-02T12:34:56")),
            (
                "PXL_20230102_123456789.jpg",
                Some("2023-01-02T12:34:56.789"),
            ),
            ("VID_20221231_235959.mp4", Some("2022-12-31T23:59:59")),
            ("IMG-20230102-WA0001.jpg", Some("2023-01-02T00:00:00")),
            (
                "Screenshot_2023-01-02-12-34-56.png",
                Some("2023-01-02T12:34:56"),
            ),
            ("2021-06-07 08.09.10.jpg", Some("2021-06-07T08:09:10")),
            ("DSC_0042.JPG", None),
            ("IMG_20231340_000000.jpg", None),
            ("12345678901234.jpg", None),
        ];
        for (name, want) in cases {
            let got = date_from_file_name(name).map(|t| t.to_string());
            assert_eq!(got.as_deref(), want, "{name}");
        }
    }
}
