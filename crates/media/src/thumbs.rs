//! Thumbnails: shrink-on-load JPEG decoding, orientation, a SIMD resize, JPEG out.

use crate::metadata::format_name;
use crate::tools::{FFMPEG_TIMEOUT, ffmpeg_path, quiet_command, run_with_timeout};
use crate::{Error, Format, Result, extension_of, format_for_extension};
use fast_image_resize as fr;
use image::{DynamicImage, RgbImage};
use shoebox_types::Metadata;
use std::io::Cursor;
use std::path::Path;

/// Explicit decoding limits, so that a hostile header cannot exhaust memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest image, in pixels, that we agree to decode.
    pub max_pixels: u64,
    /// Largest single allocation a decoder may make, in bytes.
    pub max_alloc: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pixels: 200_000_000,
            max_alloc: 1 << 30,
        }
    }
}

/// One encoded thumbnail: the longest edge it was made for, and its JPEG bytes.
#[derive(Debug, Clone)]
pub struct Thumbnail {
    pub size: u32,
    pub width: u32,
    pub height: u32,
    pub jpeg: Vec<u8>,
}

/// Makes the thumbnails of one file.
#[derive(Debug, Clone)]
pub struct Thumbnailer {
    /// Longest edges, e.g. `[320, 1440]` for the grid and the viewer's preview.
    pub sizes: Vec<u32>,
    pub limits: Limits,
    pub quality: u8,
    /// Degrees clockwise to turn the picture after its own orientation (a photo turned in the
    /// catalog, for an export); 0 for thumbnails, which the app turns as it shows them.
    pub turn: u16,
}

impl Default for Thumbnailer {
    fn default() -> Self {
        Thumbnailer {
            sizes: vec![320, 1440],
            limits: Limits::default(),
            quality: 82,
            turn: 0,
        }
    }
}

/// Whether HEIC pictures can be decoded here: `shoebox-heif`, the decoder's own program, was
/// found (see [`crate::heif::decoder_path`]).
pub fn heic_supported() -> bool {
    crate::heif::decoder_path().is_some()
}

impl Thumbnailer {
    /// Decodes `bytes` (the file at `path`) and returns one JPEG per size, smallest first.
    ///
    /// [`Error::Unsupported`] means "no preview here" (HEIC without libheif, video without
    /// ffmpeg); the file itself is fine.
    ///
    /// A decoder that panics on a malformed file (it happens: see `tests/hostile.rs`) is
    /// contained here and reported as [`Error::Crashed`] for that file alone.
    pub fn make(&self, path: &Path, bytes: &[u8], meta: &Metadata) -> Result<Vec<Thumbnail>> {
        crate::contain("decoding", || self.make_inner(path, bytes, meta))
    }

    fn make_inner(&self, path: &Path, bytes: &[u8], meta: &Metadata) -> Result<Vec<Thumbnail>> {
        let ext = extension_of(path).unwrap_or_default();
        let (format, _) = format_for_extension(&ext).ok_or(Error::UnknownType(ext))?;
        let largest = self.sizes.iter().copied().max().unwrap_or(320);
        let img = match format {
            Format::Jpeg => self.decode_jpeg(bytes, largest)?,
            Format::Raw => self.decode_jpeg(crate::raw::preview_bytes(bytes)?, largest)?,
            Format::Heif => crate::heif::decode(bytes, self.limits, largest)?,
            Format::IsoVideo | Format::OtherVideo => poster_frame(path, largest)?,
            other => self.decode_generic(bytes, other)?,
        };
        let img = match (format, meta.orientation) {
            // libheif and ffmpeg have already turned the picture.
            (Format::Heif | Format::IsoVideo | Format::OtherVideo, _) | (_, None | Some(1)) => img,
            (_, Some(o)) => {
                let mut d = DynamicImage::ImageRgb8(img);
                if let Some(o) = image::metadata::Orientation::from_exif(o) {
                    d.apply_orientation(o);
                }
                d.into_rgb8()
            }
        };
        let img = match self.turn % 360 {
            90 => image::imageops::rotate90(&img),
            180 => image::imageops::rotate180(&img),
            270 => image::imageops::rotate270(&img),
            _ => img,
        };
        let mut sizes = self.sizes.clone();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        let mut out = Vec::new();
        let mut src = img;
        for size in sizes {
            // Each smaller size is made from the previous one: far less work than from the full image.
            src = fit(&src, size)?;
            let jpeg = encode_jpeg(&src, self.quality)?;
            out.push(Thumbnail {
                size,
                width: src.width(),
                height: src.height(),
                jpeg,
            });
        }
        out.reverse();
        Ok(out)
    }

