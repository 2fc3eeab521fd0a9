//! Test media made here: JPEGs with any EXIF, PNGs, TIFF-based RAWs, bombs, scenes that look alike, Motion Photos.

use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use std::path::Path;
mod raw;
pub use raw::*;

/// A JPEG made in code, with the EXIF fields a test asks for.
#[derive(Clone)]
pub struct Jpeg {
    width: u16,
    height: u16,
    fields: Vec<Field>,
    progressive: bool,
    pixels: Option<Vec<u8>>,
    seed: u64,
    raw_app1: Option<Vec<u8>>,
}

pub(crate) fn ascii(tag: Tag, s: &str) -> Field {
    Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Ascii(vec![s.as_bytes().to_vec()]),
    }
}

pub(crate) fn rationals(tag: Tag, v: &[(u32, u32)]) -> Field {
    Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Rational(
            v.iter()
                .map(|&(num, denom)| Rational { num, denom })
                .collect(),
        ),
    }
}

impl Jpeg {
    pub fn new(width: u16, height: u16) -> Self {
        Jpeg {
            width,
            height,
            fields: Vec::new(),
            progressive: false,
            pixels: None,
            seed: 1,
            raw_app1: None,
        }
    }
    /// EXIF DateTimeOriginal (`YYYY:MM:DD HH:MM:SS`) and OffsetTimeOriginal.
    pub fn taken(mut self, when: &str, offset: Option<&str>) -> Self {
        self.fields.push(ascii(Tag::DateTimeOriginal, when));
        if let Some(o) = offset {
            self.fields.push(ascii(Tag::OffsetTimeOriginal, o));
        }
        self
    }
    pub fn subsec(mut self, s: &str) -> Self {
        self.fields.push(ascii(Tag::SubSecTimeOriginal, s));
        self
    }
    /// Only the plain DateTime tag (the fallback after DateTimeOriginal).
    pub fn modified_tag(mut self, when: &str) -> Self {
        self.fields.push(ascii(Tag::DateTime, when));
        self
    }
    pub fn orientation(mut self, o: u16) -> Self {
        self.fields.push(Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: Value::Short(vec![o]),
        });
        self
    }
    pub fn camera(mut self, make: &str, model: &str, lens: &str) -> Self {
        self.fields.push(ascii(Tag::Make, make));
        self.fields.push(ascii(Tag::Model, model));
        self.fields.push(ascii(Tag::LensModel, lens));
        self
    }
    pub fn description(mut self, d: &str) -> Self {
        self.fields.push(ascii(Tag::ImageDescription, d));
        self
    }
    /// ISO, exposure (1/`denom` s), f-number ×10, focal length mm.
    pub fn exposure(mut self, iso: u16, denom: u32, f10: u32, focal: u32) -> Self {
        self.fields.push(Field {
            tag: Tag::PhotographicSensitivity,
            ifd_num: In::PRIMARY,
            value: Value::Short(vec![iso]),
        });
        self.fields
            .push(rationals(Tag::ExposureTime, &[(1, denom)]));
        self.fields.push(rationals(Tag::FNumber, &[(f10, 10)]));
        self.fields.push(rationals(Tag::FocalLength, &[(focal, 1)]));
        self
    }
    /// GPS in degrees, minutes and seconds×100; south and west when `neg`.
    pub fn gps(
        mut self,
        lat: (u32, u32, u32),
        lat_s: bool,
        lon: (u32, u32, u32),
        lon_w: bool,
        alt_m: u32,
    ) -> Self {
        self.fields
            .push(ascii(Tag::GPSLatitudeRef, if lat_s { "S" } else { "N" }));
        self.fields.push(rationals(
            Tag::GPSLatitude,
            &[(lat.0, 1), (lat.1, 1), (lat.2, 100)],
        ));
        self.fields
            .push(ascii(Tag::GPSLongitudeRef, if lon_w { "W" } else { "E" }));
        self.fields.push(rationals(
            Tag::GPSLongitude,
            &[(lon.0, 1), (lon.1, 1), (lon.2, 100)],
        ));
        self.fields.push(Field {
            tag: Tag::GPSAltitudeRef,
            ifd_num: In::PRIMARY,
            value: Value::Byte(vec![0]),
        });
        self.fields.push(rationals(Tag::GPSAltitude, &[(alt_m, 1)]));
        self
    }
    pub fn progressive(mut self, on: bool) -> Self {
        self.progressive = on;
        self
    }
    /// Pixel noise seed: different seeds give different bytes.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// RGB pixels, `width × height × 3`.
    pub fn pixels(mut self, rgb: Vec<u8>) -> Self {
        self.pixels = Some(rgb);
        self
    }
    /// An APP1 segment as given (for corrupt EXIF).
    pub fn raw_app1(mut self, data: Vec<u8>) -> Self {
        self.raw_app1 = Some(data);
        self
    }

    pub fn exif_block(&self) -> Option<Vec<u8>> {
        if self.fields.is_empty() {
            return None;
        }
        let mut w = Writer::new();
        for f in &self.fields {
            w.push_field(f);
        }
        let mut buf = std::io::Cursor::new(Vec::new());
        w.write(&mut buf, false).expect("write exif");
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&buf.into_inner());
        Some(app1)
    }

    pub fn bytes(&self) -> Vec<u8> {
        let (w, h) = (self.width as usize, self.height as usize);
        let pixels = self
            .pixels
            .clone()
            .unwrap_or_else(|| smooth_pixels(w, h, self.seed));
        let mut out = Vec::new();
        let mut enc = jpeg_encoder::Encoder::new(&mut out, 88);
        enc.set_progressive(self.progressive);
        if let Some(app1) = self.raw_app1.clone().or_else(|| self.exif_block()) {
            enc.add_app_segment(1, app1).expect("app1");
        }
        enc.encode(
            &pixels,
            self.width,
            self.height,
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("encode");
        out
    }

    pub fn write(&self, path: &Path) -> Vec<u8> {
        let b = self.bytes();
        std::fs::write(path, &b).expect("write fixture");
        b
    }
}

