//! `--svg`: well-formed SVG files holding their labels.

use super::*;

/// Checks that `svg` is well-formed XML of an `<svg>` root: every element
/// closed in order, attributes quoted, nothing after the root. A small
/// checker rather than an XML crate: plotters writes plain elements only.
fn well_formed(svg: &str) -> Result<(), String> {
    let mut open: Vec<String> = Vec::new();
    let mut rest = svg.trim();
    let mut roots = 0;
    while let Some(start) = rest.find('<') {
        if open.is_empty() && !rest[..start].trim().is_empty() {
            return Err(format!("text outside the root: {:?}", &rest[..start]));
        }
        let end = rest[start..].find('>').ok_or("an unclosed tag")? + start;
        let tag = &rest[start + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            let expected = open.pop().ok_or(format!("</{name}> closes nothing"))?;
            if expected != name.trim() {
                return Err(format!("</{name}> closes <{expected}>"));
            }
        } else if !tag.starts_with('?') && !tag.starts_with('!') {
            let name: String = tag
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '/')
                .collect();
            if open.is_empty() {
                roots += 1;
            }
            if !tag.matches('"').count().is_multiple_of(2) {
                return Err(format!("unbalanced quotes in <{tag}>"));
            }
            if !tag.ends_with('/') {
                open.push(name);
            }
        }
        rest = &rest[end + 1..];
    }
    if !open.is_empty() {
        return Err(format!("unclosed: {open:?}"));
    }
    if roots != 1 || !svg.trim_start().starts_with("<svg") {
        return Err(format!("{roots} roots, or the root is not <svg>"));
    }
    Ok(())
}

#[test]
fn the_well_formedness_checker_can_fail() {
    assert!(well_formed("<svg><text>a</text></svg>").is_ok());
    assert!(well_formed("<svg><text>a</svg>").is_err());
    assert!(well_formed("<svg><line x=\"1/></svg>").is_err());
    assert!(well_formed("<svg></svg><svg></svg>").is_err());
}

fn svg_of(args: &[&str], name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("whatif-svg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let mut with_svg = args.to_vec();
    let path_text = path.to_str().unwrap().to_owned();
    with_svg.extend(["--svg", &path_text]);
    answers(&with_svg, &["Picture: "]);
    let svg = std::fs::read_to_string(&path).unwrap();
    if let Err(problem) = well_formed(&svg) {
        panic!("{args:?}: the SVG is not well-formed: {problem}");
    }
    svg
}

#[test]
fn tiers_svg_draws_both_modes_with_labelled_boundaries_and_the_currency() {
    let svg = svg_of(&["tiers"], "tiers.svg");
    for label in [
        "total price (CNY)",
        "price per seat (CNY)",
        // R-SEAT-03 preset boundaries: 1-50, 51-200, 201+.
        "tier 2: 51+ seats",
        "tier 3: 201+ seats",
        "volume (all seats at the tier",
        "graduated (each tier prices its own seats)",
    ] {
        assert!(svg.contains(label), "tiers.svg lacks {label:?}");
    }
    // One curve per mode and panel, a point per seat count from 1 to 402
    // (twice the last boundary); the volume curve falls at each boundary.
    let curves = svg
        .split("points=\"")
        .skip(1)
        .filter(|rest| {
            rest.split('"')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .count()
                >= 402
        })
        .count();
    assert_eq!(curves, 4, "{svg}");
}

#[test]
fn packages_svg_draws_the_plan_beside_pay_per_call() {
    let svg = svg_of(&["packages", "--calls", "1200000"], "packages.svg");
    for label in [
        "cost (CNY)",
        "calls",
        "forecast: 1200000 calls",
        "cheapest plan",
        "pay per call",
        "after 1000 free trial calls",
    ] {
        assert!(svg.contains(label), "packages.svg lacks {label:?}");
    }
}

#[test]
fn an_svg_that_cannot_be_written_is_a_failure_not_a_panic() {
    refuses(
        &["tiers", "--svg", "/no/such/dir/tiers.svg"],
        1,
        "cannot draw /no/such/dir/tiers.svg",
    );
}
