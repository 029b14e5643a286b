//! A sketch of places on a road network as SVG, with no map tiles: black spots as
//! numbered dots, road segments as numbered lines, on a light grid of latitude and
//! longitude with a north mark and a scale bar. The projection is equirectangular around
//! the middle latitude (good enough across one province). Every feature has a `<title>`
//! and its number, so the page's list beside the sketch says the same thing in words.
//! Coordinates that are not numbers or not on the globe are left out.

use std::fmt::Write;

use crate::escape;

/// One place: a dot (one point) or a line (two or more).
#[derive(Debug, Clone)]
pub struct Feature {
    /// Shown as its tooltip ("QL1A Km 285+300, Hà Trung").
    pub label: String,
    /// Latitude, longitude in decimal degrees.
    pub points: Vec<(f64, f64)>,
    /// Drawn stronger (a place a warning in force names).
    pub emphasis: bool,
}

/// What the sketch shows.
#[derive(Debug, Clone)]
pub struct Sketch {
    pub title: String,
    pub desc: String,
    pub features: Vec<Feature>,
    /// The word the north mark carries ("B" for Bắc, "N").
    pub north: String,
}

/// A feature with its number and the points of it that are on the globe.
type Numbered<'a> = (usize, &'a Feature, Vec<(f64, f64)>);

const W: f64 = 640.0;
const H: f64 = 480.0;
const PAD: f64 = 36.0;

fn on_globe(p: &(f64, f64)) -> bool {
    p.0.is_finite() && p.1.is_finite() && p.0.abs() <= 90.0 && p.1.abs() <= 180.0
}

