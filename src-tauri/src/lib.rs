//! The Shoebox desktop app: a thin Tauri shell over `shoebox_engine`. The UI lives in `ui/`.

pub mod api;
pub mod bindings;
mod commands;
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
        .invoke_handler(tauri::generate_handler![
            commands::library_info,
            commands::offered_settings,
            commands::answer_offered_settings,
            commands::buckets,
            commands::month_items,
            commands::month_page,
            commands::asset_info,
            commands::set_favourite,
            commands::set_trashed,
            commands::set_rating,
            commands::set_keyword,
            commands::rotate,
            commands::set_date,
            commands::set_place,
            commands::find_towns,
            commands::place_cells,
            commands::empty_trash,
            commands::albums,
            commands::album_space,
            commands::album_create,
            commands::album_rename,
            commands::album_delete,
            commands::album_add,
            commands::album_remove,
            commands::import,
            commands::similar,
            commands::export,
            commands::album_members,
            commands::cancel_job,
            commands::target_change_password,
            commands::backup,
            commands::verify,
            commands::schedule_due,
            commands::run_scheduled,
            commands::sync,
            commands::devices,
            commands::device_retire,
            commands::fetch_original,
            commands::fetch_cancel,
            commands::album_pin,
            commands::cache_info,
            commands::cache_free,
            commands::target_save,
            commands::target_remove,
            commands::target_test,
            commands::target_probe,
            commands::settings_get,
            commands::settings_set,
            commands::watch_add,
            commands::watch_remove,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("error while running the Shoebox app");
}
