//! `shoebox faces scan` and `shoebox people`: the people in the photos, found on this
//! computer (see the engine's `faces` module).

use crate::*;

#[derive(clap::Args)]
pub struct FacesArgs {
    #[command(subcommand)]
    pub action: FacesAction,
}

#[derive(Subcommand)]
pub enum FacesAction {
    /// Look for faces in every photo not looked at yet, and group them into people.
    /// Resumable: stopped, it carries on where it was.
    Scan {
        /// Threads to use (default: all the cores).
        #[arg(long)]
        threads: Option<usize>,
        #[arg(long)]
        json: bool,
    },
    /// The faces found in one photo (by hash or path), with their people.
    Of {
        photo: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
pub struct PeopleArgs {
    #[command(subcommand)]
    pub action: Option<PeopleAction>,
    /// Hidden people and single unnamed faces too.
    #[arg(long)]
    pub all: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum PeopleAction {
    /// Give a person a name (an empty name takes it away); it reaches the other devices.
    Name { id: i64, name: String },
    /// Merge person A into person B: A's faces become B's.
    Merge { a: i64, b: i64 },
    /// Take a face out of its person (its id from `people faces ID` or `faces of PHOTO`).
    RemoveFace { face: i64 },
    /// Hide a person from the list of people (`--show` to bring them back).
    Hide {
        id: i64,
        #[arg(long)]
        show: bool,
    },
    /// A person's faces, the largest first.
    Faces {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// The photos a person is in, newest first.
    Photos {
        id: i64,
        #[arg(long)]
        json: bool,
    },
}

/// Scans for faces with a progress bar; `Ok(None)` when faces are off (with why on stderr
/// unless `quiet`).
pub(crate) fn scan(
    lib: &mut Library,
    threads: usize,
    show_bar: bool,
    quiet: bool,
) -> Result<Option<FacesReport>> {
    if let Err(e) = shoebox_engine::face_models() {
        if !quiet {
            eprintln!("note: {e}");
        }
        return Ok(None);
    }
    let bar = progress::Bar::counting(show_bar, "Looking for faces");
    let report = lib.scan_faces(threads, &|p| bar.update(p), &AtomicBool::new(false))?;
    bar.finish();
    Ok(Some(report))
}

pub(crate) fn print_scan(r: &FacesReport) {
    println!(
        "Looked at {} photo(s): {} face(s), {} new people, {} skipped.",
        r.photos,
        r.faces,
        r.new_people,
        r.skipped.len()
    );
    for (path, why) in &r.skipped {
        println!("  skipped  {path}: {why}");
    }
    if r.waiting > 0 {
        println!(
            "  {} photo(s) of other devices wait for their previews (`shoebox sync`).",
            r.waiting
        );
    }
}

pub fn faces(cli: &Cli, args: &FacesArgs) -> Result<ExitCode> {
    let mut lib = open(cli)?;
    match &args.action {
        FacesAction::Scan { threads, json } => {
            let threads = threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
            // Faces off is this command's failure, not a note.
            shoebox_engine::face_models()?;
            let show = !json && std::io::stderr().is_terminal();
            let Some(report) = scan(&mut lib, threads, show, true)? else {
                return Ok(ExitCode::from(2));
            };
            if *json {
                print_json(&report)?;
            } else {
                print_scan(&report);
            }
        }
        FacesAction::Of { photo, json } => {
            let a = lib.show(photo)?;
            let faces = lib.faces_of(&a.hash)?;
            if *json {
                print_json(&faces)?;
            } else {
                match lib.face_scan(&a.hash)? {
                    None => println!(
                        "{} has not been looked at for faces yet (`shoebox faces scan`).",
                        a.path
                    ),
                    Some((_, Some(why))) => println!("{} was skipped: {why}", a.path),
                    Some(_) => print_faces(&faces),
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_faces(faces: &[FaceRow]) {
    if faces.is_empty() {
        println!("No faces.");
    }
    for f in faces {
        let [x, y, w, h] = f.bbox;
        println!(
            "face {:<6} {:>4.0}% {:>4.0}% {:>4.0}%×{:.0}%  {}",
            f.id,
            x * 100.0,
            y * 100.0,
            w * 100.0,
            h * 100.0,
            match (&f.name, f.person) {
                (Some(n), Some(p)) => format!("{n} (person {p})"),
                (None, Some(p)) => format!("person {p}"),
                _ => "no one".into(),
            }
        );
    }
}

pub fn people(cli: &Cli, args: &PeopleArgs) -> Result<ExitCode> {
    let mut lib = open(cli)?;
    let say = |p: &Person| {
        println!(
            "person {} is now {} ({} faces in {} photos)",
            p.id,
            p.name.as_deref().unwrap_or("unnamed"),
            p.faces,
            p.photos
        )
    };
    match &args.action {
        None => {
            let people = lib.people(args.all)?;
            if args.json {
                return print_json(&people).map(|_| ExitCode::SUCCESS);
            }
            if people.is_empty() {
                println!("No people yet. `shoebox faces scan` looks for faces.");
            }
            for p in &people {
                println!(
                    "{:>6}  {:<24} {:>5} faces  {:>5} photos{}",
                    p.id,
                    p.name.as_deref().unwrap_or("(unnamed)"),
                    p.faces,
                    p.photos,
                    if p.hidden { "  hidden" } else { "" }
                );
            }
        }
        Some(PeopleAction::Name { id, name }) => say(&lib.name_person(*id, name)?),
        Some(PeopleAction::Merge { a, b }) => say(&lib.merge_people(*a, *b)?),
        Some(PeopleAction::RemoveFace { face }) => {
            lib.remove_face(*face)?;
            println!("face {face} is in no one now");
        }
        Some(PeopleAction::Hide { id, show }) => {
            lib.hide_person(*id, !show)?;
            println!("person {id} is {}", if *show { "shown" } else { "hidden" });
        }
        Some(PeopleAction::Faces { id, json }) => {
            let faces = lib.person_faces(*id)?;
            if *json {
                print_json(&faces)?;
            } else {
                print_faces(&faces);
            }
        }
        Some(PeopleAction::Photos { id, json }) => {
            let photos = lib.person_photos(*id)?;
            if *json {
                print_json(&cmd::ls::listed(&lib, &photos)?)?;
            } else {
                for a in &photos {
                    println!("{}  {}  {}", a.hash.short(12), a.meta.taken_at, a.path);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
