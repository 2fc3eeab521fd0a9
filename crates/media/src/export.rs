//! Exported copies: a JPEG at a chosen size with the photo's metadata — corrections included —
//! written into it (EXIF and XMP), and XMP sidecars for originals exported as they are. The
//! original is never touched.

use crate::{Error, Result, Thumbnailer};
use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use shoebox_types::{CaptureTime, Metadata};
use std::path::Path;

/// What an exported copy says about its photo (the values in use: a corrected date or place).
#[derive(Debug, Clone, Default)]
pub struct ExportMeta {
    pub taken: Option<CaptureTime>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub description: Option<String>,
    pub gps: Option<(f64, f64)>,
    pub rating: u8,
    pub keywords: Vec<String>,
}

fn ascii(tag: Tag, s: &str) -> Field {
    Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Ascii(vec![s.as_bytes().to_vec()]),
    }
}

/// Degrees as EXIF's degrees, minutes and hundredths of seconds.
fn dms(v: f64) -> Value {
    let v = v.abs();
    let d = v.floor();
    let m = ((v - d) * 60.0).floor();
    let s = ((v - d) * 60.0 - m) * 60.0;
    Value::Rational(vec![
        Rational::from((d as u32, 1)),
        Rational::from((m as u32, 1)),
        Rational::from(((s * 100.0).round() as u32, 100)),
    ])
}

/// An APP1 EXIF segment's payload (`Exif\0\0` and a TIFF block) saying `m`; orientation 1
/// (the pixels are already turned).
pub fn exif_app1(m: &ExportMeta) -> Result<Vec<u8>> {
    let mut fields = vec![Field {
        tag: Tag::Orientation,
        ifd_num: In::PRIMARY,
        value: Value::Short(vec![1]),
    }];
    if let Some(t) = m.taken {
        fields.push(ascii(
            Tag::DateTimeOriginal,
            &t.local.format("%Y:%m:%d %H:%M:%S").to_string(),
        ));
        if let Some(o) = t.offset_minutes {
            let sign = if o < 0 { '-' } else { '+' };
            fields.push(ascii(
                Tag::OffsetTimeOriginal,
                &format!("{sign}{:02}:{:02}", o.abs() / 60, o.abs() % 60),
            ));
        }
    }
    for (tag, v) in [(Tag::Make, &m.make), (Tag::Model, &m.model)] {
        if let Some(v) = v {
            fields.push(ascii(tag, v));
        }
    }
    if let Some(d) = &m.description {
        fields.push(ascii(Tag::ImageDescription, d));
    }
    if let Some((lat, lon)) = m.gps {
        fields.push(ascii(
            Tag::GPSLatitudeRef,
            if lat < 0.0 { "S" } else { "N" },
        ));
        fields.push(Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: dms(lat),
        });
        fields.push(ascii(
            Tag::GPSLongitudeRef,
            if lon < 0.0 { "W" } else { "E" },
        ));
        fields.push(Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: dms(lon),
        });
    }
    let mut w = Writer::new();
    for f in &fields {
        w.push_field(f);
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    w.write(&mut buf, false)
        .map_err(|e| Error::Thumbnail(format!("EXIF for the copy: {e}")))?;
    let mut out = b"Exif\0\0".to_vec();
    out.extend_from_slice(&buf.into_inner());
    Ok(out)
}

fn xml_escape(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// XMP's GPS coordinate: `41,53.4000N`.
fn xmp_coord(v: f64, pos: char, neg: char) -> String {
    let a = v.abs();
    let d = a.floor();
    format!(
        "{},{:.6}{}",
        d as u32,
        (a - d) * 60.0,
        if v < 0.0 { neg } else { pos }
    )
}

/// An XMP packet saying `m`: rating, keywords, caption, date and position — what digiKam,
/// darktable and Lightroom read from a sidecar or an embedded packet.
pub fn xmp_packet(m: &ExportMeta) -> String {
    let mut props = String::new();
    let mut attrs = String::new();
    if m.rating > 0 {
        attrs.push_str(&format!("\n   xmp:Rating=\"{}\"", m.rating.min(5)));
    }
    if let Some(t) = m.taken {
        let s = xml_escape(&t.to_string());
        attrs.push_str(&format!(
            "\n   exif:DateTimeOriginal=\"{s}\"\n   photoshop:DateCreated=\"{s}\""
        ));
    }
    if let Some((lat, lon)) = m.gps {
        attrs.push_str(&format!(
            "\n   exif:GPSLatitude=\"{}\"\n   exif:GPSLongitude=\"{}\"",
            xmp_coord(lat, 'N', 'S'),
            xmp_coord(lon, 'E', 'W')
        ));
    }
    if let Some(d) = &m.description {
        props.push_str(&format!(
            "   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>\n",
            xml_escape(d)
        ));
    }
    if !m.keywords.is_empty() {
        props.push_str("   <dc:subject><rdf:Bag>\n");
        for k in &m.keywords {
            props.push_str(&format!("    <rdf:li>{}</rdf:li>\n", xml_escape(k)));
        }
        props.push_str("   </rdf:Bag></dc:subject>\n");
    }
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"Shoebox\">\n\
 <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
  <rdf:Description rdf:about=\"\"\n\
   xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n\
   xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\
   xmlns:exif=\"http://ns.adobe.com/exif/1.0/\"\n\
   xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\"{attrs}>\n\
{props}  </rdf:Description>\n\
 </rdf:RDF>\n\
</x:xmpmeta>\n\
<?xpacket end=\"w\"?>\n"
    )
}

