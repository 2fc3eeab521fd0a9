//! The timeline and what it shows: months, a month's photos, one photo's details, the map,
//! towns, look-alikes.

use super::{Res, with_job, with_lib};
use crate::api::*;
use crate::state::AppState;
use shoebox_app_macros::command;
use shoebox_engine::{self as engine, Library};
use tauri::State;
use tauri::ipc::Channel;

#[command]
pub async fn buckets(state: State<'_, AppState>, view: View) -> Res<Vec<Bucket>> {
    with_lib(&state, move |lib| lib.buckets(&view.into())).await
}

#[command]
pub async fn month_items(
    state: State<'_, AppState>,
    view: View,
    months: Vec<String>,
) -> Res<Vec<MonthItems>> {
    let view: engine::View = view.into();
    with_lib(&state, move |lib| {
        months
            .into_iter()
            .map(|m| {
                let items = items_of(lib, &lib.assets_in_month(&view, &m)?)?;
                Ok(MonthItems { month: m, items })
            })
            .collect()
    })
    .await
}

/// A page of a month of thousands: `limit` photos from `offset`, newest first.
#[command]
pub async fn month_page(
    state: State<'_, AppState>,
    view: View,
    month: String,
    offset: u32,
    limit: u32,
) -> Res<Vec<Item>> {
    let view: engine::View = view.into();
    with_lib(&state, move |lib| {
        items_of(
            lib,
            &lib.assets_in_month_page(&view, &month, offset.into(), limit.into())?,
        )
    })
    .await
}

/// The grid's view of assets: the cloud (another device's photo whose original is not here)
/// and the Live Photo mark.
pub(super) fn items_of(lib: &Library, assets: &[engine::Asset]) -> engine::Result<Vec<Item>> {
    assets
        .iter()
        .map(|a| {
            let mut i = Item::from(a);
            // Only another device's photo can lack its original here.
            i.remote = a.device.is_some() && lib.local_original(a).is_none();
            let parts = lib.parts(&a.hash)?;
            i.live = a.meta.motion_offset.is_some() || parts.motion.is_some();
            i.raw = parts.raw.is_some();
            Ok(i)
        })
        .collect()
}

#[command]
pub async fn asset_info(state: State<'_, AppState>, hash: String) -> Res<AssetInfo> {
    with_lib(&state, move |lib| {
        let a = lib.show(&hash)?;
        let marks = lib.store_marks(&a.hash)?;
        let parts = lib.parts(&a.hash)?;
        let backups = lib
            .targets()?
            .into_iter()
            .map(|t| {
                let m = marks
                    .iter()
                    .find(|m| m.target == t.name && m.kind == "original");
                BackupState {
                    target: t.name.clone(),
                    key: m.map(|m| m.key.clone()),
                    uploaded_at: m.map(|m| m.uploaded_at.clone()),
                    verified_at: m.and_then(|m| m.verified_at.clone()),
                }
            })
            .collect();
        Ok(AssetInfo {
            albums: lib
                .albums_of(&a.hash)?
                .into_iter()
                .map(|i| i as i32)
                .collect(),
            hash: a.hash.clone().to_string(),
            path: a.path.clone(),
            name: a.original_name.clone(),
            size: a.size as f64,
            kind: a.meta.kind.as_str().to_owned(),
            mime: a.meta.mime.clone(),
            taken: a.taken_at().to_string(),
            taken_original: a.taken_at_original.map(|t| t.to_string()),
            place: a.place.as_ref().map(|p| p.name.clone()),
            place_original: a.gps_original.as_ref().map(|g| match g {
                Some(g) => format!("{:.5}, {:.5}", g.lat, g.lon),
                None => "none".into(),
            }),
            rating: a.rating,
            rotation: a.rotation,
            keywords: a.keywords.clone(),
            taken_source: a.meta.taken_at_source.as_str().to_owned(),
            width: a.meta.width,
            height: a.meta.height,
            make: a.meta.make.clone(),
            model: a.meta.model.clone(),
            lens: a.meta.lens.clone(),
            iso: a.meta.iso,
            exposure_time: a.meta.exposure_time,
            f_number: a.meta.f_number,
            focal_length_mm: a.meta.focal_length_mm,
            lat: a.meta.gps.map(|g| g.lat),
            lon: a.meta.gps.map(|g| g.lon),
            alt: a.meta.gps.and_then(|g| g.alt),
            duration_ms: a.meta.duration_ms.map(|d| d.min(u32::MAX as u64) as u32),
            description: a.meta.description.clone(),
            imported_at: a.imported_at.clone(),
            favourite: a.favourite,
            trashed: a.trashed_at.is_some(),
            thumb: a.has_thumbnail,
            backups,
            remote: lib.local_original(&a).is_none(),
            device: match &a.device {
                Some(d) => Some(
                    lib.devices()?
                        .1
                        .into_iter()
                        .find(|p| &p.device == d)
                        .and_then(|p| p.name)
                        .unwrap_or_else(|| d.clone()),
                ),
                None => None,
            },
            motion: parts.motion.map(|m| m.hash.to_string()),
            motion_embedded: a.meta.motion_offset.is_some(),
            raw: parts.raw.map(|r| RawPart {
                hash: r.hash.to_string(),
                name: r.original_name,
                size: r.size as f64,
            }),
            trashed_by: if a.trashed_at.is_some() {
                lib.trashed_elsewhere(&a.hash)?
            } else {
                None
            },
        })
    })
    .await
}

