//! PNG copies of the SVG charts, for articles, slides and social posts: rendered in Rust
//! (resvg) from the same SVG, with fonts embedded in the binary and no system fonts, so the
//! pixels are the same on every machine and across re-runs.

use std::sync::{Arc, LazyLock};

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, fontdb};

use crate::PipelineError;

/// The width of every chart's PNG: twice the SVG's 640 user units, sharp on a
/// high-density screen and in print at column width.
pub const CHART_PNG_WIDTH: u32 = 1280;

/// DejaVu Sans (pipeline/fonts/LICENSE) is the only font the renderer knows: every family
/// the SVG names that is not embedded falls back to it.
static FONTS: LazyLock<Arc<fontdb::Database>> = LazyLock::new(|| {
    let mut fonts = fontdb::Database::new();
    fonts.load_font_data(include_bytes!("../../fonts/DejaVuSans.ttf").to_vec());
    fonts.load_font_data(include_bytes!("../../fonts/DejaVuSans-Bold.ttf").to_vec());
    fonts.set_sans_serif_family("DejaVu Sans");
    Arc::new(fonts)
});

/// `svg` as a PNG `width` pixels wide, the height in proportion to the SVG's viewBox.
pub fn png(svg: &str, width: u32) -> Result<Vec<u8>, PipelineError> {
    let failed = |why: String| PipelineError::Inconsistent(format!("rendering a chart: {why}"));
    let options = usvg::Options {
        fontdb: Arc::clone(&FONTS),
        font_family: "DejaVu Sans".to_owned(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| failed(e.to_string()))?;
    let size = tree.size();
    let scale = width as f32 / size.width();
    let height = (size.height() * scale).round() as u32;
    let mut pixmap =
        Pixmap::new(width, height).ok_or_else(|| failed(format!("{width}×{height} px")))?;
    resvg::render(
        &tree,
        Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| failed(e.to_string()))
}

/// Every `(svg, width)` as a PNG, in order, rendered on every core: a release draws a few
/// dozen charts, each a few tens of milliseconds of rasterising.
pub fn pngs(jobs: &[(&str, u32)]) -> Result<Vec<Vec<u8>>, PipelineError> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let per_thread = jobs.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = jobs
            .chunks(per_thread)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(svg, width)| png(svg, *width))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        let mut all = Vec::with_capacity(jobs.len());
        for part in parts {
            all.extend(part.join().expect("a chart renderer panicked")?);
        }
        Ok(all)
    })
}

/// The pixel size a PNG states in its header.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    let header = png.get(16..24)?;
    let width = u32::from_be_bytes(header[..4].try_into().ok()?);
    let height = u32::from_be_bytes(header[4..].try_into().ok()?);
    (png.starts_with(b"\x89PNG\r\n\x1a\n")).then_some((width, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 200" width="100%" font-family="system-ui, Helvetica, sans-serif"><rect width="640" height="200" fill="#ffffff"/><text x="12" y="30" font-size="20" font-weight="700">Tienda suspendida: 40 %</text></svg>"##;

    #[test]
    fn a_chart_renders_at_the_stated_width_the_same_every_time_and_draws_its_text() {
        let first = png(SVG, CHART_PNG_WIDTH).unwrap();
        assert_eq!(png_size(&first), Some((1280, 400)));
        assert_eq!(png(SVG, CHART_PNG_WIDTH).unwrap(), first, "byte-identical");
        // The text is drawn with the embedded font: without it the image would be blank.
        let blank = SVG.replace("Tienda suspendida: 40 %", "");
        assert_ne!(png(&blank, CHART_PNG_WIDTH).unwrap(), first);
    }

    #[test]
    fn many_charts_render_in_order_whatever_the_threads() {
        let wide = SVG.replace("40 %", "41 %");
        let jobs: Vec<(&str, u32)> = (0..7)
            .map(|i| (if i % 2 == 0 { SVG } else { wide.as_str() }, 320 + i))
            .collect();
        let one_by_one: Vec<Vec<u8>> = jobs.iter().map(|(s, w)| png(s, *w).unwrap()).collect();
        assert_eq!(pngs(&jobs).unwrap(), one_by_one);
        assert!(pngs(&[(SVG, 100), ("<svg", 100)]).is_err());
        assert_eq!(pngs(&[]).unwrap(), Vec::<Vec<u8>>::new());
    }

    #[test]
    fn an_svg_that_does_not_parse_is_an_error_not_an_empty_image() {
        assert!(png("<svg", 100).is_err());
    }
}
