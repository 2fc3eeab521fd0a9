//! `shoebox-heif --max-pixels N [--fit SIZE]`: reads one HEIF/HEIC file on standard input and
//! writes its primary picture, turned and mirrored as the file says and shrunk so its longest
//! edge is at most SIZE (never enlarged), as 8-bit RGB on standard output:
//!
//! ```text
//! b"SBH1"  width: u32 LE  height: u32 LE  width × height × 3 bytes, row by row
//! ```
//!
//! Exit status 0 with that output; 2 with a reason on standard error for a file libheif cannot
//! read; 3 with `WIDTH HEIGHT` on standard error for a picture above the pixel limit, which is
//! checked before anything is decoded. It is a private helper of `shoebox-media`
//! (`heif::decode`), run once per file; both sides of the format live there and here.

use std::io::{Read, Write};
use std::process::ExitCode;

const MAGIC: &[u8; 4] = b"SBH1";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() == 1 && args[0] == "--version" {
        println!("shoebox-heif {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let (mut max_pixels, mut fit) = (None, None);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().and_then(|v| v.parse::<u64>().ok());
        match (flag.as_str(), value) {
            ("--max-pixels", Some(v)) => max_pixels = Some(v),
            ("--fit", Some(v)) if v > 0 => fit = u32::try_from(v).ok(),
            _ => return usage(),
        }
    }
    let Some(max_pixels) = max_pixels else {
        return usage();
    };
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut bytes) {
        eprintln!("cannot read standard input: {e}");
        return ExitCode::from(2);
    }
    match decode(&bytes, max_pixels) {
        Ok(Decoded::Picture(img)) => {
            let img = match fit {
                Some(size) => match shoebox_media::fit(&img, size) {
                    Ok(small) => small,
                    Err(e) => {
                        eprintln!("{e}");
                        return ExitCode::from(2);
                    }
                },
                None => img,
            };
            let mut out = std::io::stdout().lock();
            let written = out
                .write_all(MAGIC)
                .and_then(|()| out.write_all(&img.width().to_le_bytes()))
                .and_then(|()| out.write_all(&img.height().to_le_bytes()))
                .and_then(|()| out.write_all(img.as_raw()))
                .and_then(|()| out.flush());
            match written {
                Ok(()) => ExitCode::SUCCESS,
                // The reader went away (it gave up); nothing to tell it.
                Err(_) => ExitCode::from(4),
            }
        }
        Ok(Decoded::TooLarge { width, height }) => {
            eprintln!("{width} {height}");
            ExitCode::from(3)
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: shoebox-heif --max-pixels N [--fit SIZE] < picture.heic > pixels");
    ExitCode::from(64)
}

enum Decoded {
    Picture(image::RgbImage),
    TooLarge { width: u32, height: u32 },
}

fn decode(bytes: &[u8], max_pixels: u64) -> Result<Decoded, String> {
    use libheif_rs::{ColorSpace, HeifContext, LibHeif, RgbChroma};
    let e = |e: libheif_rs::HeifError| e.to_string();
    let ctx = HeifContext::read_from_bytes(bytes).map_err(e)?;
    let handle = ctx.primary_image_handle().map_err(e)?;
    let (width, height) = (handle.width(), handle.height());
    if u64::from(width) * u64::from(height) > max_pixels {
        return Ok(Decoded::TooLarge { width, height });
    }
    let img = LibHeif::new()
        .decode(&handle, ColorSpace::Rgb(RgbChroma::Rgb), None)
        .map_err(e)?;
    let planes = img.planes();
    let plane = planes.interleaved.ok_or("no interleaved RGB plane")?;
    let (w, h, stride) = (plane.width, plane.height, plane.stride);
    let row = w as usize * 3;
    let mut rgb = Vec::with_capacity(row * h as usize);
    for y in 0..h as usize {
        rgb.extend_from_slice(&plane.data[y * stride..y * stride + row]);
    }
    image::RgbImage::from_raw(w, h, rgb)
        .map(Decoded::Picture)
        .ok_or_else(|| "short pixel data".into())
}