/// `jpeg` with APP1 segments (each payload as given) right after its start marker.
pub fn with_app1(jpeg: &[u8], payloads: &[&[u8]]) -> Result<Vec<u8>> {
    if jpeg.len() < 2 || jpeg[..2] != [0xFF, 0xD8] {
        return Err(Error::Thumbnail("not a JPEG".into()));
    }
    let mut out =
        Vec::with_capacity(jpeg.len() + payloads.iter().map(|p| p.len() + 4).sum::<usize>());
    out.extend_from_slice(&jpeg[..2]);
    for p in payloads {
        let len = u16::try_from(p.len() + 2)
            .map_err(|_| Error::Thumbnail("metadata too large for one segment".into()))?;
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(p);
    }
    out.extend_from_slice(&jpeg[2..]);
    Ok(out)
}

/// A JPEG of the photo in `bytes` (at `path`, for its type) whose longest edge is at most
/// `size`, turned by `rotation` degrees clockwise on top of its own orientation, saying `m`.
pub fn export_jpeg(
    path: &Path,
    bytes: &[u8],
    file_meta: &Metadata,
    size: u32,
    rotation: u16,
    m: &ExportMeta,
) -> Result<Vec<u8>> {
    // Turned while decoded, before the one encoding.
    let t = Thumbnailer {
        sizes: vec![size],
        quality: 90,
        turn: rotation,
        ..Thumbnailer::default()
    };
    let jpeg = t
        .make(path, bytes, file_meta)?
        .pop()
        .ok_or_else(|| Error::Thumbnail("no picture".into()))?
        .jpeg;
    let exif = exif_app1(m)?;
    let mut xmp = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    xmp.extend_from_slice(xmp_packet(m).as_bytes());
    with_app1(&jpeg, &[&exif, &xmp])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_says_what_the_catalog_says() {
        let m = ExportMeta {
            taken: CaptureTime::parse("2019-07-14T10:20:00+02:00"),
            make: Some("Canon".into()),
            model: Some("EOS R6".into()),
            description: Some("Dinner <at> Mario's & co".into()),
            gps: Some((41.8933, -12.4829)),
            rating: 4,
            keywords: vec!["family".into(), "Zia Lucia".into()],
        };
        let exif = exif_app1(&m).unwrap();
        let r = exif::Reader::new().read_raw(exif[6..].to_vec()).unwrap();
        let get = |t| {
            r.get_field(t, In::PRIMARY)
                .unwrap()
                .display_value()
                .to_string()
        };
        assert_eq!(get(Tag::DateTimeOriginal), "2019-07-14 10:20:00");
        assert_eq!(get(Tag::OffsetTimeOriginal), "\"+02:00\"");
        assert_eq!(get(Tag::GPSLongitudeRef), "W");
        let xmp = xmp_packet(&m);
        assert!(xmp.contains("xmp:Rating=\"4\""), "{xmp}");
        assert!(xmp.contains("<rdf:li>Zia Lucia</rdf:li>"), "{xmp}");
        assert!(xmp.contains("Dinner &lt;at&gt; Mario's &amp; co"), "{xmp}");
        assert!(xmp.contains("exif:GPSLongitude=\"12,28.974000W\""), "{xmp}");
        assert!(xmp.contains("2019-07-14T10:20:00+02:00"), "{xmp}");
        assert!(with_app1(b"nope", &[b"x"]).is_err());
    }
}

/// What an XMP sidecar (or packet) says that Shoebox keeps: stars, keywords, a caption.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmpFacts {
    pub rating: Option<u8>,
    pub keywords: Vec<String>,
    pub description: Option<String>,
}

const NS_XMP: &str = "http://ns.adobe.com/xap/1.0/";
const NS_DC: &str = "http://purl.org/dc/elements/1.1/";