    fn check_size(&self, w: u64, h: u64) -> Result<()> {
        if w * h > self.limits.max_pixels {
            return Err(Error::TooLarge {
                width: w,
                height: h,
                megapixels: w * h / 1_000_000,
                limit: self.limits.max_pixels / 1_000_000,
            });
        }
        Ok(())
    }

    /// Shrink-on-load: the scaled IDCT decodes at a fraction of the size when that still covers
    /// the largest thumbnail, which is where most of the import time goes. libjpeg-turbo does it
    /// when built in (`turbojpeg` feature); jpeg-decoder otherwise, and for what libjpeg-turbo
    /// will not turn into RGB (CMYK).
    fn decode_jpeg(&self, bytes: &[u8], largest: u32) -> Result<RgbImage> {
        #[cfg(feature = "turbojpeg")]
        match self.decode_turbo(bytes, largest) {
            Ok(Some(img)) => return Ok(img),
            Ok(None) => {}
            Err(e @ Error::TooLarge { .. }) => return Err(e),
            Err(e) => {
                tracing::debug!("libjpeg-turbo could not decode it ({e}); trying jpeg-decoder")
            }
        }
        self.decode_jpeg_rust(bytes, largest)
    }

    /// libjpeg-turbo's decode at the smallest of its scales (n/8) covering `largest`; None for
    /// colour spaces it does not turn into RGB.
    #[cfg(feature = "turbojpeg")]
    fn decode_turbo(&self, bytes: &[u8], largest: u32) -> Result<Option<RgbImage>> {
        use turbojpeg::{Colorspace, Decompressor, Image, PixelFormat, ScalingFactor};
        let corrupt = |e: turbojpeg::Error| Error::corrupt("JPEG", e);
        let mut d = Decompressor::new().map_err(corrupt)?;
        let header = d.read_header(bytes).map_err(corrupt)?;
        if matches!(header.colorspace, Colorspace::CMYK | Colorspace::YCCK) {
            return Ok(None);
        }
        self.check_size(header.width as u64, header.height as u64)?;
        // A progressive file of thousands of tiny scans is a known way to make a decoder spin.
        d.set_scan_limit(500).map_err(corrupt)?;
        let long = header.width.max(header.height);
        let factor = Decompressor::supported_scaling_factors()
            .into_iter()
            .filter(|f| f.num() <= f.denom() && f.scale(long) >= (largest as usize).min(long))
            .min_by(|a, b| (a.num() * b.denom()).cmp(&(b.num() * a.denom())))
            .unwrap_or(ScalingFactor::ONE);
        d.set_scaling_factor(factor).map_err(corrupt)?;
        let size = header.scaled(factor);
        let pitch = size.width * 3;
        let mut img = Image {
            pixels: vec![0u8; pitch * size.height],
            width: size.width,
            pitch,
            height: size.height,
            format: PixelFormat::RGB,
        };
        d.decompress(bytes, img.as_deref_mut()).map_err(corrupt)?;
        let img = RgbImage::from_raw(size.width as u32, size.height as u32, img.pixels)
            .ok_or_else(|| Error::corrupt("JPEG", "short pixel data"))?;
        Ok(Some(img))
    }

