//! Backup targets: their status and configuration, saving, testing, removing one, changing
//! its password.

use super::{Res, with_job, with_lib};
use crate::api::*;
use crate::state::AppState;
use shoebox_app_macros::command;
use shoebox_engine::{self as engine, Library};
use tauri::State;
use tauri::ipc::Channel;

/// The status figures of each target with its configuration (options, names of secrets).
pub(super) fn target_info(
    lib: &Library,
    status: Vec<engine::TargetStatus>,
) -> engine::Result<Vec<TargetInfo>> {
    let configured = lib.targets()?;
    Ok(status
        .into_iter()
        .map(|s| {
            let t = configured.iter().find(|t| t.name == s.name);
            TargetInfo {
                options: t.map(|t| t.options.clone()).unwrap_or_default(),
                secrets: t.map(|t| t.secrets.clone()).unwrap_or_default(),
                name: s.name,
                scheme: s.scheme,
                location: s.location,
                enabled: s.enabled,
                objects: s.objects as u32,
                bytes: s.bytes as f64,
                pending_uploads: s.pending_uploads as u32,
                last_backup: s.last_backup,
                last_result: s.last_result,
                last_verify: s.last_verify,
                last_verify_ok: s.last_verify_ok,
                last_error: s.last_error,
            }
        })
        .collect())
}

#[command]
pub async fn target_save(state: State<'_, AppState>, form: TargetForm) -> Res<SavedTarget> {
    with_lib(&state, move |lib| {
        let TargetForm {
            name,
            scheme,
            options,
            mut secrets,
        } = form;
        // An encrypted target with no password given is new: Shoebox makes its recovery code.
        // (Editing one sends an empty password, which keeps the stored one.)
        let made = engine::make_recovery_code(&options, &mut secrets);
        let shown = options.clone();
        let secrets_in = lib.target_add(&name, &scheme, options, secrets)?;
        Ok(SavedTarget {
            secrets_in,
            rclone_config: made
                .as_ref()
                .map(|c| engine::rclone_config(&name, &scheme, &shown, c)),
            recovery_code: made,
        })
    })
    .await
}

/// Changes an encrypted target's password (`passphrase`, or a new recovery code when empty):
/// everything on the store re-encrypted, as a job with progress and Cancel; resumable.
#[command]
pub async fn target_change_password(
    state: State<'_, AppState>,
    name: String,
    passphrase: Option<String>,
    on_event: Channel<JobEvent>,
) -> Res<PasswordChange> {
    with_job(&state, on_event, move |lib, job| {
        let given = passphrase.filter(|p| !p.trim().is_empty());
        let (r, new) = lib
            .target_change_password(&name, given.as_deref(), job.progress, &job.cancel)
            .map_err(AppError::from)?;
        let t = lib
            .targets()
            .map_err(AppError::from)?
            .into_iter()
            .find(|t| t.name == name);
        let made = (given.is_none() && r.switched).then_some(new);
        Ok(PasswordChange {
            copied: r.copied as u32,
            already: r.already as u32,
            deleted: r.deleted as u32,
            bytes: r.bytes as f64,
            switched: r.switched,
            cancelled: r.cancelled,
            rclone_config: match (&made, &t) {
                (Some(code), Some(t)) => {
                    Some(engine::rclone_config(&name, &t.scheme, &t.options, code))
                }
                _ => None,
            },
            recovery_code: made,
        })
    })
    .await
}

/// The form's *Test*: the target as typed, before it is saved.
#[command]
pub async fn target_probe(state: State<'_, AppState>, form: TargetForm) -> Res<TargetTest> {
    with_lib(&state, move |lib| {
        let mut options = form.options;
        if !form.secrets.contains_key("crypt_password") {
            // A new encrypted target has no password yet: the store itself is what is tested.
            options.remove("encryption");
        }
        let r = lib.target_probe(&form.name, &form.scheme, options, form.secrets)?;
        Ok(TargetTest {
            status: r.status,
            message: r.message,
        })
    })
    .await
}

#[command]
pub async fn target_remove(state: State<'_, AppState>, name: String) -> Res<()> {
    with_lib(&state, move |lib| lib.target_remove(&name)).await
}

#[command]
pub async fn target_test(state: State<'_, AppState>, name: String) -> Res<TargetTest> {
    with_lib(&state, move |lib| {
        let r = lib.target_test(&name)?;
        Ok(TargetTest {
            status: r.status,
            message: r.message,
        })
    })
    .await
}
