//! Near-duplicates (issue 14): copies of a photo — resized, re-encoded at quality 60, cropped
//! 2 % on each side, brightened — group with it; different photos of the same kind of scene do
//! not. Precision and recall over the generated set are printed.

use shoebox_tests::*;
use std::collections::{BTreeSet, HashMap};

#[test]
fn copies_group_with_their_photo_and_nothing_else() {
    let t = tempfile::tempdir().unwrap();
    let (lib, src) = (t.path().join("lib"), t.path().join("src"));
    std::fs::create_dir_all(&src).unwrap();
    // Which scene each file shows.
    let mut scene_of: HashMap<String, String> = HashMap::new();
    let mut originals = BTreeSet::new();
    for kind in SCENE_KINDS {
        for i in 0..8u64 {
            let id = format!("{kind}{i}");
            let img = scene(kind, 1000 + i * 31 + kind.len() as u64, 800, 600);
            // The original: full size, from a camera, with a date.
            let name = format!("{id}.jpg");
            Jpeg::new(800, 600)
                .pixels(img.as_raw().clone())
                .camera("Canon", "EOS R6", "RF 24-105")
                .taken("2023-07-01T12:00:00", None)
                .write(&src.join(&name));
            originals.insert(name.clone());
            scene_of.insert(name, id.clone());
            for (n, (_, bytes)) in near_copies(&img).into_iter().enumerate() {
                let name = format!("{id}-copy{n}.jpg");
                std::fs::write(src.join(&name), bytes).unwrap();
                scene_of.insert(name, id.clone());
            }
        }
    }
    // Unrelated pictures of another sort: alone.
    for i in 0..6 {
        let name = format!("other{i}.jpg");
        Jpeg::new(640, 480).seed(500 + i).write(&src.join(&name));
        scene_of.insert(name.clone(), name);
    }
    run_ok(&mut shoebox(&lib, &["import", src.to_str().unwrap()]), 0);
    let groups = json(&mut shoebox(&lib, &["duplicates", "--json"]), 0);
    let groups = groups.as_array().unwrap();

    // Pairs of files that show the same scene, and pairs that were grouped.
    let names: Vec<&String> = scene_of.keys().collect();
    let mut truth = BTreeSet::new();
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            if scene_of[*a] == scene_of[*b] {
                truth.insert(pair(a, b));
            }
        }
    }
    let mut found = BTreeSet::new();
    for g in groups {
        let members: Vec<String> = g["photos"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["original_name"].as_str().unwrap().to_owned())
            .collect();
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                found.insert(pair(a, b));
            }
        }
        // The one to keep is the camera's original, and it comes first.
        let keep = g["keep"].as_str().unwrap();
        assert_eq!(g["photos"][0]["hash"], keep);
        let kept = g["photos"][0]["original_name"].as_str().unwrap();
        assert!(originals.contains(kept), "kept {kept} of {members:?}");
        let s = g["similarity"].as_f64().unwrap();
        assert!((0.5..=1.0).contains(&s), "{s}");
    }
    let right = found.intersection(&truth).count() as f64;
    let precision = right / found.len().max(1) as f64;
    let recall = right / truth.len() as f64;
    eprintln!(
        "near-duplicates: {} groups, {} true pairs, {} found, precision {precision:.3}, recall {recall:.3}",
        groups.len(),
        truth.len(),
        found.len()
    );
    let wrong: Vec<_> = found.difference(&truth).collect();
    assert!(wrong.is_empty(), "grouped but different: {wrong:?}");
    let missed: Vec<_> = truth.difference(&found).collect();
    assert!(missed.is_empty(), "copies not grouped: {missed:?}");
    assert_eq!(groups.len(), 32);

    // Keeping the original of one group: the rest go to the trash and the group is gone.
    let g = &groups[0];
    let rest: Vec<&str> = g["photos"].as_array().unwrap()[1..]
        .iter()
        .map(|p| p["hash"].as_str().unwrap())
        .collect();
    let mut args = vec!["trash"];
    args.extend(&rest);
    run_ok(&mut shoebox(&lib, &args), 0);
    let after = json(&mut shoebox(&lib, &["duplicates", "--json"]), 0);
    assert_eq!(after.as_array().unwrap().len(), 31);
    assert!(
        !after.to_string().contains(g["keep"].as_str().unwrap()),
        "the kept photo is alone now"
    );
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}
