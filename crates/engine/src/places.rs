//! Places in words, offline: the nearest town of GeoNames' gazetteer (towns of 1,000 people and
//! more, shipped inside the `reverse_geocoder` crate; GeoNames data is CC BY 4.0, credited in
//! the README and the app's About). No service is asked anything.

use crate::{Library, Result};
use shoebox_types::Place;
use std::sync::OnceLock;

/// Farther than this from any town: no place (the open sea, the poles, 0°, 0°).
pub const MAX_KM: f64 = 40.0;

fn geocoder() -> &'static reverse_geocoder::ReverseGeocoder {
    static G: OnceLock<reverse_geocoder::ReverseGeocoder> = OnceLock::new();
    G.get_or_init(reverse_geocoder::ReverseGeocoder::new)
}

/// Kilometres between two positions on a sphere of the Earth's mean radius.
fn km_between(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().min(1.0).asin()
}

/// A country's name in English, short as people say it.
pub fn country_name(cc: &str) -> String {
    let short = match cc {
        "US" => "United States",
        "GB" => "United Kingdom",
        "RU" => "Russia",
        "KR" => "South Korea",
        "KP" => "North Korea",
        "CZ" => "Czechia",
        "TW" => "Taiwan",
        "VN" => "Vietnam",
        "LA" => "Laos",
        "SY" => "Syria",
        "CD" => "DR Congo",
        "CG" => "Congo",
        "VA" => "Vatican City",
        "PS" => "Palestine",
        "MK" => "North Macedonia",
        "BN" => "Brunei",
        "CI" => "Côte d'Ivoire",
        _ => "",
    };
    if !short.is_empty() {
        return short.to_owned();
    }
    match isocountry::CountryCode::for_alpha2(cc) {
        // ISO's names carry qualifiers people do not say: "Iran (Islamic Republic of)".
        Ok(c) => c.name().split(" (").next().unwrap_or(c.name()).to_owned(),
        Err(_) => cc.to_owned(),
    }
}

/// The place of a position, or `None` far from any town (or for a position that cannot be).
pub fn place_at(lat: f64, lon: f64) -> Option<Place> {
    if !(lat.is_finite() && lon.is_finite()) || lat.abs() > 90.0 || lon.abs() > 180.0 {
        return None;
    }
    let r = geocoder().search((lat, lon));
    let t = r.record;
    if km_between(lat, lon, t.lat, t.lon) > MAX_KM {
        return None;
    }
    let country = country_name(&t.cc);
    // "Tokyo, Tokyo, Japan" reads as "Tokyo, Japan".
    let region = if t.admin1 == t.name {
        ""
    } else {
        t.admin1.as_str()
    };
    let name = [t.name.as_str(), region, country.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    Some(Place {
        name,
        city: t.name.clone(),
        region: t.admin1.clone(),
        country,
        country_code: t.cc.clone(),
    })
}

impl Library {
    /// [`Self::fill_places`] where it is a side task (opening the library, after an import or
    /// a sync): a failure (a full disk) is logged and changes nothing; the photos keep waiting
    /// for their names and get them at the next chance. The import or sync it follows stands.
    pub(crate) fn name_places(&mut self) {
        if let Err(e) = self.fill_places() {
            tracing::warn!("place names not written this time: {e}");
        }
    }

    /// Names the place of every photo with a position that has none yet (new imports, other
    /// devices' photos, a library from before places). Returns how many were looked up.
    pub fn fill_places(&mut self) -> Result<usize> {
        let mut n = 0;
        loop {
            let pending = self.catalog.places_pending(5000)?;
            if pending.is_empty() {
                return Ok(n);
            }
            let found: Vec<(i64, Option<Place>)> = pending
                .iter()
                .map(|&(id, lat, lon)| (id, place_at(lat, lon)))
                .collect();
            self.catalog.set_places(&found)?;
            n += found.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_on_the_sphere() {
        // Rome to Paris, about 1,106 km.
        let d = km_between(41.9028, 12.4964, 48.8566, 2.3522);
        assert!((d - 1106.0).abs() < 10.0, "{d}");
        assert!(km_between(10.0, 20.0, 10.0, 20.0) < 1e-9);
    }

    #[test]
    fn country_names_are_short() {
        assert_eq!(country_name("IT"), "Italy");
        assert_eq!(country_name("US"), "United States");
        assert_eq!(country_name("IR"), "Iran");
        assert_eq!(country_name("XX"), "XX");
    }
}

#[cfg(test)]
mod known {
    use super::place_at;

    /// (what, latitude, longitude, the expected country code and town).
    type Case = (&'static str, f64, f64, Option<(&'static str, &'static str)>);

    /// Positions with known answers: capitals, towns on a border, the sea, the poles, 0°, 0°.
    #[test]
    fn positions_with_known_answers() {
        let cases: &[Case] = &[
            ("Rome", 41.8933, 12.4829, Some(("IT", "Rome"))),
            ("Paris", 48.8534, 2.3488, Some(("FR", "Paris"))),
            ("Tokyo", 35.6895, 139.6917, Some(("JP", "Tokyo"))),
            ("Canberra", -35.2820, 149.1287, Some(("AU", "Canberra"))),
            ("Nairobi", -1.2833, 36.8167, Some(("KE", "Nairobi"))),
            (
                "Buenos Aires",
                -34.6132,
                -58.3772,
                Some(("AR", "Buenos Aires")),
            ),
            ("Ottawa", 45.4112, -75.6981, Some(("CA", "Ottawa"))),
            // Towns facing each other across a border: each on its own side.
            // The gazetteer writes names in Latin letters without diacritics.
            ("Görlitz", 51.1552, 14.9892, Some(("DE", "Goerlitz"))),
            ("Zgorzelec", 51.1500, 15.0083, Some(("PL", "Zgorzelec"))),
            ("El Paso", 31.7587, -106.4869, Some(("US", "El Paso"))),
            (
                "Ciudad Juárez",
                31.7202,
                -106.4608,
                Some(("MX", "Ciudad Juarez")),
            ),
            // The open sea, the poles, 0°, 0°: no town.
            ("mid-Atlantic", 30.0, -40.0, None),
            ("mid-Pacific", -20.0, -130.0, None),
            ("North Pole", 90.0, 0.0, None),
            ("South Pole", -90.0, 0.0, None),
            ("0, 0", 0.0, 0.0, None),
            ("no such place", 91.0, 0.0, None),
        ];
        for (what, lat, lon, want) in cases {
            let got = place_at(*lat, *lon);
            match (want, &got) {
                (None, None) => {}
                (Some((cc, city)), Some(p)) => {
                    assert_eq!(&p.country_code, cc, "{what}: {p:?}");
                    assert!(
                        p.city.starts_with(city) || city.starts_with(p.city.as_str()),
                        "{what}: {p:?}"
                    );
                }
                _ => panic!("{what}: expected {want:?}, got {got:?}"),
            }
        }
    }
}