/// A photo-like picture: gradients plus a little seeded noise (compresses like a real photo).
pub fn smooth_pixels(w: usize, h: usize, seed: u64) -> Vec<u8> {
    textured_pixels(w, h, seed, 16)
}

/// Like [`smooth_pixels`] with noise up to `grain`: 40 gives 12 MP JPEGs of 3–4 MB, like a camera's.
pub fn textured_pixels(w: usize, h: usize, seed: u64, grain: u8) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (a, b, c) = (rng.u8(..), rng.u8(..), rng.u8(..));
    let mut px = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            let n = rng.u8(..grain.max(1));
            px.push(((x * 255 / w.max(1)) as u8).wrapping_add(a).wrapping_add(n));
            px.push(((y * 255 / h.max(1)) as u8).wrapping_add(b));
            px.push(
                (((x + y) * 127 / (w + h)) as u8)
                    .wrapping_add(c)
                    .wrapping_add(n / 2),
            );
        }
    }
    px
}

/// A PNG with an `eXIf` chunk holding `exif` (a TIFF block, without the `Exif\0\0` prefix).
pub fn png_with_exif(w: u32, h: u32, tiff: &[u8]) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 99]));
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    if tiff.is_empty() {
        return png;
    }
    // Insert eXIf before IEND (the last 12 bytes).
    let iend = png.len() - 12;
    let mut chunk = (tiff.len() as u32).to_be_bytes().to_vec();
    let mut body = b"eXIf".to_vec();
    body.extend_from_slice(tiff);
    chunk.extend_from_slice(&body);
    chunk.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
    png.splice(iend..iend, chunk);
    png
}