/// The Places map's clusters: photos with a position counted in cells of `cell` degrees
/// inside the area shown.
#[command]
pub async fn place_cells(
    state: State<'_, AppState>,
    cell: f64,
    south: f64,
    west: f64,
    north: f64,
    east: f64,
) -> Res<Vec<PlaceCell>> {
    with_lib(&state, move |lib| {
        Ok(lib
            .place_cells(cell, [south, west, north, east])?
            .into_iter()
            .map(|c| PlaceCell {
                lat: c.lat,
                lon: c.lon,
                count: c.count.min(u32::MAX as u64) as u32,
                cover: c.cover,
                south: c.bounds[0],
                west: c.bounds[1],
                north: c.bounds[2],
                east: c.bounds[3],
            })
            .collect())
    })
    .await
}

/// Towns whose name starts with what was typed ("Paris", "Paris, Texas"), for the place form.
#[command]
pub async fn find_towns(query: String) -> Res<Vec<Town>> {
    tauri::async_runtime::spawn_blocking(move || {
        engine::places::find_towns(&query, 12)
            .into_iter()
            .map(|(t, p)| Town {
                name: p.name,
                lat: t.lat,
                lon: t.lon,
            })
            .collect()
    })
    .await
    .map_err(AppError::other)
}

/// Photos that look alike. Works out the look of photos that have none yet first (an older
/// library, other devices' photos), streaming progress; `cancel_job` stops that.
#[command]
pub async fn similar(
    state: State<'_, AppState>,
    on_event: Channel<JobEvent>,
) -> Res<Vec<SimilarGroup>> {
    with_job(&state, on_event, move |lib, job| {
        lib.fill_looks(job.progress, &job.cancel)?;
        let groups = lib.similar()?;
        groups
            .into_iter()
            .map(|g| {
                let items = items_of(lib, &g.photos)?;
                let photos = g
                    .photos
                    .iter()
                    .zip(items)
                    .zip(&g.metadata)
                    .map(|((a, item), m)| SimilarPhoto {
                        item,
                        size: a.size as f64,
                        path: a.path.clone(),
                        camera: match (&a.meta.make, &a.meta.model) {
                            (Some(make), Some(model)) if model.starts_with(make.as_str()) => {
                                Some(model.clone())
                            }
                            (Some(make), Some(model)) => Some(format!("{make} {model}")),
                            (a, b) => a.clone().or(b.clone()),
                        },
                        place: a.place.as_ref().map(|p| p.name.clone()),
                        metadata: (*m).min(255) as u8,
                    })
                    .collect();
                Ok(SimilarGroup {
                    similarity: g.similarity,
                    keep: g.keep,
                    photos,
                })
            })
            .collect::<Result<_, AppError>>()
    })
    .await
}
