//! The TypeScript side of the IPC, generated into `ui/src/lib/bindings.ts`: the types (ts-rs)
//! and a typed wrapper per command (from the signatures `#[command]` records, in the order of
//! the one list in `commands/mod.rs`). `cargo test -p shoebox-app bindings` fails when the committed file
//! is stale; `SHOEBOX_BLESS=1` rewrites it.

use crate::api::*;
use ts_rs::TS;

/// The whole bindings file.
pub fn typescript() -> String {
    let decls = [
        shoebox_layout::Hash::decl(),
        View::decl(),
        Search::decl(),
        LibraryInfo::decl(),
        TargetInfo::decl(),
        ScheduleInfo::decl(),
        ScheduledJob::decl(),
        ScheduledRun::decl(),
        Bucket::decl(),
        Item::decl(),
        MonthItems::decl(),
        SimilarPhoto::decl(),
        SimilarGroup::decl(),
        AssetInfo::decl(),
        RawPart::decl(),
        PasswordChange::decl(),
        Town::decl(),
        PlaceCell::decl(),
        ExportSummary::decl(),
        BackupState::decl(),
        Album::decl(),
        JobEvent::decl(),
        FileProblem::decl(),
        ImportSummary::decl(),
        TakeoutSummary::decl(),
        TargetSync::decl(),
        Devices::decl(),
        DeviceInfo::decl(),
        PinResult::decl(),
        AlbumSpace::decl(),
        ShareView::decl(),
        ShareTarget::decl(),
        CacheInfo::decl(),
        TargetBackup::decl(),
        TargetVerify::decl(),
        EmptyTrash::decl(),
        TargetForm::decl(),
        TargetTest::decl(),
        LibrarySettings::decl(),
        SavedTarget::decl(),
        WatchEvent::decl(),
        Person::decl(),
        FaceRow::decl(),
        FacesEvent::decl(),
        WatchFolder::decl(),
        OfferedTarget::decl(),
        OfferedSettings::decl(),
        ErrorKind::decl(),
        AppError::decl(),
    ];
    let mut out = String::from(
        "// Generated from src-tauri/src/api.rs (types, by ts-rs) and src-tauri/src/commands/ (the\n\
         // wrappers). Do not edit: run `SHOEBOX_BLESS=1 cargo test -p shoebox-app bindings` after\n\
         // changing either.\n\
         import { Channel, invoke } from '@tauri-apps/api/core';\n",
    );
    for d in decls {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&d);
        out.push('\n');
    }
    out.push_str(&wrappers(&crate::commands::signatures()));
    out
}

/// One argument of a command as the UI passes it.
pub enum Arg {
    /// A value: its name on the JavaScript side and its TypeScript type.
    Value(&'static str, String),
    /// A `Channel<T>`: the UI passes a callback `(e: T) => void`.
    Channel(&'static str, String),
}

/// What `#[command]` records of a command.
pub struct Command {
    pub name: &'static str,
    /// `name` in camelCase: the wrapper's name.
    pub js_name: &'static str,
    pub doc: &'static str,
    pub args: Vec<Arg>,
    pub ret: String,
}

/// `export const api = { … }`: one typed wrapper per command.
fn wrappers(commands: &[Command]) -> String {
    let mut out = String::from(
        "\nfunction channel<T>(on: (e: T) => void): Channel<T> {\n  \
         const c = new Channel<T>();\n  c.onmessage = on;\n  return c;\n}\n\n\
         /** The app's commands, one typed wrapper each. */\nexport const api = {\n",
    );
    for c in commands {
        if !c.doc.is_empty() {
            out.push_str(&format!("  /** {} */\n", c.doc.replace("*/", "* /")));
        }
        let params: Vec<String> = c
            .args
            .iter()
            .map(|a| match a {
                Arg::Value(n, t) => format!("{n}: {t}"),
                Arg::Channel(n, t) => format!("{n}: (e: {t}) => void"),
            })
            .collect();
        let passed: Vec<String> = c
            .args
            .iter()
            .map(|a| match a {
                Arg::Value(n, _) => n.to_string(),
                Arg::Channel(n, _) => format!("{n}: channel({n})"),
            })
            .collect();
        let payload = if passed.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", passed.join(", "))
        };
        out.push_str(&format!(
            "  {}: ({}) => invoke<{}>('{}'{payload}),\n",
            c.js_name,
            params.join(", "),
            c.ret,
            c.name
        ));
    }
    out.push_str("};\n");
    out
}

#[cfg(test)]
mod tests {
    use super::{Arg, Command, wrappers};
    use std::path::PathBuf;

    #[test]
    fn a_wrapper_passes_values_by_their_javascript_names_and_channels_as_callbacks() {
        let ts = wrappers(&[Command {
            name: "set_date",
            js_name: "setDate",
            doc: "Corrects dates.",
            args: vec![
                Arg::Value("shiftMinutes", "number | null".into()),
                Arg::Channel("onEvent", "JobEvent".into()),
            ],
            ret: "void".into(),
        }]);
        assert!(
            ts.contains(
                "  /** Corrects dates. */\n  setDate: (shiftMinutes: number | null, onEvent: \
                 (e: JobEvent) => void) => invoke<void>('set_date', { shiftMinutes, onEvent: \
                 channel(onEvent) }),\n"
            ),
            "{ts}"
        );
    }

    #[test]
    fn every_command_is_listed_once() {
        let mut names: Vec<_> = crate::commands::signatures()
            .iter()
            .map(|c| c.name)
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "a command is listed twice");
        assert!(names.contains(&"import") && names.contains(&"target_probe"));
    }

    #[test]
    fn bindings_are_current() {
        // The checkout being tested (cargo sets this when it runs tests), not necessarily the
        // one a shared target directory built this binary from.
        let dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let path = dir.join("../ui/src/lib/bindings.ts");
        let want = super::typescript();
        if std::env::var_os("SHOEBOX_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{} is stale; run `SHOEBOX_BLESS=1 cargo test -p shoebox-app bindings` and commit it",
            path.display()
        );
    }
}
