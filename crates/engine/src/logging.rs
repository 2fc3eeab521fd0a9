//! One logging setup for the CLI and the app: `SHOEBOX_LOG` chooses the level, and whatever it
//! says, the parts of our dependencies that log credentials stay silent.

use tracing_subscriber::EnvFilter;

/// Targets that log secrets or whole store configurations at debug or trace level, and the
/// most they may log. Added after the user's filter, so they win over it (a more specific
/// directive beats a global `trace`; the same target given by the user is replaced).
const GUARDS: &[&str] = &[
    // The request signers log the canonical request and keys at debug.
    "reqsign=off",
    "reqsign_core=off",
    "reqsign_aws_v4=off",
    "reqsign_file_read_tokio=off",
    "reqsign_http_send_reqwest=off",
    // OpenDAL 0.59's services are their own crates; "backend build started" prints the
    // whole config at debug, secret key and password included.
    "opendal_service_s3=info",
    "opendal_service_webdav=info",
    "opendal_service_fs=info",
    "opendal_core=info",
    "opendal=info",
    // HTTP stacks log request headers (Authorization) at trace.
    "reqwest=info",
    "hyper=info",
    "hyper_util=info",
    "h2=info",
];

/// The filter both front ends use: `SHOEBOX_LOG` (default `default`), with the guards on top.
pub fn filter(default: &str) -> EnvFilter {
    let base = std::env::var("SHOEBOX_LOG").unwrap_or_else(|_| default.to_owned());
    let mut f = EnvFilter::try_new(&base).unwrap_or_else(|e| {
        eprintln!("shoebox: SHOEBOX_LOG={base:?} is not a valid filter ({e}); using {default:?}");
        EnvFilter::new(default)
    });
    for g in GUARDS {
        f = f.add_directive(g.parse().expect("static directive"));
    }
    f
}

/// Sends logs to stderr through [`filter`]. Call once, first thing.
pub fn init(default: &str) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter(default))
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_parse_and_beat_a_global_trace() {
        let f = filter("trace").to_string();
        for g in GUARDS {
            assert!(f.contains(g), "{g} missing from {f}");
        }
    }
}
