//! Running the outside programs media uses (ffmpeg, ffprobe, the HEIC decoder): finding them,
//! feeding them, and stopping one that hangs. Thumbnails, HEIC and video all call this; it
//! calls none of them.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Whether ffmpeg was found, for video poster frames.
pub fn ffmpeg_available() -> bool {
    ffmpeg_path().is_some()
}

/// ffprobe, beside the ffmpeg that was found (they ship together).
pub fn ffprobe_path() -> Option<std::path::PathBuf> {
    let ffmpeg = ffmpeg_path()?;
    let name = if cfg!(windows) {
        "ffprobe.exe"
    } else {
        "ffprobe"
    };
    let p = match ffmpeg.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.join(name),
        _ => std::path::PathBuf::from(name),
    };
    Some(p)
}

/// Runs `cmd` with `input` streamed to its stdin (until it stops reading), killed after
/// `limit`.
pub(crate) fn run_fed(
    cmd: &mut Command,
    input: &mut dyn std::io::Read,
    limit: std::time::Duration,
) -> std::io::Result<std::process::Output> {
    use std::io::{Read, Write};
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped");
    let mut out = child.stdout.take().expect("piped");
    let err = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let err_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.take(64 << 10).read_to_end(&mut b);
        b
    });
    let start = std::time::Instant::now();
    let mut buf = vec![0u8; 256 << 10];
    loop {
        if start.elapsed() > limit {
            let _ = child.kill();
            break;
        }
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        // The reader has what it needs and closed its input: fine.
        if stdin.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    drop(stdin);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(std::process::Output {
                status,
                stdout: out_reader.join().unwrap_or_default(),
                stderr: err_reader.join().unwrap_or_default(),
            });
        }
        if start.elapsed() > limit {
            let _ = child.kill();
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// Longest an ffmpeg run may take for one poster frame; a file that makes it hang is killed.
pub(crate) const FFMPEG_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Where ffmpeg is: `SHOEBOX_FFMPEG`, else PATH, else the folders package managers put it in
/// (an app started from Finder or the Start menu does not see a shell's PATH).
pub fn ffmpeg_path() -> Option<&'static Path> {
    static FOUND: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let exe = if cfg!(windows) {
                "ffmpeg.exe"
            } else {
                "ffmpeg"
            };
            let mut candidates: Vec<std::path::PathBuf> = Vec::new();
            if let Some(p) = std::env::var_os("SHOEBOX_FFMPEG") {
                candidates.push(p.into());
            }
            candidates.push(exe.into());
            for dir in [
                "/opt/homebrew/bin",
                "/usr/local/bin",
                "/opt/local/bin",
                "/snap/bin",
                "C:\\ProgramData\\chocolatey\\bin",
            ] {
                candidates.push(Path::new(dir).join(exe));
            }
            for (var, sub) in [
                ("LOCALAPPDATA", "Microsoft\\WinGet\\Links"),
                ("USERPROFILE", "scoop\\shims"),
            ] {
                if let Some(base) = std::env::var_os(var) {
                    candidates.push(Path::new(&base).join(sub).join(exe));
                }
            }
            candidates.into_iter().find(|c| {
                run_with_timeout(
                    quiet_command(c).arg("-version"),
                    std::time::Duration::from_secs(10),
                )
                .is_ok_and(|o| o.status.success())
            })
        })
        .as_deref()
}

/// A command that opens no console window on Windows.
pub(crate) fn quiet_command(program: &Path) -> Command {
    #[allow(unused_mut)]
    let mut c = Command::new(program);
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        const CREATE_NO_WINDOW: u32 = 0x0800_0000;
        c.creation_flags(CREATE_NO_WINDOW);
    }
    c
}

/// Runs `cmd` to completion, killing it after `limit`.
pub(crate) fn run_with_timeout(
    cmd: &mut Command,
    limit: std::time::Duration,
) -> std::io::Result<std::process::Output> {
    use std::io::Read;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let err_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = (&mut err).take(64 << 10).read_to_end(&mut b);
        b
    });
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("gave up after {} s", limit.as_secs()),
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Ok(std::process::Output {
        status,
        stdout: reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    })
}
