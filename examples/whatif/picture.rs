//! `--svg FILE`: price curves drawn with plotters (SVG only).
//!
//! The figures are computed exactly (Money); only the picture converts
//! them to `f64`, at the very end, to place points on a canvas.

use std::path::Path;

use billing_rules::Decimal;
use plotters::prelude::*;

/// One line of a chart: a name for the legend, and its points.
pub struct Series {
    /// Shown in the legend.
    pub name: String,
    /// `(x, y)` in the chart's units.
    pub points: Vec<(f64, f64)>,
}

/// A vertical mark: an x and its label (a tier boundary, the forecast).
pub struct Mark {
    /// Where.
    pub x: f64,
    /// What it says.
    pub label: String,
}

/// One chart of a picture.
pub struct Panel {
    /// Above the chart.
    pub title: String,
    /// The x axis's description, with its unit.
    pub x_desc: String,
    /// The y axis's description, with its currency.
    pub y_desc: String,
    /// The lines.
    pub series: Vec<Series>,
    /// Vertical marks, labelled.
    pub marks: Vec<Mark>,
}

/// A decimal as a coordinate (pictures only: never for money arithmetic).
pub fn coordinate(value: Decimal) -> f64 {
    value.to_string().parse().unwrap_or(0.0)
}

const COLOURS: [RGBColor; 4] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
];

/// Draws `panels` one above the other into the SVG file `path`.
pub fn draw(path: &Path, panels: &[Panel]) -> Result<(), String> {
    let rows = u32::try_from(panels.len()).unwrap_or(1).max(1);
    let fail = |e: &dyn std::fmt::Display| format!("cannot draw {}: {e}", path.display());
    let root = SVGBackend::new(path, (960, 420 * rows)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let areas = root.split_evenly((panels.len().max(1), 1));
    for (panel, area) in panels.iter().zip(&areas) {
        chart(panel, area).map_err(|e| fail(&e))?;
    }
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}

fn chart(
    panel: &Panel,
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
) -> Result<(), Box<dyn std::error::Error>> {
    let xs = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0));
    let ys = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1));
    let x_max = xs.fold(1.0_f64, f64::max);
    // Headroom above the highest point for the boundary labels.
    let y_max = ys.fold(1.0_f64, f64::max) * 1.15;
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_desc(panel.x_desc.as_str())
        .y_desc(panel.y_desc.as_str())
        .light_line_style(WHITE.mix(0.0))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()?;
    for mark in &panel.marks {
        let style = RGBColor(120, 120, 120).stroke_width(1);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(mark.x, 0.0), (mark.x, y_max * 0.93)],
            style,
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            mark.label.clone(),
            (mark.x, y_max * 0.97),
            ("sans-serif", 13),
        )))?;
    }
    for (i, series) in panel.series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        chart
            .draw_series(LineSeries::new(
                series.points.iter().copied(),
                colour.stroke_width(2),
            ))?
            .label(series.name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}
