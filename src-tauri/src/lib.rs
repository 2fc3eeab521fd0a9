//! The Shoebox desktop app: a thin Tauri shell over `shoebox_engine`. The UI lives in `ui/`.

pub mod api;
pub mod bindings;
pub mod commands;
mod faces;
mod protocol;
mod state;
mod watcher;

use shoebox_engine::Library;
use state::AppState;
use tauri::Manager;

/// Opens the default library (`SHOEBOX_LIBRARY`, else Pictures/Shoebox, as the CLI does) and
/// runs the app.
pub fn run() {
    shoebox_engine::logging::init("warn");
    shoebox_engine::quiet_decoder_panics();

    let lib = match Library::default_root().and_then(|root| Library::open(&root)) {
        Ok(lib) => lib,
        Err(e) => {
            // Nothing to show a window with: say it where a person launching us will see it.
            eprintln!("shoebox: cannot open the library: {e}");
            std::process::exit(1);
        }
    };

    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState::new(lib))
        .setup(|app| {
            app.state::<AppState>().restart_watch(app.handle().clone());
            app.state::<AppState>().scan_faces(app.handle().clone());
            Ok(())
        })
        .register_asynchronous_uri_scheme_protocol("thumb", |ctx, req, responder| {
            let st = ctx.app_handle().state::<AppState>();
            let (lib, root) = (st.lib.clone(), st.root.clone());
            tauri::async_runtime::spawn_blocking(move || {
                // The lock is held only to resolve the name; the file is read without it.
                let found = protocol::resolve_thumb(&state::lock_lib(&lib, &root), &req);
                let resp = found.map_or_else(protocol::refused, |p| protocol::serve_thumb(&p));
                responder.respond(resp);
            });
        })
        .register_asynchronous_uri_scheme_protocol("original", |ctx, req, responder| {
            let st = ctx.app_handle().state::<AppState>();
            let (lib, root) = (st.lib.clone(), st.root.clone());
            tauri::async_runtime::spawn_blocking(move || {
                let found = protocol::resolve_original(&state::lock_lib(&lib, &root), &req);
                let resp = found.map_or_else(protocol::refused, |(p, mime, start)| {
                    protocol::serve_original(&p, &mime, start, &req)
                });
                responder.respond(resp);
            });
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("error while running the Shoebox app");
}
