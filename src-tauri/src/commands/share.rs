//! Sharing an album by link: the album's shares, a new one, revoking one.

use super::{Res, with_lib};
use crate::api::*;
use crate::state::AppState;
use shoebox_app_macros::command;
use shoebox_engine as engine;
use tauri::State;

/// `link` as a QR code, an SVG document sized for a dialog.
fn qr(link: &str) -> Option<String> {
    let code = qrcode::QrCode::new(link.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

fn view(s: engine::Share) -> ShareView {
    ShareView {
        qr_svg: s.link.as_deref().and_then(qr),
        id: s.id,
        album: s.album,
        target: s.target,
        link: s.link,
        expires_at: s.expires_at,
        photos: s.photos as u32,
        password: s.password,
    }
}

/// The shares of an album made on this computer, newest first.
#[command]
pub async fn shares(state: State<'_, AppState>, album: String) -> Res<Vec<ShareView>> {
    with_lib(&state, move |lib| {
        Ok(lib
            .shares()?
            .into_iter()
            .filter(|s| s.album == album)
            .map(view)
            .collect())
    })
    .await
}

/// The targets a share can go to, with their public addresses.
#[command]
pub async fn share_targets(state: State<'_, AppState>) -> Res<Vec<ShareTarget>> {
    with_lib(&state, |lib| {
        lib.targets()?
            .into_iter()
            .map(|t| {
                Ok(ShareTarget {
                    public_url: lib.public_url(&t.name)?,
                    signs: lib.can_sign_links(&t.name).unwrap_or(false),
                    max_signed_days: engine::MAX_SIGNED_DAYS,
                    name: t.name,
                })
            })
            .collect()
    })
    .await
}

/// Publishes an album on a target (setting the target's public address first when one is
/// given) and returns the new share with its link; with a password, the link holds no key and
/// the viewer asks for it.
#[command]
pub async fn share_create(
    state: State<'_, AppState>,
    album: String,
    target: String,
    public_url: Option<String>,
    expires_days: Option<u32>,
    password: Option<String>,
) -> Res<ShareView> {
    with_lib(&state, move |lib| {
        if let Some(u) = public_url.as_deref().filter(|u| !u.trim().is_empty()) {
            lib.set_public_url(&target, Some(u))?;
        }
        let opts = engine::ShareOptions {
            album,
            target,
            expires_days,
            password: password.filter(|p| !p.is_empty()),
            ..Default::default()
        };
        Ok(view(lib.share_create(&opts, &|_| {})?.share))
    })
    .await
}

/// Deletes a share from its store (all of it, checked); returns how many objects went.
#[command]
pub async fn share_revoke(state: State<'_, AppState>, id: String) -> Res<u32> {
    with_lib(&state, move |lib| Ok(lib.share_revoke(&id)? as u32)).await
}
