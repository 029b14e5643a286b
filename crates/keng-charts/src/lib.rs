//! Charts for reports, drawn as SVG text on the server: horizontal bars (one row per
//! unit, ground or category, one bar per series), grouped columns (months along the
//! bottom) and lines over time. Every chart carries a `<title>` and `<desc>`, names each bar's value in a
//! tooltip and beside the bar, and scales to its container (`viewBox`, no fixed width),
//! so screen readers, phones and printers all get the figures. Labels and titles are
//! escaped; a long label is shortened on a character boundary, never inside a letter.
//! Pure: strings in, a string out.

pub mod sketch;

use std::fmt::Write;

/// Colours of the series, in order: distinguishable in grey print and by people with
/// the common colour-vision deficiencies (blue, orange, green, purple, grey).
pub const PALETTE: [&str; 5] = ["#1f5fa8", "#d9822b", "#3d8b37", "#7b4fa0", "#6b6b6b"];

/// One series of values (a legend entry), one value per category.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

impl Series {
    /// A series named `name` with `values`, one per category.
    pub fn new(name: impl Into<String>, values: impl IntoIterator<Item = f64>) -> Series {
        Series {
            name: name.into(),
            values: values.into_iter().collect(),
        }
    }
}

/// What a chart shows.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Heading of the chart (also its accessible name).
    pub title: String,
    /// One sentence saying what the chart shows (its accessible description).
    pub desc: String,
    /// The rows (bars) or columns, in order.
    pub categories: Vec<String>,
    /// One or more series; each has a value per category (missing values count as 0).
    pub series: Vec<Series>,
    /// Written after each value ("giờ", "%", "vụ"); may be empty.
    pub unit: String,
}

/// May `c` stand in XML 1.0 text? Control characters (but tab and line feed) and the
/// non-characters U+FFFE/U+FFFF may not; a document holding one is not XML at all.
pub fn allowed_in_xml(c: char) -> bool {
    !(((c as u32) < 0x20 && c != '\n' && c != '\t') || c == '\u{FFFE}' || c == '\u{FFFF}')
}

/// `&`, `<`, `>`, `"` and `'` escaped for text and attribute values (characters XML
/// does not allow become spaces).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if !allowed_in_xml(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Marks that belong to the character before them (combining accents, variation
/// selectors, skin tones) and the joiner of emoji sequences: a cut never lands before
/// one, so a letter keeps its accent and an emoji is not split.
fn clings(c: char) -> bool {
    matches!(c as u32,
        0x300..=0x36F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
        | 0xFE00..=0xFE0F | 0x200D | 0x1F3FB..=0x1F3FF | 0xE0100..=0xE01EF)
}

/// At most about `max` characters, with "…" when shortened; the cut falls between
/// whole letters (a letter with its combining accents, an emoji sequence).
pub fn shorten(s: &str, max: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= max {
        return s.to_string();
    }
    let mut end = max.saturating_sub(1).min(chars.len());
    // Back off to the start of the last whole letter or emoji sequence.
    while end > 0 && (clings(chars[end]) || chars[end - 1] == '\u{200D}') {
        end -= 1;
    }
    let mut out: String = chars[..end].iter().collect();
    out.push('…');
    out
}

/// A value as people write it in Vietnamese reports: thousands grouped with dots, a
/// comma before the decimals, at most one decimal, none when whole ("12", "3,5",
/// "1.500.000").
pub fn number(v: f64) -> String {
    number_to(v, 1)
}

/// A value with at most `decimals` decimals (trailing zeros dropped), a decimal comma,
/// thousands grouped with dots.
pub fn number_to(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    // "-0" is 0.
    let s = if s == "-0" { "0".to_string() } else { s };
    // Thousands grouped with dots, the decimal part after a comma: "1.500.000", "12,5".
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s.as_str()),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped},{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Decimals a scale step needs to be written exactly (0.05 → 2, 20 → 0).
fn decimals_of(step: f64) -> usize {
    if step >= 1.0 || step <= 0.0 || !step.is_finite() {
        0
    } else {
        (-step.log10()).ceil().clamp(0.0, 6.0) as usize
    }
}

fn value(chart: &Chart, s: usize, c: usize) -> f64 {
    chart
        .series
        .get(s)
        .and_then(|x| x.values.get(c))
        .copied()
        .filter(|v| v.is_finite() && *v > 0.0)
        .unwrap_or(0.0)
}

fn max_value(chart: &Chart) -> f64 {
    let mut m = 0.0f64;
    for s in 0..chart.series.len() {
        for c in 0..chart.categories.len() {
            m = m.max(value(chart, s, c));
        }
    }
    m
}

fn label_of(chart: &Chart, s: usize, c: usize) -> String {
    let v = chart
        .series
        .get(s)
        .and_then(|x| x.values.get(c))
        .copied()
        .unwrap_or(0.0);
    let unit = if chart.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", chart.unit)
    };
    format!("{}{unit}", number(v))
}

