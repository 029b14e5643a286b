//! The charts are well-formed XML for any labels and values (property test, parsed
//! with quick-xml), carry their title and every value, and scale bars to the largest.

use keng_charts::{columns, hbars, Chart, Series};
use proptest::prelude::*;
use quick_xml::events::Event;
use quick_xml::Reader;

fn well_formed(svg: &str) -> Result<usize, String> {
    let mut reader = Reader::from_str(svg);
    let mut depth = 0i64;
    let mut elements = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                depth += 1;
                elements += 1;
            }
            Ok(Event::Empty(_)) => elements += 1,
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Text(t)) => {
                let raw = t.decode().map_err(|e| e.to_string())?;
                quick_xml::escape::unescape(&raw).map_err(|e| e.to_string())?;
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    if depth != 0 {
        return Err(format!("unbalanced: {depth}"));
    }
    Ok(elements)
}

fn chart(cats: Vec<String>, vals: Vec<Vec<f64>>) -> Chart {
    Chart {
        title: "Thời gian trả lời <theo> đơn vị & tháng".into(),
        desc: "Trung vị và p90".into(),
        series: vals
            .into_iter()
            .enumerate()
            .map(|(i, values)| Series {
                name: format!("chuỗi \"{i}\""),
                values,
            })
            .collect(),
        categories: cats,
        unit: "giờ".into(),
    }
}

#[test]
fn bars_scale_to_the_largest_value_and_say_every_value() {
    let c = chart(
        vec!["Công an xã Tân Lập".into(), "Phòng CSGT".into()],
        vec![vec![10.0, 5.0]],
    );
    let svg = hbars(&c);
    well_formed(&svg).unwrap();
    assert!(svg.contains("<title id="));
    assert!(svg.contains("&lt;theo&gt; đơn vị &amp; tháng"));
    assert!(svg.contains(">10 giờ</text>") && svg.contains(">5 giờ</text>"));
    // The largest bar spans the plot (340 units), the other half of it.
    assert!(svg.contains(r#"width="340.0""#), "{svg}");
    assert!(svg.contains(r#"width="170.0""#), "{svg}");
}

#[test]
fn columns_have_a_legend_for_several_series() {
    let c = chart(
        vec!["01/2026".into(), "02/2026".into(), "03/2026".into()],
        vec![vec![1.0, 2.0, 3.0], vec![2.0, 4.0, 6.5]],
    );
    let svg = columns(&c);
    well_formed(&svg).unwrap();
    assert!(svg.contains("chuỗi &quot;1&quot;"));
    assert!(svg.contains("02/2026 — chuỗi &quot;1&quot;: 4 giờ"));
}

#[test]
fn an_empty_chart_is_still_a_chart() {
    for svg in [
        hbars(&chart(vec![], vec![])),
        columns(&chart(vec![], vec![])),
    ] {
        well_formed(&svg).unwrap();
    }
}

proptest! {
    #[test]
    fn any_labels_and_values_give_well_formed_svg(
        cats in proptest::collection::vec(".{0,40}", 0..12),
        vals in proptest::collection::vec(proptest::collection::vec(proptest::num::f64::ANY, 0..14), 0..4),
    ) {
        for svg in [hbars(&chart(cats.clone(), vals.clone())), columns(&chart(cats.clone(), vals.clone()))] {
            prop_assert!(well_formed(&svg).is_ok(), "{:?}", well_formed(&svg));
            prop_assert!(!svg.contains("NaN") && !svg.contains("inf"));
            // Bounded whatever the values (a scale once grew without end near f64::MAX).
            prop_assert!(svg.len() < 200_000, "{} bytes", svg.len());
        }
    }
}
