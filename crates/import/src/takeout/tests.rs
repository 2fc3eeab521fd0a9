use super::archive::entry_path;
use super::*;

fn sidecar(dir: &Path, name: &str, title: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(
        &p,
        format!(r#"{{"title": "{title}", "photoTakenTime": {{"timestamp": "1562000000"}}}}"#),
    )
    .unwrap();
    p
}

fn matched(ix: &mut Index, dir: &Path, media: &str) -> Option<String> {
    ix.sidecar_of(&dir.join(media))
        .ok()
        .map(|s| s.path.file_name().unwrap().to_string_lossy().into_owned())
}

#[test]
fn sidecars_are_matched_in_every_naming_google_uses() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let long = "Screenshot_20190714-101530_Some Very Long App Name.jpg";
    let files = [
        sidecar(d, "IMG_0001.jpg.json", "IMG_0001.jpg"),
        sidecar(d, "IMG_0002.jpg.supplemental-metadata.json", "IMG_0002.jpg"),
        sidecar(d, "IMG_0003.jpg.supp.json", "IMG_0003.jpg"),
        sidecar(d, "IMG.jpg.json", "IMG.jpg"),
        sidecar(d, "IMG.jpg(1).json", "IMG.jpg"),
        sidecar(d, "PIC.jpg.supplemental-metadata(2).json", "PIC.jpg"),
        sidecar(d, "DSC_0104.JPG.json", "DSC_0104.JPG"),
        sidecar(d, &format!("{}.json", &long[..46]), long),
        sidecar(d, "Straße.jpg.json", "Straße.jpg"),
    ];
    let mut report = TakeoutReport::default();
    let mut ix = Index::build(&files, &[d.to_owned()], &mut report);
    assert_eq!(report.sidecars, 9);
    assert_eq!(
        matched(&mut ix, d, "IMG_0001.jpg").as_deref(),
        Some("IMG_0001.jpg.json")
    );
    assert_eq!(
        matched(&mut ix, d, "IMG_0002.jpg").as_deref(),
        Some("IMG_0002.jpg.supplemental-metadata.json")
    );
    assert_eq!(
        matched(&mut ix, d, "IMG_0003.jpg").as_deref(),
        Some("IMG_0003.jpg.supp.json")
    );
    assert_eq!(
        matched(&mut ix, d, "IMG.jpg").as_deref(),
        Some("IMG.jpg.json")
    );
    assert_eq!(
        matched(&mut ix, d, "IMG(1).jpg").as_deref(),
        Some("IMG.jpg(1).json")
    );
    assert_eq!(
        matched(&mut ix, d, "PIC(2).jpg").as_deref(),
        Some("PIC.jpg.supplemental-metadata(2).json")
    );
    assert_eq!(
        matched(&mut ix, d, "IMG-edited.jpg").as_deref(),
        Some("IMG.jpg.json")
    );
    assert_eq!(
        matched(&mut ix, d, "IMG(1)-bearbeitet.jpg").as_deref(),
        Some("IMG.jpg(1).json")
    );
    assert_eq!(
        matched(&mut ix, d, "IMG-bearbeitet(1).jpg").as_deref(),
        Some("IMG.jpg(1).json")
    );
    assert_eq!(
        matched(&mut ix, d, "DSC_0104(1).JPG"),
        None,
        "(1) must not take the plain sidecar"
    );
    assert_eq!(
        matched(&mut ix, d, long).as_deref(),
        Some(&*format!("{}.json", &long[..46]))
    );
    // A zip made on macOS writes names decomposed (NFD).
    let nfd: String = "Straße.jpg".nfd().collect();
    assert_eq!(
        matched(&mut ix, d, &nfd).as_deref(),
        Some("Straße.jpg.json")
    );
    assert!(ix.unused().iter().all(|u| !u.ends_with("IMG.jpg.json")));
}

#[test]
fn archive_entries_that_would_leave_the_folder_are_refused() {
    for bad in [
        "../x.jpg",
        "/etc/x.jpg",
        "a/../../x.jpg",
        "C:/x.jpg",
        "a\\..\\x.jpg",
    ] {
        assert!(entry_path(bad).is_err(), "{bad}");
    }
    assert_eq!(
        entry_path("Takeout/Google Photos/Trip/IMG.jpg").unwrap(),
        PathBuf::from("Takeout/Google Photos/Trip/IMG.jpg")
    );
}

#[test]
fn a_sidecar_date_is_used_when_the_file_has_none_or_google_edited_it() {
    let mut m = Metadata::bare(
        shoebox_types::Kind::Photo,
        "image/jpeg",
        CaptureTime::parse("2020-01-01T10:00:00").unwrap(),
        TimeSource::Mtime,
    );
    let s = Sidecar {
        taken: Some(1_562_000_000), // 2019-07-01T16:53:20Z
        ..Default::default()
    };
    let mut a = m.clone();
    assert_eq!(apply(&mut a, &s), (true, false));
    assert_eq!(a.taken_at.to_string(), "2019-07-01T16:53:20+00:00");
    assert_eq!(a.taken_at_source, TimeSource::Takeout);
    // EXIF a few hours off (its time zone): the camera's local time stays.
    m.taken_at = CaptureTime::parse("2019-07-01T18:53:20+02:00").unwrap();
    m.taken_at_source = TimeSource::Exif;
    let mut b = m.clone();
    assert_eq!(apply(&mut b, &s), (false, false));
    assert_eq!(b.taken_at_source, TimeSource::Exif);
    // Days off: the date was edited in Google Photos.
    m.taken_at = CaptureTime::parse("2019-06-20T18:53:20").unwrap();
    let mut c = m.clone();
    assert!(apply(&mut c, &s).0);
    assert_eq!(c.taken_at_source, TimeSource::Takeout);
}

#[test]
fn merging_sidecars_never_takes_nothing_over_a_value_and_keeps_its_own_on_a_conflict() {
    let rome = Gps {
        lat: 41.8902,
        lon: 12.4922,
        alt: None,
    };
    let mut year = Sidecar {
        path: "Photos from 2020/IMG.jpg.json".into(),
        taken: Some(1_590_000_000),
        gps: Some(rome),
        people: vec!["Anna".into()],
        ..Default::default()
    };
    let album = Sidecar {
        path: "Holiday/IMG.jpg.json".into(),
        taken: Some(1_590_003_600),
        gps: None,
        description: Some("Colosseum".into()),
        favourite: true,
        people: vec!["Anna".into(), "Marco".into()],
        ..Default::default()
    };
    let conflicts = year.merge_from(&album);
    assert_eq!(year.gps, Some(rome), "no place never replaces a place");
    assert_eq!(year.taken, Some(1_590_000_000), "its own time stays");
    assert_eq!(year.description.as_deref(), Some("Colosseum"));
    assert!(year.favourite);
    assert_eq!(year.people, ["Anna", "Marco"]);
    assert_eq!(
        conflicts,
        [(
            "photoTakenTime",
            "2020-05-20T18:40:00+00:00".to_owned(),
            "2020-05-20T19:40:00+00:00".to_owned()
        )]
    );
    // The other way round: the album's time stays, the year's place fills the gap.
    let mut a = album.clone();
    let back = a.merge_from(&year);
    assert_eq!(a.gps, Some(rome));
    assert_eq!(back.len(), 1);
}
