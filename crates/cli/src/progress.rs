//! Progress bars on a terminal: files, bytes and ETA. Silent when stderr is not a TTY.

use indicatif::{ProgressBar, ProgressStyle};
use shoebox_engine::Progress;

pub struct Bar {
    bar: Option<ProgressBar>,
    /// Counts things (photos looked at) rather than bytes.
    counting: bool,
}

impl Bar {
    pub fn new(enabled: bool, verb: &str) -> Self {
        let bar = enabled.then(|| {
            let b = ProgressBar::new(0);
            #[allow(clippy::unwrap_used)] // a literal template
            b.set_style(
                ProgressStyle::with_template(&format!(
                    "{verb} {{msg}} [{{bar:30}}] {{binary_bytes}}/{{binary_total_bytes}} {{binary_bytes_per_sec}} ETA {{eta}}"
                ))
                .unwrap()
                .progress_chars("=> "),
            );
            b
        });
        Bar {
            bar,
            counting: false,
        }
    }

    /// A bar of things done out of all, with the rate and ETA, for work without bytes.
    pub fn counting(enabled: bool, verb: &str) -> Self {
        let bar = enabled.then(|| {
            let b = ProgressBar::new(0);
            #[allow(clippy::unwrap_used)] // a literal template
            b.set_style(
                ProgressStyle::with_template(&format!(
                    "{verb} [{{bar:30}}] {{pos}}/{{len}} {{per_sec}} ETA {{eta}}"
                ))
                .unwrap()
                .progress_chars("=> "),
            );
            b
        });
        Bar {
            bar,
            counting: true,
        }
    }

    pub fn update(&self, p: &Progress) {
        if let Some(b) = &self.bar {
            if self.counting {
                b.set_length(p.total);
                b.set_position(p.done);
                return;
            }
            b.set_length(p.bytes_total);
            b.set_position(p.bytes_done);
            let errs = if p.errors > 0 {
                format!(", {} problem(s)", p.errors)
            } else {
                String::new()
            };
            b.set_message(format!("{}/{} files{errs}", p.done, p.total));
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
