//! Plots of the report as inline SVG strings, drawn with plotters' SVG backend.
//!
//! Without plotters' `ttf` feature, text is laid out with its built-in size estimate and
//! written as SVG `<text>` elements that the browser renders in its own sans-serif font.

use plotters::prelude::*;

/// Width and height of every plot, in pixels.
pub const PLOT_SIZE: (u32, u32) = (560, 340);

/// One labelled line.
pub struct Series<'a> {
    /// Legend text.
    pub label: String,
    /// Points in drawing order.
    pub points: &'a [(f64, f64)],
    /// Line colour.
    pub color: RGBColor,
}

/// Draws a histogram of `scores` in `bins` bins with the `marked` scores (known links) as
/// red ticks along the bottom and `highlighted` scores (the top candidates) as blue ticks.
///
/// # Errors
/// Plotters fails to draw.
pub fn score_histogram(
    scores: &[f32],
    marked: &[f32],
    highlighted: &[f32],
    bins: usize,
    x_label: &str,
) -> Result<String, String> {
    let finite: Vec<f64> = scores
        .iter()
        .filter(|s| s.is_finite())
        .map(|&s| f64::from(s))
        .collect();
    let (low, high) = finite
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &s| {
            (l.min(s), h.max(s))
        });
    if !low.is_finite() {
        return Err("no finite scores to plot".into());
    }
    let high = if high > low { high } else { low + 1.0 };
    let width = (high - low) / bins as f64;
    let mut counts = vec![0u32; bins];
    for s in &finite {
        let bin = (((s - low) / width) as usize).min(bins - 1);
        counts[bin] += 1;
    }
    let top = f64::from(counts.iter().copied().max().unwrap_or(1).max(1));

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, PLOT_SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d(low..high, 0.0..top * 1.08)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc("candidates")
            .light_line_style(WHITE)
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(counts.iter().enumerate().map(|(i, &c)| {
                let x0 = low + i as f64 * width;
                Rectangle::new(
                    [(x0, 0.0), (x0 + width, f64::from(c))],
                    RGBColor(150, 160, 175).filled(),
                )
            }))
            .map_err(|e| e.to_string())?
            .label("all candidates")
            .legend(|(x, y)| {
                Rectangle::new(
                    [(x, y - 4), (x + 12, y + 4)],
                    RGBColor(150, 160, 175).filled(),
                )
            });

        let tick = top * 0.06;
        chart
            .draw_series(marked.iter().filter(|s| s.is_finite()).map(|&s| {
                PathElement::new(
                    vec![(f64::from(s), 0.0), (f64::from(s), tick)],
                    RED.stroke_width(2),
                )
            }))
            .map_err(|e| e.to_string())?
            .label("known links")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], RED.stroke_width(2)));
        chart
            .draw_series(highlighted.iter().filter(|s| s.is_finite()).map(|&s| {
                PathElement::new(
                    vec![(f64::from(s), tick), (f64::from(s), tick * 2.0)],
                    BLUE.stroke_width(2),
                )
            }))
            .map_err(|e| e.to_string())?
            .label("top candidates")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], BLUE.stroke_width(2)));
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Draws lines on shared axes; `diagonal` adds the dashed chance line of a ROC plot.
///
/// # Errors
/// Plotters fails to draw.
pub fn line_chart(
    series: &[Series<'_>],
    x_range: std::ops::Range<f64>,
    y_range: std::ops::Range<f64>,
    labels: (&str, &str),
    diagonal: bool,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, PLOT_SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d(x_range.clone(), y_range)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(labels.0)
            .y_desc(labels.1)
            .light_line_style(RGBColor(238, 238, 238))
            .draw()
            .map_err(|e| e.to_string())?;
        if diagonal {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x_range.start, x_range.start), (x_range.end, x_range.end)],
                    4,
                    4,
                    RGBColor(160, 160, 160).into(),
                ))
                .map_err(|e| e.to_string())?;
        }
        for line in series {
            let color = line.color;
            chart
                .draw_series(LineSeries::new(
                    line.points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?
                .label(line.label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 14, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_svg() {
        let scores: Vec<f32> = (0..100).map(|i| i as f32 / 10.0).collect();
        let svg = score_histogram(&scores, &[9.0], &[8.0], 20, "score").unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.contains("known links"));
    }

    #[test]
    fn histogram_of_nothing_fails() {
        assert!(score_histogram(&[], &[], &[], 10, "score").is_err());
        assert!(score_histogram(&[f32::NEG_INFINITY], &[], &[], 10, "score").is_err());
    }

    #[test]
    fn constant_scores_still_plot() {
        assert!(score_histogram(&[1.0, 1.0], &[], &[], 10, "score").is_ok());
    }

    #[test]
    fn line_chart_has_legend() {
        let points = [(0.0, 0.0), (0.5, 0.8), (1.0, 1.0)];
        let series = [Series {
            label: "model".into(),
            points: &points,
            color: BLUE,
        }];
        let svg = line_chart(&series, 0.0..1.0, 0.0..1.0, ("FPR", "TPR"), true).unwrap();
        assert!(svg.contains("model"));
        assert!(svg.contains("<polyline") || svg.contains("<path"));
    }
}