/// A JPEG whose frame header claims `w × h` pixels but holds almost no data.
pub fn jpeg_bomb(w: u16, h: u16) -> Vec<u8> {
    let mut b = Jpeg::new(16, 16).bytes();
    let sof = b
        .windows(2)
        .position(|p| p[0] == 0xFF && (p[1] == 0xC0 || p[1] == 0xC2))
        .expect("SOF");
    b[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    b[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    b
}

/// A PNG whose header claims `w × h` pixels, with a valid header CRC.
pub fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    let mut png = png_with_exif(4, 4, &[]);
    png[16..20].copy_from_slice(&w.to_be_bytes());
    png[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32fast::hash(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// Kinds of made-up scenes for the near-duplicate tests: pictures of one kind share their
/// layout and colours (as a person's beach photos do) and differ in the details.
pub const SCENE_KINDS: &[&str] = &["beach", "room", "portrait", "forest"];

/// A photo-like scene of a kind, varied by `seed`: bands of colour, a few shapes, grain.
pub fn scene(kind: &str, seed: u64, w: u32, h: u32) -> image::RgbImage {
    let mut rng = fastrand::Rng::with_seed(seed);
    let jitter = |rng: &mut fastrand::Rng, c: [u8; 3], by: i32| {
        c.map(|v| (v as i32 + rng.i32(-by..=by)).clamp(0, 255) as u8)
    };
    let (top, bottom) = match kind {
        "beach" => ([90, 150, 230], [225, 200, 150]),
        "room" => ([200, 190, 170], [120, 80, 50]),
        "portrait" => ([60, 70, 90], [40, 45, 60]),
        _ => ([110, 160, 110], [50, 90, 40]),
    };
    let (top, bottom) = (jitter(&mut rng, top, 30), jitter(&mut rng, bottom, 30));
    let split = h as f32 * (0.35 + rng.f32() * 0.3);
    let mut img = image::RgbImage::from_fn(w, h, |_, y| {
        let t = y as f32 / h as f32;
        let base = if (y as f32) < split { top } else { bottom };
        image::Rgb(base.map(|v| (v as f32 * (0.8 + 0.4 * t)).min(255.0) as u8))
    });
    // Shapes: the sun and people on a beach, furniture in a room, a face, tree trunks.
    let shapes = 3 + rng.usize(..6);
    for _ in 0..shapes {
        let colour = [rng.u8(..), rng.u8(..), rng.u8(..)];
        let (cx, cy) = (rng.f32() * w as f32, rng.f32() * h as f32);
        let (rx, ry) = match kind {
            "forest" => (w as f32 * 0.02 + rng.f32() * w as f32 * 0.04, h as f32),
            "portrait" => (w as f32 * (0.12 + rng.f32() * 0.1), h as f32 * 0.25),
            _ => (
                w as f32 * (0.04 + rng.f32() * 0.12),
                h as f32 * (0.04 + rng.f32() * 0.12),
            ),
        };
        let square = kind == "room" || kind == "forest";
        let (x0, x1) = ((cx - rx).max(0.0) as u32, ((cx + rx) as u32).min(w));
        let (y0, y1) = ((cy - ry).max(0.0) as u32, ((cy + ry) as u32).min(h));
        for y in y0..y1 {
            for x in x0..x1 {
                let (dx, dy) = ((x as f32 - cx) / rx, (y as f32 - cy) / ry);
                if square || dx * dx + dy * dy <= 1.0 {
                    img.put_pixel(x, y, image::Rgb(colour));
                }
            }
        }
    }
    for p in img.pixels_mut() {
        let n = rng.i32(-6..=6);
        p.0 = p.0.map(|v| (v as i32 + n).clamp(0, 255) as u8);
    }
    img
}

/// JPEG bytes of a picture at a quality.
pub fn jpeg_of(img: &image::RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let enc = jpeg_encoder::Encoder::new(&mut out, quality);
    enc.encode(
        img.as_raw(),
        img.width() as u16,
        img.height() as u16,
        jpeg_encoder::ColorType::Rgb,
    )
    .expect("encode");
    out
}

/// The copies of a photo people end up with: (what was done, the copy's JPEG bytes).
pub fn near_copies(img: &image::RgbImage) -> Vec<(&'static str, Vec<u8>)> {
    use image::imageops::{FilterType, crop_imm, resize};
    let (w, h) = img.dimensions();
    let half = resize(img, w / 2, h / 2, FilterType::Triangle);
    let (cw, ch) = (w / 50, h / 50);
    let cropped = crop_imm(img, cw, ch, w - 2 * cw, h - 2 * ch).to_image();
    let mut bright = img.clone();
    for p in bright.pixels_mut() {
        p.0 = p.0.map(|v| (v as f32 * 1.08 + 4.0).min(255.0) as u8);
    }
    vec![
        ("resized to half", jpeg_of(&half, 85)),
        ("re-encoded at quality 60", jpeg_of(img, 60)),
        ("cropped 2 % on each side", jpeg_of(&cropped, 90)),
        ("brightened 8 %", jpeg_of(&bright, 90)),
    ]
}

/// A Motion Photo as a Pixel writes it: a JPEG whose XMP says a video of `video.len()` bytes
/// follows, and the video after the picture.
pub fn motion_photo(video: &[u8]) -> Vec<u8> {
    let xmp = format!(
        r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:GCamera="http://ns.google.com/photos/1.0/camera/"
 xmlns:Container="http://ns.google.com/photos/1.0/container/"
 xmlns:Item="http://ns.google.com/photos/1.0/container/item/"
 GCamera:MotionPhoto="1" GCamera:MotionPhotoVersion="1" GCamera:MotionPhotoPresentationTimestampUs="0">
<Container:Directory><rdf:Seq>
<rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="image/jpeg" Item:Semantic="Primary" Item:Length="0" Item:Padding="0"/></rdf:li>
<rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="video/mp4" Item:Semantic="MotionPhoto" Item:Length="{}" Item:Padding="0"/></rdf:li>
</rdf:Seq></Container:Directory></rdf:Description></rdf:RDF></x:xmpmeta>"#,
        video.len()
    );
    let mut app1 = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    app1.extend_from_slice(xmp.as_bytes());
    // The XMP takes the APP1 segment this builder has: no EXIF.
    let jpeg = Jpeg::new(320, 240).seed(77).raw_app1(app1).bytes();
    let mut f = jpeg;
    f.extend_from_slice(video);
    f
}

/// A Motion Photo as older Samsung phones write it: a JPEG with no XMP, then Samsung's trailer
/// (entries of marker, name and data; the video under `MotionPhoto_Data`), its `SEFH`
/// directory and `SEFT` at the very end.
pub fn samsung_motion_photo(video: &[u8]) -> Vec<u8> {
    let mut f = Jpeg::new(320, 240)
        .seed(78)
        .taken("2019:07:08 09:10:11", None)
        .bytes();
    let mut entries = Vec::new();
    for (marker, name, data) in [
        (0x0A01u16, &b"Image_UTC_Data"[..], &b"1562577011000"[..]),
        (0x0A30, b"MotionPhoto_Data", video),
    ] {
        let at = f.len();
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(&marker.to_le_bytes());
        f.extend_from_slice(&(name.len() as u32).to_le_bytes());
        f.extend_from_slice(name);
        f.extend_from_slice(data);
        entries.push((marker, at, f.len() - at));
    }
    let sefh = f.len();
    f.extend_from_slice(b"SEFH");
    f.extend_from_slice(&106u32.to_le_bytes());
    f.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for (marker, at, len) in entries {
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(&marker.to_le_bytes());
        f.extend_from_slice(&((sefh - at) as u32).to_le_bytes());
        f.extend_from_slice(&(len as u32).to_le_bytes());
    }
    f.extend_from_slice(&((f.len() - sefh) as u32).to_le_bytes());
    f.extend_from_slice(b"SEFT");
    f
}
