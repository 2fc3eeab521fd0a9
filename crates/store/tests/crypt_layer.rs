//! The encryption layer over files the real `rclone` wrote into a crypt remote: listing gives
//! the plain names, stat the plain sizes, whole and ranged reads the plain bytes (ranges that
//! start and end inside chunks, cross chunk edges, or run to the end), and a wrong password
//! reads nothing.

use opendal::Operator;
use shoebox_crypt::Keys;
use shoebox_store::crypt::CryptLayer;
use std::process::Command;

fn bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) as u8
        })
        .collect()
}

#[test]
fn what_rclone_wrote_reads_through_the_layer_whole_and_in_ranges() {
    let t = tempfile::tempdir().unwrap();
    let (plain, enc) = (t.path().join("plain"), t.path().join("enc"));
    let files = [
        ("originals/2026/11/VID_0001.MP4", bytes(300_000, 1)),
        ("originals/2026/11/IMG_0002.JPG", bytes(65_536, 2)),
        ("shoebox.json", b"{\"format\":2}".to_vec()),
        ("empty", Vec::new()),
    ];
    for (name, data) in &files {
        let p = plain.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    let obscured = String::from_utf8(
        Command::new("rclone")
            .args(["obscure", "layer password"])
            .output()
            .expect("rclone is installed (scripts/setup.sh)")
            .stdout,
    )
    .unwrap();
    let st = Command::new("rclone")
        .env("RCLONE_CONFIG", "/dev/null")
        .arg("copy")
        .arg(&plain)
        .arg(format!(
            ":crypt,remote='{}',password={}:",
            enc.display(),
            obscured.trim()
        ))
        .status()
        .unwrap();
    assert!(st.success());

    opendal::install_default();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let open = |password: &str| {
        Operator::via_iter("fs", [("root".to_string(), enc.display().to_string())])
            .unwrap()
            .layer(CryptLayer::new(Keys::derive(password, None)))
    };
    let op = open("layer password");
    rt.block_on(async {
        let mut listed: Vec<String> = op
            .list_with("")
            .recursive(true)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.metadata().is_file())
            .map(|e| e.path().to_owned())
            .collect();
        listed.sort();
        let mut want: Vec<String> = files.iter().map(|(n, _)| n.to_string()).collect();
        want.sort();
        assert_eq!(listed, want);
        for (name, data) in &files {
            assert_eq!(
                op.stat(name).await.unwrap().content_length(),
                data.len() as u64
            );
            assert_eq!(&op.read(name).await.unwrap().to_vec(), data, "{name}");
        }
        let (name, data) = &files[0];
        for (from, to) in [
            (0u64, 10u64),
            (100, 65_536),
            (65_530, 65_542),
            (65_536, 131_072),
            (200_000, 300_000),
            (299_999, 300_000),
        ] {
            let got = op.read_with(name).range(from..to).await.unwrap().to_vec();
            assert_eq!(got, data[from as usize..to as usize], "{from}..{to}");
        }
        let tail = op.read_with(name).range(250_000..).await.unwrap().to_vec();
        assert_eq!(tail, data[250_000..]);
        // Streaming, as the store reads big originals.
        let r = op.reader(name).await.unwrap();
        let streamed = r.read(..).await.unwrap().to_vec();
        assert_eq!(&streamed, data);
    });
    // The wrong password: the names do not decrypt, so nothing is listed; a read fails.
    let wrong = open("another password");
    rt.block_on(async {
        let listed = wrong.list_with("").recursive(true).await.unwrap();
        assert!(listed.iter().all(|e| !e.metadata().is_file()), "{listed:?}");
        assert!(wrong.read(files[0].0).await.is_err());
    });
}