    fn decode_jpeg_rust(&self, bytes: &[u8], largest: u32) -> Result<RgbImage> {
        let mut d = jpeg_decoder::Decoder::new(Cursor::new(bytes));
        d.set_max_decoding_buffer_size(self.limits.max_alloc as usize);
        d.read_info().map_err(|e| Error::corrupt("JPEG", e))?;
        let info = d
            .info()
            .ok_or_else(|| Error::corrupt("JPEG", "no frame header"))?;
        let (w, h) = (info.width as u32, info.height as u32);
        self.check_size(w as u64, h as u64)?;
        let long = w.max(h);
        if long > largest {
            let rw = (w as u64 * largest as u64).div_ceil(long as u64) as u16;
            let rh = (h as u64 * largest as u64).div_ceil(long as u64) as u16;
            d.scale(rw.max(1), rh.max(1))
                .map_err(|e| Error::corrupt("JPEG", e))?;
        }
        let pixels = match d.decode() {
            Ok(p) => p,
            // Some valid JPEGs (arithmetic coding, odd sampling) need the other decoder.
            Err(_) => return self.decode_generic(bytes, Format::Jpeg),
        };
        let info = d
            .info()
            .ok_or_else(|| Error::corrupt("JPEG", "no frame header"))?;
        let (w, h) = (info.width as u32, info.height as u32);
        let rgb: Vec<u8> = match info.pixel_format {
            jpeg_decoder::PixelFormat::RGB24 => pixels,
            jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&l| [l, l, l]).collect(),
            jpeg_decoder::PixelFormat::L16 => pixels
                .chunks_exact(2)
                .flat_map(|p| [p[0], p[0], p[0]])
                .collect(),
            jpeg_decoder::PixelFormat::CMYK32 => pixels
                .chunks_exact(4)
                .flat_map(|p| {
                    let k = 255 - p[3] as u16;
                    let ch = |c: u8| ((255 - c as u16) * k / 255) as u8;
                    [ch(p[0]), ch(p[1]), ch(p[2])]
                })
                .collect(),
        };
        RgbImage::from_raw(w, h, rgb).ok_or_else(|| Error::corrupt("JPEG", "short pixel data"))
    }

    fn decode_generic(&self, bytes: &[u8], format: Format) -> Result<RgbImage> {
        let name = format_name(format);
        let f = match format {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
            Format::WebP => image::ImageFormat::WebP,
            Format::Gif => image::ImageFormat::Gif,
            _ => image::ImageFormat::Tiff,
        };
        let (w, h) = image::ImageReader::with_format(Cursor::new(bytes), f)
            .into_dimensions()
            .map_err(|e| Error::corrupt(name, e))?;
        self.check_size(w as u64, h as u64)?;
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(w);
        limits.max_image_height = Some(h);
        limits.max_alloc = Some(self.limits.max_alloc);
        let mut reader = image::ImageReader::with_format(Cursor::new(bytes), f);
        reader.limits(limits);
        let img = reader.decode().map_err(|e| Error::corrupt(name, e))?;
        Ok(img.into_rgb8())
    }
}

/// Resizes so that the longest edge is at most `size`; never enlarges. (`shoebox-heif` uses it
/// too, so a HEIC is shrunk there exactly as it would be here.)
pub fn fit(img: &RgbImage, size: u32) -> Result<RgbImage> {
    let (w, h) = img.dimensions();
    let long = w.max(h);
    if long <= size {
        return Ok(img.clone());
    }
    let nw = ((w as u64 * size as u64 + long as u64 / 2) / long as u64).max(1) as u32;
    let nh = ((h as u64 * size as u64 + long as u64 / 2) / long as u64).max(1) as u32;
    let src = fr::images::ImageRef::new(w, h, img.as_raw(), fr::PixelType::U8x3)
        .map_err(|e| Error::Thumbnail(e.to_string()))?;
    let mut dst = fr::images::Image::new(nw, nh, fr::PixelType::U8x3);
    let opts =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::CatmullRom));
    fr::Resizer::new()
        .resize(&src, &mut dst, &opts)
        .map_err(|e| Error::Thumbnail(e.to_string()))?;
    RgbImage::from_raw(nw, nh, dst.into_vec()).ok_or_else(|| Error::Thumbnail("resize".into()))
}

fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity((img.width() * img.height() / 4) as usize);
    let (w, h) = (
        u16::try_from(img.width()).map_err(|_| Error::Thumbnail("too wide".into()))?,
        u16::try_from(img.height()).map_err(|_| Error::Thumbnail("too tall".into()))?,
    );
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(img.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| Error::Thumbnail(e.to_string()))?;
    Ok(out)
}