fn open(out: &mut String, chart: &Chart, width: u32, height: u32, id: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-t {id}-d" font-family="system-ui, sans-serif" font-size="13"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(&chart.title),
        escape(&chart.desc)
    );
}

fn legend(out: &mut String, chart: &Chart, y: u32) {
    if chart.series.len() < 2 {
        return;
    }
    let mut x = 0u32;
    for (i, s) in chart.series.iter().enumerate() {
        let name = shorten(&s.name, 28);
        let _ = write!(
            out,
            r#"<rect x="{x}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}">{}</text>"#,
            y,
            PALETTE[i % PALETTE.len()],
            x + 16,
            y + 11,
            escape(&name)
        );
        x += 24 + 8 * name.chars().count() as u32;
    }
}

/// A stable, XML-safe id for the chart's title and description (several charts share
/// a page).
fn id_of(chart: &Chart) -> String {
    let mut h: u32 = 2166136261;
    for b in chart.title.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(16777619);
    }
    format!("chart-{h:08x}")
}

/// Horizontal bars: a row per category (label on the left), a bar per series, the
/// value written after each bar. The chart is 640 units wide and as tall as its rows.
pub fn hbars(chart: &Chart) -> String {
    const WIDTH: u32 = 640;
    const LABEL: u32 = 210;
    const BAR: u32 = 14;
    let n = chart.series.len().max(1) as u32;
    let row = n * (BAR + 2) + 10;
    let top = if chart.series.len() > 1 { 24 } else { 4 };
    let height = top + row * chart.categories.len() as u32 + 4;
    let max = max_value(chart);
    let span = f64::from(WIDTH - LABEL - 90);
    let id = id_of(chart);
    let mut out = String::new();
    open(&mut out, chart, WIDTH, height, &id);
    legend(&mut out, chart, 2);
    for (c, cat) in chart.categories.iter().enumerate() {
        let y0 = top + row * c as u32;
        let _ = write!(
            out,
            r#"<g><title>{}</title><text x="{}" y="{}" text-anchor="end">{}</text>"#,
            escape(cat),
            LABEL - 8,
            y0 + (row - 10) / 2 + 9,
            escape(&shorten(cat, 26))
        );
        for s in 0..chart.series.len() {
            let v = value(chart, s, c);
            let w = if max > 0.0 { v / max * span } else { 0.0 };
            let y = y0 + s as u32 * (BAR + 2);
            let _ = write!(
                out,
                r#"<rect x="{LABEL}" y="{y}" width="{w:.1}" height="{BAR}" fill="{}"><title>{}: {}</title></rect>"#,
                PALETTE[s % PALETTE.len()],
                escape(&chart.series[s].name),
                escape(&label_of(chart, s, c)),
            );
            // With several series an empty bar says nothing: no "0" beside it.
            if v > 0.0 || chart.series.len() == 1 {
                let _ = write!(
                    out,
                    r#"<text x="{:.1}" y="{}">{}</text>"#,
                    f64::from(LABEL) + w + 4.0,
                    y + BAR - 3,
                    escape(&label_of(chart, s, c))
                );
            }
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

/// Draws the value scale and its grid lines from `left` to `right`, in a plot `plot_h`
/// high starting at `top`, with round steps; returns the top of the scale.
fn scale(
    out: &mut String,
    chart: &Chart,
    (left, right): (u32, u32),
    (top, plot_h): (u32, f64),
) -> f64 {
    let highest = max_value(chart);
    let step = nice_step(highest);
    // At most a dozen steps; the top of the scale stays finite even for the largest
    // values (ceil × step can overflow to infinity near f64::MAX).
    let steps = (highest / step).ceil().clamp(1.0, 12.0);
    let max = Some(steps * step)
        .filter(|m| m.is_finite())
        .unwrap_or(highest.max(f64::MIN_POSITIVE));
    for i in 0..=(steps as usize) {
        let tick = (step * i as f64).min(max);
        let y = f64::from(top) + plot_h - tick / max * plot_h;
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{right}" y1="{y:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end" fill="#555">{}</text>"##,
            left - 4,
            y + 4.0,
            number_to(tick, decimals_of(step))
        );
    }
    max
}

/// The size of the charts with a value scale (columns, lines) and their margins.
const WIDTH: u32 = 640;
const HEIGHT: u32 = 260;
const LEFT: u32 = 48;
const BOTTOM: u32 = 40;

/// The start of a chart with a value scale: the SVG opened with its title, the legend,
/// and the scale drawn from the left margin to `right`. Returns the SVG so far, the top
/// of the scale, and the plot's top and height.
fn scaled_frame(chart: &Chart, right: u32) -> (String, f64, u32, f64) {
    let top: u32 = if chart.series.len() > 1 { 28 } else { 10 };
    let plot_h = f64::from(HEIGHT - BOTTOM - top);
    let id = id_of(chart);
    let mut out = String::new();
    open(&mut out, chart, WIDTH, HEIGHT, &id);
    legend(&mut out, chart, 4);
    let max = scale(&mut out, chart, (LEFT, right), (top, plot_h));
    (out, max, top, plot_h)
}

/// Grouped columns: categories along the bottom (months, years), a column per series,
/// a scale on the left with round steps. 640 × 260 units.
pub fn columns(chart: &Chart) -> String {
    let (mut out, max, top, plot_h) = scaled_frame(chart, WIDTH);
    let cats = chart.categories.len().max(1) as f64;
    let slot = f64::from(WIDTH - LEFT) / cats;
    let n = chart.series.len().max(1) as f64;
    let bar = (slot * 0.8 / n).min(40.0);
    for (c, cat) in chart.categories.iter().enumerate() {
        let x0 = f64::from(LEFT) + slot * c as f64 + (slot - bar * n) / 2.0;
        let _ = write!(out, "<g><title>{}</title>", escape(cat));
        for s in 0..chart.series.len() {
            let v = value(chart, s, c);
            let h = v / max * plot_h;
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{}"><title>{} — {}: {}</title></rect>"#,
                x0 + bar * s as f64,
                f64::from(top) + plot_h - h,
                bar,
                PALETTE[s % PALETTE.len()],
                escape(cat),
                escape(&chart.series[s].name),
                escape(&label_of(chart, s, c))
            );
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text></g>"#,
            f64::from(LEFT) + slot * (c as f64 + 0.5),
            HEIGHT - BOTTOM + 16,
            escape(&shorten(cat, ((slot / 7.0) as usize).max(3)))
        );
    }
    out.push_str("</svg>");
    out
}

/// Lines over time: categories along the bottom (days, weeks, months; labels thinned
/// to fit), a line per series with a marker at each value, a scale on the left with
/// round steps, dashed series after the first so they stay apart in grey print.
/// 640 × 260 units.
pub fn lines(chart: &Chart) -> String {
    const RIGHT: u32 = 12;
    let (mut out, max, top, plot_h) = scaled_frame(chart, WIDTH - RIGHT);
    let n = chart.categories.len();
    let span = f64::from(WIDTH - LEFT - RIGHT);
    let x_of = |c: usize| {
        if n <= 1 {
            f64::from(LEFT) + span / 2.0
        } else {
            f64::from(LEFT) + span * c as f64 / (n - 1) as f64
        }
    };
    let y_of = |v: f64| f64::from(top) + plot_h - v / max * plot_h;
    // About one label per 56 units.
    let every = n.div_ceil(((span / 56.0) as usize).max(1)).max(1);
    for (c, cat) in chart.categories.iter().enumerate() {
        if c % every == 0 || c + 1 == n {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                x_of(c),
                HEIGHT - BOTTOM + 16,
                escape(&shorten(cat, 8))
            );
        }
    }
    for s in 0..chart.series.len() {
        let colour = PALETTE[s % PALETTE.len()];
        let points: Vec<String> = (0..n)
            .map(|c| format!("{:.1},{:.1}", x_of(c), y_of(value(chart, s, c))))
            .collect();
        let dash = if s == 0 {
            ""
        } else {
            r#" stroke-dasharray="6 3""#
        };
        let _ = write!(
            out,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{}"/>"#,
            points.join(" ")
        );
        for c in 0..n {
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"><title>{} — {}: {}</title></circle>"#,
                x_of(c),
                y_of(value(chart, s, c)),
                escape(&chart.categories[c]),
                escape(&chart.series[s].name),
                escape(&label_of(chart, s, c))
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// A round step for a scale whose top is `max`: 1, 2 or 5 times a power of ten, about
/// five steps to the top.
pub fn nice_step(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.0 {
        return 1.0;
    }
    let raw = max / 5.0;
    let pow = 10f64.powf(raw.log10().floor());
    let m = raw / pow;
    let k = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    (k * pow).max(f64::MIN_POSITIVE)
}

/// The median of values (the mean of the two middle ones for an even count); `None`
/// for no values. Values that are not finite are left out.
pub fn median(values: &[f64]) -> Option<f64> {
    let v = sorted(values);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// The `q` quantile (0 < q ≤ 1) by the nearest-rank method — the smallest value with at
/// least `q` of the values at or below it (p90: `q = 0.9`); always one of the values.
pub fn nearest_rank(values: &[f64], q: f64) -> Option<f64> {
    let v = sorted(values);
    if v.is_empty() || !(q > 0.0 && q <= 1.0) {
        return None;
    }
    let rank = (q * v.len() as f64).ceil() as usize;
    v.get(rank.clamp(1, v.len()) - 1).copied()
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_the_vietnamese_way() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(3.46), "3,5");
        assert_eq!(number(f64::NAN), "–");
        assert_eq!(number(1_500_000.0), "1.500.000");
        assert_eq!(number(-12_345.67), "-12.345,7");
        assert_eq!(number(999.0), "999");
        assert_eq!(number(1000.0), "1.000");
    }

    #[test]
    fn lines_draw_one_polyline_per_series_with_every_value_named() {
        let c = Chart {
            title: "Số vụ <theo> ngày".into(),
            desc: "d".into(),
            categories: (1..=30).map(|d| format!("{d:02}/12")).collect(),
            series: vec![
                Series::new("Số vụ", (1..=30).map(f64::from)),
                Series::new("Cùng kỳ", (1..=30).map(|d| f64::from(d) / 2.0)),
            ],
            unit: "vụ".into(),
        };
        let svg = lines(&c);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 60);
        assert!(svg.contains("Số vụ &lt;theo&gt; ngày"));
        assert!(svg.contains("30/12 — Số vụ: 30 vụ"));
        assert!(svg.contains("30/12 — Cùng kỳ: 15 vụ"));
        // Labels are thinned but the first and the last are written.
        assert!(svg.contains(">01/12</text>") && svg.contains(">30/12</text>"));
        let empty = lines(&Chart {
            categories: vec![],
            series: vec![],
            ..c
        });
        assert!(empty.ends_with("</svg>"));
    }

    #[test]
    fn median_and_p90() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(nearest_rank(&ten, 0.9), Some(9.0));
        assert_eq!(nearest_rank(&ten, 1.0), Some(10.0));
        assert_eq!(nearest_rank(&[5.0], 0.9), Some(5.0));
        assert_eq!(nearest_rank(&[f64::NAN], 0.9), None);
    }

    #[test]
    fn scale_labels_keep_the_decimals_their_step_needs() {
        assert_eq!(number_to(0.05, decimals_of(0.05)), "0,05");
        assert_eq!(number_to(0.1, decimals_of(0.02)), "0,1");
        assert_eq!(number_to(40.0, decimals_of(20.0)), "40");
        assert_eq!(number_to(-0.0001, 2), "0");
    }

    #[test]
    fn the_largest_values_still_give_a_bounded_scale() {
        // ceil(MAX / step) × step is infinite: the scale used to grow without end.
        let chart = Chart {
            title: "t".into(),
            desc: "d".into(),
            categories: vec!["a".into(), "b".into()],
            series: vec![Series {
                name: "s".into(),
                values: vec![f64::MAX, 1.0],
            }],
            unit: String::new(),
        };
        let svg = columns(&chart);
        assert!(svg.len() < 100_000, "{}", svg.len());
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        let tiny = Chart {
            series: vec![Series {
                name: "s".into(),
                values: vec![f64::MIN_POSITIVE, 5e-324],
            }],
            ..chart
        };
        assert!(columns(&tiny).len() < 100_000);
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(10.0), 2.0);
        assert_eq!(nice_step(47.0), 10.0);
        assert_eq!(nice_step(230.0), 50.0);
        assert!((nice_step(0.7) - 0.2).abs() < 1e-9);
    }

    #[test]
    fn shortening_keeps_whole_letters() {
        assert_eq!(shorten("Công an xã Tân Lập", 10), "Công an x…");
        assert_eq!(shorten("ngắn", 10), "ngắn");
        // Decomposed "xã" (x, a, combining tilde): the accent stays with its letter.
        assert_eq!(shorten("Công an xa\u{303} Tân", 11), "Công an x…");
        // A family emoji (four people joined by ZWJ) is kept whole or left out whole.
        let family = "Đơn vị \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467} khác";
        let cut = shorten(family, 10);
        assert!(
            !cut.contains('\u{200D}') || cut.contains("\u{1F467}"),
            "{cut}"
        );
    }
}
