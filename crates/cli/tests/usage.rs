//! The command line's own contract: usage errors exit 2 with a message on stderr.
//! (Behaviour tests live in the workspace's `tests/` crate; this file also makes `cargo test`
//! build the `shoebox` binary they drive.)

use std::process::Command;

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let bin = env!("CARGO_BIN_EXE_shoebox");
    let out = Command::new(bin).arg("no-such-command").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-command"));
    let out = Command::new(bin).arg("import").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "import without paths is a usage error"
    );
    let out = Command::new(bin).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    for cmd in ["import", "ls", "inspect", "show", "status", "check"] {
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(cmd),
            "{cmd} missing from --help"
        );
    }
}