/// The sketch as an SVG document that scales to its container.
pub fn sketch(s: &Sketch) -> String {
    let features: Vec<Numbered> = s
        .features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            (
                i + 1,
                f,
                f.points
                    .iter()
                    .copied()
                    .filter(on_globe)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, _, p)| !p.is_empty())
        .collect();
    let all: Vec<(f64, f64)> = features
        .iter()
        .flat_map(|(_, _, p)| p.iter().copied())
        .collect();
    let (mut lat0, mut lat1, mut lon0, mut lon1) = all.iter().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(a, b, c, d), (lat, lon)| (a.min(*lat), b.max(*lat), c.min(*lon), d.max(*lon)),
    );
    if all.is_empty() {
        (lat0, lat1, lon0, lon1) = (0.0, 0.1, 0.0, 0.1);
    }
    // At least about 10 km across, so one dot is not a whole sketch.
    let min_span = 0.1;
    if lat1 - lat0 < min_span {
        let m = (lat0 + lat1) / 2.0;
        (lat0, lat1) = (m - min_span / 2.0, m + min_span / 2.0);
    }
    if lon1 - lon0 < min_span {
        let m = (lon0 + lon1) / 2.0;
        (lon0, lon1) = (m - min_span / 2.0, m + min_span / 2.0);
    }
    let k = ((lat0 + lat1) / 2.0).to_radians().cos().max(0.05);
    let (span_x, span_y) = ((lon1 - lon0) * k, lat1 - lat0);
    let scale = ((W - 2.0 * PAD) / span_x).min((H - 2.0 * PAD) / span_y);
    let (off_x, off_y) = ((W - span_x * scale) / 2.0, (H - span_y * scale) / 2.0);
    let xy = |(lat, lon): (f64, f64)| -> (f64, f64) {
        (
            off_x + (lon - lon0) * k * scale,
            off_y + (lat1 - lat) * scale,
        )
    };

    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" aria-labelledby="sk-t sk-d" class="sketch">"#
    );
    let _ = writeln!(out, "<title id=\"sk-t\">{}</title>", escape(&s.title));
    let _ = writeln!(out, "<desc id=\"sk-d\">{}</desc>", escape(&s.desc));
    let _ = writeln!(out, r##"<rect width="{W}" height="{H}" fill="#f7f7f4"/>"##);
    // A grid every tenth of a degree (or coarser), labelled in degrees.
    let step = [0.05, 0.1, 0.2, 0.5, 1.0, 2.0]
        .into_iter()
        .find(|s| (lat1 - lat0) / s <= 8.0 && (lon1 - lon0) / s <= 8.0)
        .unwrap_or(5.0);
    let mut lat = (lat0 / step).floor() * step;
    while lat <= lat1 + step {
        let (_, y) = xy((lat, lon0));
        if (0.0..=H).contains(&y) {
            let _ = writeln!(
                out,
                r##"<line x1="0" y1="{y:.1}" x2="{W}" y2="{y:.1}" stroke="#dcdcd4" stroke-width="1"/><text x="4" y="{:.1}" font-size="11" fill="#6b6b6b">{lat:.2}°</text>"##,
                y - 3.0
            );
        }
        lat += step;
    }
    let mut lon = (lon0 / step).floor() * step;
    while lon <= lon1 + step {
        let (x, _) = xy((lat1, lon));
        if (0.0..=W).contains(&x) {
            let _ = writeln!(
                out,
                r##"<line x1="{x:.1}" y1="0" x2="{x:.1}" y2="{H}" stroke="#dcdcd4" stroke-width="1"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#6b6b6b">{lon:.2}°</text>"##,
                x + 3.0,
                H - 4.0
            );
        }
        lon += step;
    }
    // North mark and a 10 km scale bar.
    let nx = W - 24.0;
    let _ = writeln!(
        out,
        r##"<path d="M{nx} 14 L{} 38 L{nx} 32 L{} 38 Z" fill="#3d4a5c"/><text x="{nx}" y="52" font-size="12" text-anchor="middle" fill="#3d4a5c">{}</text>"##,
        nx - 8.0,
        nx + 8.0,
        escape(&s.north),
    );
    let ten_km = 10.0 / 111.32 * scale;
    if ten_km < W / 2.0 {
        let y = H - 20.0;
        let _ = writeln!(
            out,
            r##"<path d="M{x0:.1} {y:.1} h{ten_km:.1}" stroke="#3d4a5c" stroke-width="3"/><text x="{x0:.1}" y="{:.1}" font-size="11" fill="#3d4a5c">10 km</text>"##,
            y - 6.0,
            x0 = W - 24.0 - ten_km,
        );
    }
    // Lines first, dots on top.
    for (n, f, pts) in features.iter().filter(|(_, _, p)| p.len() > 1) {
        let d: Vec<String> = pts
            .iter()
            .map(|p| {
                let (x, y) = xy(*p);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let (colour, width) = if f.emphasis {
            ("#a8201a", 6)
        } else {
            ("#c26a00", 4)
        };
        let (mx, my) = xy(pts[pts.len() / 2]);
        let _ = writeln!(
            out,
            r##"<g><title>{n}. {}</title><polyline points="{}" fill="none" stroke="{colour}" stroke-width="{width}" stroke-linecap="round" stroke-linejoin="round"/><rect x="{:.1}" y="{:.1}" width="20" height="18" rx="3" fill="#ffffff" stroke="{colour}"/><text x="{mx:.1}" y="{:.1}" font-size="12" font-weight="700" text-anchor="middle" fill="{colour}">{n}</text></g>"##,
            escape(&f.label),
            d.join(" "),
            mx - 10.0,
            my - 9.0,
            my + 4.0
        );
    }
    for (n, f, pts) in features.iter().filter(|(_, _, p)| p.len() == 1) {
        let (x, y) = xy(pts[0]);
        let colour = if f.emphasis { "#a8201a" } else { "#3d4a5c" };
        let _ = writeln!(
            out,
            r##"<g><title>{n}. {}</title><circle cx="{x:.1}" cy="{y:.1}" r="10" fill="{colour}" stroke="#ffffff" stroke-width="2"/><text x="{x:.1}" y="{:.1}" font-size="11" font-weight="700" text-anchor="middle" fill="#ffffff">{n}</text></g>"##,
            escape(&f.label),
            y + 4.0
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parses(svg: &str) -> bool {
        let mut r = quick_xml::Reader::from_str(svg);
        loop {
            match r.read_event() {
                Ok(quick_xml::events::Event::Eof) => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
    }

    #[test]
    fn dots_and_lines_are_numbered_and_named() {
        let s = Sketch {
            title: "Điểm đen <QL1A>".into(),
            desc: "Hai điểm".into(),
            north: "B".into(),
            features: vec![
                Feature {
                    label: "Km 285 & Hà Trung".into(),
                    points: vec![(20.03, 105.84)],
                    emphasis: true,
                },
                Feature {
                    label: "QL47".into(),
                    points: vec![(19.80, 105.78), (19.76, 105.86), (19.74, 105.90)],
                    emphasis: false,
                },
                Feature {
                    label: "nowhere".into(),
                    points: vec![(f64::NAN, 1.0), (95.0, 1.0)],
                    emphasis: false,
                },
            ],
        };
        let svg = sketch(&s);
        assert!(parses(&svg), "{svg}");
        assert!(svg.contains("<title>1. Km 285 &amp; Hà Trung</title>"));
        assert!(svg.contains("<title>2. QL47</title>"));
        assert!(!svg.contains("nowhere"));
        assert!(svg.contains("&lt;QL1A&gt;"));
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert!(svg.contains("10 km"));
    }

    proptest! {
        #[test]
        fn any_places_give_well_formed_svg_inside_the_frame(
            pts in proptest::collection::vec((-100.0f64..100.0, -200.0f64..200.0), 0..12),
            label in "\\PC{0,40}",
        ) {
            let s = Sketch {
                title: label.clone(),
                desc: String::new(),
                north: "N".into(),
                features: pts.iter().map(|p| Feature { label: label.clone(), points: vec![*p], emphasis: false }).collect(),
            };
            let svg = sketch(&s);
            prop_assert!(parses(&svg));
            prop_assert!(!svg.contains("NaN") && !svg.contains("inf"));
        }
    }
}
