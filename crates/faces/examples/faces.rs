//! `cargo run -p shoebox-faces --example faces -- [--chip] IMAGE...`: the faces in each image
//! (or the descriptor of each aligned chip with `--chip`), as JSON lines. For checking the
//! models against dlib's own Python build (`scripts/faces/`).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let chip_mode = args.first().is_some_and(|a| a == "--chip");
    let models = shoebox_faces::FaceModels::load(&shoebox_faces::models_dir())?;
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let img = image::open(path)?.to_rgb8();
        if chip_mode {
            let d = models.describe_chip(img.as_raw())?;
            println!("{{\"file\":{path:?},\"descriptor\":{d:?}}}");
            continue;
        }
        for f in models.faces(&img)? {
            let d = &f.detection;
            println!(
                "{{\"file\":{path:?},\"bbox\":{:?},\"score\":{},\"landmarks\":{:?},\"descriptor\":{:?}}}",
                d.bbox,
                d.score,
                d.landmarks.iter().map(|p| [p.x, p.y]).collect::<Vec<_>>(),
                f.descriptor
            );
        }
    }
    Ok(())
}
