//! `shoebox album`: list albums, put photos in them or take them out, delete them.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: AlbumAction,
}

#[derive(Subcommand)]
pub enum AlbumAction {
    /// The albums, with their photos.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Put photos in an album (made when there is none of that name).
    Add {
        name: String,
        #[arg(required = true)]
        photos: Vec<String>,
    },
    /// Take photos out of an album (the photos stay in the library).
    Remove {
        name: String,
        #[arg(required = true)]
        photos: Vec<String>,
    },
    /// Delete an album, never its photos.
    Delete { name: String },
}

fn find(lib: &Library, name: &str) -> Result<Option<i64>> {
    Ok(lib
        .albums()?
        .into_iter()
        .find(|a| a.name == name)
        .map(|a| a.id))
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let mut lib = open(cli)?;
    match &args.action {
        AlbumAction::List { json } => {
            let mut out = Vec::new();
            for a in lib.albums()? {
                let members = lib.album_members(a.id)?;
                if !json {
                    println!("{}  ({} photo(s))", a.name, members.len());
                }
                out.push(serde_json::json!({"name": a.name, "photos": members}));
            }
            if *json {
                print_json(&out)?;
            }
        }
        AlbumAction::Add { name, photos } => {
            let id = match find(&lib, name)? {
                Some(id) => id,
                None => lib.album_create(name)?.id,
            };
            let hashes = photos
                .iter()
                .map(|p| Ok(lib.show(p)?.hash))
                .collect::<Result<Vec<_>>>()?;
            let n = lib.album_add(id, &hashes)?;
            println!("{n} photo(s) added to {name}");
        }
        AlbumAction::Remove { name, photos } => {
            let id = find(&lib, name)?.ok_or_else(|| anyhow::anyhow!("no album named {name:?}"))?;
            let hashes = photos
                .iter()
                .map(|p| Ok(lib.show(p)?.hash))
                .collect::<Result<Vec<_>>>()?;
            let n = lib.album_remove(id, &hashes)?;
            println!("{n} photo(s) taken out of {name}");
        }
        AlbumAction::Delete { name } => {
            let id = find(&lib, name)?.ok_or_else(|| anyhow::anyhow!("no album named {name:?}"))?;
            lib.album_delete(id)?;
            println!("album {name} deleted; its photos stay in the library");
        }
    }
    Ok(ExitCode::SUCCESS)
}