/// Reads an XMP packet as digiKam, darktable and Lightroom write them: `xmp:Rating` as an
/// attribute or an element (−1, "rejected", counts as none), `dc:subject`'s bag, and
/// `dc:description`'s default text. Whatever does not parse is left out; nothing fails.
pub fn read_xmp(text: &str) -> XmpFacts {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    let mut facts = XmpFacts::default();
    let mut reader = quick_xml::NsReader::from_str(text);
    // Where we are: inside dc:subject, dc:description, an rdf:li; and the text read in the
    // current element so far (entity references arrive as events of their own).
    let (mut in_subject, mut in_description, mut in_li) = (false, false, false);
    let mut buf = String::new();
    let set_rating = |facts: &mut XmpFacts, v: &str| {
        if let Ok(r) = v.trim().parse::<i32>()
            && (1..=5).contains(&r)
        {
            facts.rating = Some(r as u8);
        }
    };
    for _ in 0..100_000 {
        let Ok(ev) = reader.read_resolved_event() else {
            break;
        };
        match ev {
            (ns, Event::Start(e)) | (ns, Event::Empty(e)) => {
                let local = e.local_name();
                let in_ns =
                    |want: &str| matches!(ns, ResolveResult::Bound(n) if n.into_inner() == want);
                if in_ns(NS_DC) && local.into_inner() == "subject" {
                    in_subject = true;
                } else if in_ns(NS_DC) && local.into_inner() == "description" {
                    in_description = true;
                } else if in_ns(NS_XMP) && local.into_inner() == "Rating" {
                    buf.clear();
                } else if local.into_inner() == "li" {
                    in_li = true;
                    buf.clear();
                }
                for a in e.attributes().flatten() {
                    let (ans, aname) = reader.resolver().resolve_attribute(a.key);
                    if matches!(ans, ResolveResult::Bound(n) if n.into_inner() == NS_XMP)
                        && aname.into_inner() == "Rating"
                        && let Ok(v) = a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    {
                        set_rating(&mut facts, &v);
                    }
                }
            }
            (_, Event::Text(t)) => buf.push_str(&t),
            (_, Event::CData(t)) => buf.push_str(&t),
            (_, Event::GeneralRef(r)) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    buf.push(c);
                } else if let Some(v) = quick_xml::escape::resolve_xml_entity(&r) {
                    buf.push_str(v);
                }
            }
            (ns, Event::End(e)) => {
                let local = e.local_name();
                let in_ns =
                    |want: &str| matches!(ns, ResolveResult::Bound(n) if n.into_inner() == want);
                let v = buf.trim().to_owned();
                if in_ns(NS_DC) && local.into_inner() == "subject" {
                    in_subject = false;
                } else if in_ns(NS_DC) && local.into_inner() == "description" {
                    in_description = false;
                } else if in_ns(NS_XMP) && local.into_inner() == "Rating" {
                    set_rating(&mut facts, &v);
                } else if local.into_inner() == "li" && in_li {
                    in_li = false;
                    if v.is_empty() {
                        continue;
                    }
                    if in_subject && !facts.keywords.contains(&v) {
                        facts.keywords.push(v);
                    } else if in_description && facts.description.is_none() {
                        facts.description = Some(v);
                    }
                }
            }
            (_, Event::Eof) => break,
            _ => {}
        }
    }
    facts
}

#[cfg(test)]
mod xmp_tests {
    use super::*;

    #[test]
    fn sidecars_of_other_programs_are_read() {
        // darktable: attributes, a bag of subjects.
        let dt = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmp:Rating="3">
   <dc:subject><rdf:Bag><rdf:li>beach</rdf:li><rdf:li>Zia &amp; Lucia</rdf:li></rdf:Bag></dc:subject>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Sunset at the pier</rdf:li></rdf:Alt></dc:description>
  </rdf:Description></rdf:RDF></x:xmpmeta>"#;
        assert_eq!(
            read_xmp(dt),
            XmpFacts {
                rating: Some(3),
                keywords: vec!["beach".into(), "Zia & Lucia".into()],
                description: Some("Sunset at the pier".into()),
            }
        );
        // Element form with another prefix for the same namespace; a rejected photo (-1).
        let lr = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description xmlns:xap="http://ns.adobe.com/xap/1.0/"><xap:Rating>5</xap:Rating></rdf:Description>
  <rdf:Description xmlns:other="http://example.com/"><other:Rating>2</other:Rating></rdf:Description>
  </rdf:RDF></x:xmpmeta>"#;
        assert_eq!(read_xmp(lr).rating, Some(5));
        let rejected = r#"<r xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="-1"/>"#;
        assert_eq!(read_xmp(rejected).rating, None);
        // Our own sidecars read back.
        let ours = xmp_packet(&ExportMeta {
            rating: 2,
            keywords: vec!["a <b>".into()],
            description: Some("x & y".into()),
            ..Default::default()
        });
        let back = read_xmp(&ours);
        assert_eq!(back.rating, Some(2));
        assert_eq!(back.keywords, vec!["a <b>".to_owned()]);
        assert_eq!(back.description.as_deref(), Some("x & y"));
        // Garbage gives nothing, and no panic.
        assert_eq!(read_xmp("<<<not xml"), XmpFacts::default());
        assert_eq!(read_xmp(""), XmpFacts::default());
    }
}
