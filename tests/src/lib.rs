//! Test support for Shoebox: fixture files made in code, and a handle on the `shoebox` binary.
//!
//! ```no_run
//! let jpeg = shoebox_tests::Jpeg::new(64, 48).taken("2023:07:01 12:34:56", Some("+02:00")).bytes();
//! assert!(jpeg.starts_with(&[0xFF, 0xD8]));
//! ```

pub mod proxy;
pub mod servers;

use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `shoebox` binary built next to the running test (`target/<profile>/shoebox`).
pub fn shoebox_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir.join(format!("shoebox{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: build it with `cargo build -p shoebox-cli` (the README's test command does)",
        bin.display()
    );
    bin
}

/// `shoebox --library LIB args…`, with a clean environment for what Shoebox reads.
pub fn shoebox(lib: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(shoebox_bin());
    c.arg("--library").arg(lib).args(args);
    c.env_remove("SHOEBOX_LIBRARY").env("TZ", "UTC");
    c
}

/// Runs and returns the output, panicking with stderr when the exit code is not `want`.
pub fn run_ok(cmd: &mut Command, want: i32) -> Output {
    let out = cmd.output().expect("run shoebox");
    assert_eq!(
        out.status.code(),
        Some(want),
        "exit code of {cmd:?}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs with `--json` output and parses stdout.
pub fn json(cmd: &mut Command, want: i32) -> serde_json::Value {
    let out = run_ok(cmd, want);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

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

fn ascii(tag: Tag, s: &str) -> Field {
    Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Ascii(vec![s.as_bytes().to_vec()]),
    }
}

fn rationals(tag: Tag, v: &[(u32, u32)]) -> Field {
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

/// A camera RAW laid out as a Nikon NEF or a DNG is (no tool here writes a real one): a TIFF
/// with the EXIF of `taken` by a Nikon Z 6, a small thumbnail and a 600×400 preview JPEG, and
/// filler standing for the sensor data. `seed` makes each one different.
pub fn nef(taken: &str, seed: u64) -> Vec<u8> {
    let exif = Jpeg::new(8, 8)
        .taken(taken, Some("+01:00"))
        .camera("NIKON CORPORATION", "NIKON Z 6", "24-70mm f/4")
        .exif_block()
        .expect("an EXIF block");
    let mut raw = exif[6..].to_vec();
    raw.extend(Jpeg::new(160, 120).seed(1).bytes());
    raw.extend(vec![0x55u8 ^ seed as u8; 4096]);
    raw.extend(
        Jpeg::new(600, 400)
            .pixels(smooth_pixels(600, 400, 3 + seed))
            .bytes(),
    );
    raw
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

/// Hex BLAKE3 of a file.
pub fn hash_of(path: &Path) -> String {
    blake3::hash(&std::fs::read(path).expect("read"))
        .to_hex()
        .to_string()
}

/// The fixtures folder, `tests/data`: of the checkout whose tests run (cargo gives a test the
/// manifest folder of its crate when it runs it; this crate's tests are in `tests`), else of
/// the one this was built from (a target directory may be shared by several checkouts).
pub fn data_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(|d| PathBuf::from(d).join("data"))
        .filter(|d| d.join("sample.heic").is_file())
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("data"))
}

/// The small HEIC and MP4 samples, inside the binary: tools built into a target directory
/// shared by several checkouts must not read a checkout that may be gone.
pub const SAMPLE_HEIC: &[u8] = include_bytes!("../data/sample.heic");
pub const SAMPLE_MP4: &[u8] = include_bytes!("../data/sample.mp4");

/// How a hand-made TIFF stores its pixels.
#[derive(Debug, Clone, Copy)]
pub struct TiffLayout {
    pub width: u32,
    pub height: u32,
    /// Samples per pixel (1 grey, 3 RGB, 4 RGBA).
    pub samples: u16,
    pub bits: u16,
    /// 1 chunky (RGBRGB…), 2 planar (RRR…GGG…BBB…).
    pub planar: u16,
    /// Tiles of this size, or strips of `rows_per_strip` when `None`.
    pub tile: Option<(u32, u32)>,
    pub rows_per_strip: u32,
    /// 1 none; others are written as declared over the same raw bytes (a malformed file).
    pub compression: u16,
}

impl TiffLayout {
    pub fn rgb(width: u32, height: u32) -> Self {
        TiffLayout {
            width,
            height,
            samples: 3,
            bits: 8,
            planar: 1,
            tile: None,
            rows_per_strip: height,
            compression: 1,
        }
    }
}

/// A little-endian baseline TIFF with the given layout and pseudo-random pixels: tiled or
/// striped, chunky or planar, any sample count and depth. Used to feed odd layouts to the
/// decoders (some of which have panicked on them).
pub fn tiff_with(l: TiffLayout, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (cw, ch) = l.tile.unwrap_or((l.width, l.rows_per_strip.max(1)));
    let across = l.width.div_ceil(cw);
    let down = l.height.div_ceil(ch);
    let planes = if l.planar == 2 { l.samples as u32 } else { 1 };
    let per_pixel_bits = if l.planar == 2 {
        l.bits as u32
    } else {
        l.bits as u32 * l.samples as u32
    };
    let row_bytes = (cw * per_pixel_bits).div_ceil(8);
    let chunk_bytes = row_bytes * ch;
    let chunks = if l.tile.is_some() {
        across * down * planes
    } else {
        down * planes
    };
    let mut data = Vec::new();
    let mut offsets = Vec::new();
    let data_start = 8u32;
    for _ in 0..chunks {
        offsets.push(data_start + data.len() as u32);
        data.extend((0..chunk_bytes).map(|_| rng.u8(..)));
    }
    let mut out = b"II*\0".to_vec();
    let ifd_at = data_start + data.len() as u32;
    let ifd_at = ifd_at + (ifd_at & 1);
    out.extend_from_slice(&ifd_at.to_le_bytes());
    out.extend_from_slice(&data);
    if out.len() % 2 == 1 {
        out.push(0);
    }
    // Entries: (tag, type, values). Arrays longer than 4 bytes go after the IFD.
    let mut entries: Vec<(u16, u16, Vec<u32>)> = vec![
        (256, 4, vec![l.width]),
        (257, 4, vec![l.height]),
        (258, 3, vec![l.bits as u32; l.samples as usize]),
        (259, 3, vec![l.compression as u32]),
        (262, 3, vec![if l.samples >= 3 { 2 } else { 1 }]),
        (277, 3, vec![l.samples as u32]),
        (284, 3, vec![l.planar as u32]),
    ];
    if l.samples == 4 {
        entries.push((338, 3, vec![2]));
    }
    let counts = vec![chunk_bytes; chunks as usize];
    match l.tile {
        Some((tw, th)) => {
            entries.push((322, 4, vec![tw]));
            entries.push((323, 4, vec![th]));
            entries.push((324, 4, offsets));
            entries.push((325, 4, counts));
        }
        None => {
            entries.push((273, 4, offsets));
            entries.push((278, 4, vec![ch]));
            entries.push((279, 4, counts));
        }
    }
    entries.sort_by_key(|e| e.0);
    let ifd_len = 2 + entries.len() as u32 * 12 + 4;
    let mut extra: Vec<u8> = Vec::new();
    let mut ifd = Vec::new();
    ifd.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, ty, vals) in &entries {
        let size = if *ty == 3 { 2 } else { 4 };
        let mut bytes = Vec::new();
        for v in vals {
            if *ty == 3 {
                bytes.extend_from_slice(&(*v as u16).to_le_bytes());
            } else {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
        }
        ifd.extend_from_slice(&tag.to_le_bytes());
        ifd.extend_from_slice(&ty.to_le_bytes());
        ifd.extend_from_slice(&(vals.len() as u32).to_le_bytes());
        if vals.len() * size <= 4 {
            bytes.resize(4, 0);
            ifd.extend_from_slice(&bytes);
        } else {
            let at = ifd_at + ifd_len + extra.len() as u32;
            ifd.extend_from_slice(&at.to_le_bytes());
            extra.extend_from_slice(&bytes);
        }
    }
    ifd.extend_from_slice(&0u32.to_le_bytes());
    out.truncate(ifd_at as usize);
    out.resize(ifd_at as usize, 0);
    out.extend_from_slice(&ifd);
    out.extend_from_slice(&extra);
    out
}

/// The store key of an original at library path `path` with content hash `hash` (a
/// content-tagged name: `originals/2023/07/IMG_1~<16 hex>.JPG`).
pub fn store_key(path: &str, hash: &str) -> String {
    shoebox_layout::original_key(
        &shoebox_layout::RelPath::parse(path).expect("a library path"),
        &shoebox_layout::Hash::parse(hash).expect("a content hash"),
    )
}

/// The store key of each asset `shoebox ls --json` lists, in its order.
pub fn store_keys_of(ls: &serde_json::Value) -> Vec<String> {
    ls.as_array()
        .expect("ls --json is an array")
        .iter()
        .map(|a| store_key(a["path"].as_str().unwrap(), a["hash"].as_str().unwrap()))
        .collect()
}

/// A 96×64 JPEG `name` in `dir` (made if needed), taken `when` (EXIF form) at +02:00; its hash.
pub fn photo_taken(dir: &Path, name: &str, seed: u64, when: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let b = Jpeg::new(96, 64)
        .seed(seed)
        .taken(when, Some("+02:00"))
        .write(&dir.join(name));
    blake3::hash(&b).to_hex().to_string()
}

/// One computer of a shared library in a test: its own HOME (settings, secrets) and library,
/// driven through the real `shoebox` binary.
pub struct Device {
    pub home: PathBuf,
    pub lib: PathBuf,
    /// Milliseconds added to this device's wall clock (`SHOEBOX_CLOCK_OFFSET_MS`).
    pub clock_offset_ms: i64,
    /// Segments after which its change log is compacted (`SHOEBOX_CHECKPOINT_EVERY`; 0: the
    /// default).
    pub checkpoint_every: usize,
}

impl Device {
    pub fn new(root: &Path, name: &str, store: &servers::Server) -> Device {
        let d = Device {
            home: root.join(format!("{name}-home")),
            lib: root.join(format!("{name}-lib")),
            clock_offset_ms: 0,
            checkpoint_every: 0,
        };
        std::fs::create_dir_all(&d.home).unwrap();
        run_ok(d.sb(&["target", "add", "shared"]).args(store.cli_args()), 0);
        run_ok(&mut d.sb(&["target", "remove", "local"]), 0);
        d
    }
    pub fn sb(&self, args: &[&str]) -> Command {
        let mut c = shoebox(&self.lib, args);
        c.env("HOME", &self.home)
            .env("SHOEBOX_SECRETS_FILE", self.home.join("secrets.json"))
            .env("SHOEBOX_CLOCK_OFFSET_MS", self.clock_offset_ms.to_string());
        if self.checkpoint_every > 0 {
            c.env(
                "SHOEBOX_CHECKPOINT_EVERY",
                self.checkpoint_every.to_string(),
            );
        }
        c
    }
    pub fn import(&self, dir: &Path) {
        json(self.sb(&["import", "--json"]).arg(dir), 0);
    }
    pub fn hash_of_name(&self, name: &str) -> String {
        let ls = json(&mut self.sb(&["ls", "--json"]), 0);
        ls.as_array()
            .unwrap()
            .iter()
            .find(|a| a["path"].as_str().unwrap().ends_with(name))
            .map(|a| a["hash"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{name} not in {ls}"))
    }
    /// Deletes a photo for good: to the trash, then the trash emptied.
    pub fn delete(&self, hash: &str) {
        run_ok(&mut self.sb(&["trash", hash]), 0);
        run_ok(&mut self.sb(&["trash", "--empty", "--yes"]), 0);
    }
}

/// Runs `cmd` to completion, or fails the test after `limit` (a hang is a failure, not a slow
/// run).
pub fn run_bounded(mut cmd: Command, limit: std::time::Duration) -> Output {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("shoebox did not finish within {limit:?}: it hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The largest peak RSS of any child process this test has waited for.
#[allow(unsafe_code)]
pub fn peak_rss_of_children_bytes() -> u64 {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    ru.ru_maxrss as u64 * 1024
}

/// Every file below `dir` (none when it does not exist).
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
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
