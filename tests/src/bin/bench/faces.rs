//! `shoebox-bench faces`: finding and describing faces, against the same models in Python
//! (onnxruntime and dlib's own build, `scripts/faces/peer.py`), one thread each on the same
//! pictures; how well the faces group; and what a scan of a library costs in time and memory.

use super::*;
use shoebox_faces::{FaceModels, distance, models_dir, regroup};
use std::path::Path;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The pictures both sides see: the face test photos at most 1440 px long (a preview's size),
/// as PNG so both decode the same pixels.
fn inputs(work: &Path) -> Result<Vec<PathBuf>> {
    let src = shoebox_tests::face_photos_dir();
    let dir = work.join("inputs");
    std::fs::create_dir_all(&dir)?;
    let mut out = Vec::new();
    for name in [
        "obama.jpg",
        "obama2.jpg",
        "obama3.jpg",
        "biden.jpg",
        "astronaut.png",
        "camera.png",
        "coffee.png",
        "rocket.jpg",
    ] {
        let img = image::open(src.join(name))?.to_rgb8();
        let s = 1440.0 / img.width().max(img.height()) as f32;
        let img = if s < 1.0 {
            image::imageops::resize(
                &img,
                (img.width() as f32 * s) as u32,
                (img.height() as f32 * s) as u32,
                image::imageops::FilterType::Triangle,
            )
        } else {
            img
        };
        let p = dir.join(format!("{name}.png"));
        img.save(&p)?;
        out.push(p);
    }
    Ok(out)
}

/// Peak resident memory of a running child, read from /proc until it ends.
fn peak_rss_kib(mut child: std::process::Child) -> Result<(std::process::ExitStatus, u64)> {
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_file)
            && let Some(kib) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kib);
        }
        if let Some(st) = child.try_wait()? {
            return Ok((st, peak));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn bench_faces(work: &Path, rounds: usize, scans: &[usize]) -> Result<()> {
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work)?;
    let dir = models_dir();
    let models =
        FaceModels::load(&dir).map_err(|e| anyhow::anyhow!("{e} (run scripts/fetch-models.sh)"))?;
    let files = inputs(work)?;
    let imgs: Vec<image::RgbImage> = files
        .iter()
        .map(|f| image::open(f).map(|i| i.to_rgb8()))
        .collect::<std::result::Result<_, _>>()?;

    // Detector + descriptor, one thread, same pictures.
    let mut ours = Vec::new();
    let mut descriptors = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let mut found = Vec::new();
        for img in &imgs {
            found.extend(
                models
                    .faces(img)
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                    .into_iter()
                    .map(|f| f.descriptor),
            );
        }
        ours.push(t.elapsed().as_secs_f64());
        descriptors = found;
    }
    let peer = Command::new("python3")
        .arg(shoebox_tests::checkout().join("scripts/faces/peer.py"))
        .arg(&dir)
        .arg(rounds.to_string())
        .args(&files)
        .stderr(Stdio::null())
        .output()
        .context("python3 scripts/faces/peer.py (scripts/setup.sh --bench installs dlib-bin and onnxruntime)")?;
    if !peer.status.success() {
        bail!(
            "the Python peer failed: {}",
            String::from_utf8_lossy(&peer.stdout)
        );
    }
    let peer: serde_json::Value = serde_json::from_slice(&peer.stdout)?;
    let theirs: Vec<f64> = peer["seconds"]
        .as_array()
        .context("seconds")?
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    let their_desc: Vec<[f32; 128]> = peer["descriptors"]
        .as_array()
        .context("descriptors")?
        .iter()
        .map(|d| {
            let mut a = [0f32; 128];
            for (x, v) in a.iter_mut().zip(d.as_array().into_iter().flatten()) {
                *x = v.as_f64().unwrap_or(0.0) as f32;
            }
            a
        })
        .collect();
    let worst = descriptors
        .iter()
        .map(|d| {
            their_desc
                .iter()
                .map(|t| distance(d, t))
                .fold(f32::INFINITY, f32::min)
        })
        .fold(0f32, f32::max);
    let n = descriptors.len() as f64;
    let (o, t) = (median(ours), median(theirs));
    println!(
        "faces: {} pictures (at most 1440 px), {} faces found here, {} by the Python peer",
        imgs.len(),
        descriptors.len(),
        peer["faces"]
    );
    println!(
        "  shoebox (tract + ndarray)          {o:.3} s  {:.1} faces/s",
        n / o
    );
    println!(
        "  python (onnxruntime + dlib 20.0.1) {t:.3} s  {:.1} faces/s",
        n / t
    );
    println!(
        "  ratio shoebox/python: {:.2}x time  (medians of {rounds}, one thread each)",
        o / t
    );
    println!(
        "  descriptors: each within {worst:.3} of the peer's for the same face (same person: < 0.6)"
    );

    // Grouping: the test photos and their variants.
    let people_dir = work.join("people");
    let who = shoebox_tests::face_people(&people_dir);
    let mut faces = Vec::new();
    let mut owners = Vec::new();
    for (name, person) in &who {
        let img = image::open(people_dir.join(name))?.to_rgb8();
        for f in models.faces(&img).map_err(|e| anyhow::anyhow!("{e}"))? {
            faces.push(f.descriptor);
            owners.push(*person);
        }
    }
    let groups = regroup(&faces);
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for i in 0..faces.len() {
        for j in i + 1..faces.len() {
            match (
                owners[i] == owners[j] && !owners[i].is_empty(),
                groups[i] == groups[j],
            ) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                _ => {}
            }
        }
    }
    println!(
        "grouping: {} photos, {} faces into {} people; pairwise precision {:.2}, recall {:.2}",
        who.len(),
        faces.len(),
        groups.iter().max().map_or(0, |m| m + 1),
        tp as f64 / (tp + fp).max(1) as f64,
        tp as f64 / (tp + fn_).max(1) as f64
    );

    // A library scan: previews decoded, faces found, described, grouped and written.
    let shoebox = bin_dir()?.join("shoebox");
    for &count in scans {
        let lib = work.join(format!("lib-{count}"));
        let src = work.join(format!("src-{count}"));
        std::fs::create_dir_all(&src)?;
        for i in 0..count {
            let mut bytes = std::fs::read(&files[i % 6])?;
            // A different file each time (a PNG ignores bytes after its end).
            bytes.extend_from_slice(format!("copy {i}").as_bytes());
            std::fs::write(src.join(format!("P{i:05}.png")), bytes)?;
        }
        let st = Command::new(&shoebox)
            .arg("--library")
            .arg(&lib)
            .args(["import", "--no-faces", "--json"])
            .arg(&src)
            .stdout(Stdio::null())
            .status()?;
        if !st.success() {
            bail!("import of {count} photos failed");
        }
        let t = Instant::now();
        let child = Command::new(&shoebox)
            .arg("--library")
            .arg(&lib)
            .args(["faces", "scan", "--threads", "2", "--json"])
            .env("SHOEBOX_MODELS", &dir)
            .stdout(Stdio::null())
            .spawn()?;
        let (st, peak) = peak_rss_kib(child)?;
        let secs = t.elapsed().as_secs_f64();
        if !st.success() {
            bail!("faces scan of {count} photos failed");
        }
        println!(
            "scan of a library: {count} photos in {secs:.1} s ({:.1} photos/s, 2 threads), peak RSS {:.0} MB",
            count as f64 / secs,
            peak as f64 / 1024.0
        );
    }
    Ok(())
}