/// A frame one second in (or the first, for shorter clips), through ffmpeg.
fn poster_frame(path: &Path, largest: u32) -> Result<RgbImage> {
    let Some(ffmpeg) = ffmpeg_path() else {
        return Err(Error::Unsupported(
            "video poster frames (ffmpeg is not installed)",
        ));
    };
    let scale = format!(
        "scale='min({largest},iw)':'min({largest},ih)':force_original_aspect_ratio=decrease"
    );
    let run = |seek: &str| {
        let mut cmd = quiet_command(ffmpeg);
        cmd.args(["-nostdin", "-v", "error", "-ss", seek, "-i"])
            .arg(path)
            .args([
                "-frames:v",
                "1",
                "-vf",
                &scale,
                "-f",
                "image2pipe",
                "-c:v",
                "png",
                "-",
            ]);
        run_with_timeout(&mut cmd, FFMPEG_TIMEOUT)
    };
    let mut out = run("1").map_err(|e| Error::Thumbnail(format!("ffmpeg: {e}")))?;
    if out.stdout.is_empty() {
        out = run("0").map_err(|e| Error::Thumbnail(format!("ffmpeg: {e}")))?;
    }
    if out.stdout.is_empty() {
        let msg = String::from_utf8_lossy(&out.stderr);
        return Err(Error::Thumbnail(format!(
            "ffmpeg found no frame: {}",
            msg.lines().next().unwrap_or("no output")
        )));
    }
    image::load_from_memory_with_format(&out.stdout, image::ImageFormat::Png)
        .map(|i| i.into_rgb8())
        .map_err(|e| Error::Thumbnail(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A photo-like picture (gradients and texture) as a baseline JPEG.
    fn photo_jpeg(w: u16, h: u16) -> Vec<u8> {
        let img = RgbImage::from_fn(w as u32, h as u32, |x, y| {
            let n = ((x * 7919 + y * 104_729) % 23) as u8;
            image::Rgb([
                (x * 255 / w as u32) as u8 ^ n,
                (y * 255 / h as u32) as u8,
                ((x + y) % 256) as u8,
            ])
        });
        encode_jpeg(&img, 90).unwrap()
    }

    #[cfg(feature = "turbojpeg")]
    fn mean_difference(a: &RgbImage, b: &RgbImage) -> f64 {
        assert_eq!(a.dimensions(), b.dimensions());
        let sum: u64 = a
            .as_raw()
            .iter()
            .zip(b.as_raw())
            .map(|(x, y)| x.abs_diff(*y) as u64)
            .sum();
        sum as f64 / a.as_raw().len() as f64
    }

    /// Shrink-on-load picks the smallest eighth that still covers the largest thumbnail.
    #[cfg(feature = "turbojpeg")]
    #[test]
    fn libjpeg_turbo_decodes_at_the_smallest_covering_scale() {
        let t = Thumbnailer::default();
        let jpeg = photo_jpeg(1600, 1200);
        // 320: 1/8 gives 200 (too small), 2/8 gives 400.
        let img = t.decode_turbo(&jpeg, 320).unwrap().unwrap();
        assert_eq!(img.dimensions(), (400, 300));
        // 1440: 7/8 gives 1400 (too small), 8/8 is the whole picture.
        let img = t.decode_turbo(&jpeg, 1440).unwrap().unwrap();
        assert_eq!(img.dimensions(), (1600, 1200));
        // Smaller than asked for: decoded whole, never enlarged.
        let small = photo_jpeg(200, 100);
        let img = t.decode_turbo(&small, 320).unwrap().unwrap();
        assert_eq!(img.dimensions(), (200, 100));
    }

    /// libjpeg-turbo and the pure-Rust decoder give the same picture (within rounding of the
    /// two IDCTs and colour conversions), so thumbnails do not change with the feature.
    #[cfg(feature = "turbojpeg")]
    #[test]
    fn both_decoders_give_the_same_picture() {
        let t = Thumbnailer::default();
        let jpeg = photo_jpeg(1200, 900);
        let turbo = t.decode_turbo(&jpeg, 600).unwrap().unwrap();
        let rust = t.decode_jpeg_rust(&jpeg, 600).unwrap();
        assert_eq!(turbo.dimensions(), (600, 450));
        let d = mean_difference(&turbo, &rust);
        assert!(d < 3.0, "mean difference {d}");
    }

    /// A corrupt JPEG is an error naming the format, and a picture too large is refused before
    /// any pixel is allocated, with either decoder.
    #[test]
    fn corrupt_and_oversized_jpegs_are_refused() {
        let t = Thumbnailer::default();
        let mut jpeg = photo_jpeg(64, 48);
        jpeg.truncate(40);
        let e = t.decode_jpeg(&jpeg, 320).unwrap_err();
        assert!(matches!(e, Error::Corrupt { .. }), "{e:?}");
        let tight = Thumbnailer {
            limits: Limits {
                max_pixels: 1000,
                ..Limits::default()
            },
            ..Thumbnailer::default()
        };
        let e = tight.decode_jpeg(&photo_jpeg(64, 48), 320).unwrap_err();
        assert!(matches!(e, Error::TooLarge { .. }), "{e:?}");
    }
}
