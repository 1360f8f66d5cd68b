//! The `/stats` chart: a PNG that Discord and Slack attach to a member's
//! record, for people who would rather look than read.
//!
//! [`render`] takes the chart's data as the view model words it
//! ([`StatsChart`]) and returns PNG bytes; nothing else goes in or out. The
//! top panel has a pair of bars per topic, the member's share right beside
//! the group's average; the bottom one the member's answers per day. Text
//! is drawn with a Korean font built into the binary ([`FONT`]), so the
//! chart looks the same on any host and needs no system fonts. Drawing
//! takes milliseconds of CPU: async callers run it with `spawn_blocking`.

use std::sync::OnceLock;

use ab_glyph::{point, Font, FontRef, ScaleFont};
use plotters::coord::combinators::BindKeyPoints;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use unicode_width::UnicodeWidthChar;

use crate::view::StatsChart;

/// Quizbot Sans KR: NanumBarunGothic cut down to Latin, punctuation and
/// every Hangul syllable by `scripts/subset-font` (SIL OFL 1.1, licence in
/// `assets/fonts/OFL.txt`).
pub const FONT: &[u8] = include_bytes!("../assets/fonts/QuizbotSansKR-Regular.ttf");

/// The name the font is registered under with plotters: its default for
/// text a style does not name (the axes' labels, left empty here).
const FAMILY: &str = "sans-serif";

/// Width of the picture; its height grows with the number of topics.
pub const WIDTH: u32 = 960;
const TITLE_HEIGHT: u32 = 56;
/// The topic panel: caption, legend and axis, then a row per topic.
const TOPICS_CHROME: u32 = 100;
const TOPIC_ROW: u32 = 36;
const ACTIVITY_HEIGHT: u32 = 280;
/// Room for topic names left of the bars, and how wide (in terminal
/// columns: a Hangul syllable is two) a name may be before it is cut.
const TOPIC_LABELS: u32 = 250;
const TOPIC_NAME_COLUMNS: usize = 26;
/// Days between labels on the activity axis.
const DAY_LABEL_STEP: usize = 7;

const MINE: RGBColor = RGBColor(0x58, 0x65, 0xF2);
const GROUP: RGBColor = RGBColor(0xB5, 0xBA, 0xC1);
const ACTIVITY: RGBColor = RGBColor(0x3B, 0xA5, 0x5D);
const INK: RGBColor = RGBColor(0x23, 0x27, 0x2A);
const FAINT: RGBColor = RGBColor(0x80, 0x84, 0x8E);

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the chart's built-in font does not load")]
    Font,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("encoding the chart as PNG failed: {0}")]
    Encode(#[from] png::EncodingError),
    #[error("drawing the chart stopped before it finished")]
    Interrupted,
}

/// The name the picture goes by in a message.
pub const FILE_NAME: &str = "stats.png";

/// [`render`] on tokio's blocking pool, so the async worker goes on with
/// other events meanwhile. A chart that cannot be drawn is left out, and
/// logged: the record's text stands without it.
pub async fn picture(chart: StatsChart) -> Option<Vec<u8>> {
    let drawn = tokio::task::spawn_blocking(move || render(&chart))
        .await
        .map_err(|_| ChartError::Interrupted)
        .and_then(|drawn| drawn);
    drawn
        .inspect_err(|err| tracing::warn!("the stats chart is left out: {err}"))
        .ok()
}

/// Draws `chart` and returns it as a PNG.
pub fn render(chart: &StatsChart) -> Result<Vec<u8>, ChartError> {
    let font = font()?;
    let chart = &legible(chart, font);
    let height = height(chart.topics.len());
    let mut rgb = vec![0_u8; WIDTH as usize * height as usize * 3];
    draw(chart, font, &mut rgb, height).map_err(|err| ChartError::Draw(err.to_string()))?;
    let mut png_bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut png_bytes, WIDTH, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&rgb)?;
    writer.finish()?;
    Ok(png_bytes)
}

/// Whether `font` draws every letter of `text` (spaces aside).
fn drawable(font: &FontRef<'_>, text: &str) -> bool {
    text.chars()
        .all(|c| c.is_whitespace() || font.glyph_id(c).0 != 0)
}

/// `chart` with the member named by its fallback title and legend when the
/// name has a letter the font lacks (Chinese characters, emoji): a title of
/// empty boxes would say nothing.
fn legible(chart: &StatsChart, font: &FontRef<'_>) -> StatsChart {
    if drawable(font, &chart.mine_label) {
        return chart.clone();
    }
    StatsChart {
        title: chart.fallback_title.clone(),
        mine_label: chart.fallback_label.clone(),
        ..chart.clone()
    }
}

/// The picture's height for `topics` topics.
pub fn height(topics: usize) -> u32 {
    let rows = u32::try_from(topics.max(1)).unwrap_or(u32::MAX / TOPIC_ROW);
    TITLE_HEIGHT + TOPICS_CHROME + rows.saturating_mul(TOPIC_ROW) + ACTIVITY_HEIGHT
}

/// [`FONT`], parsed once per process, and registered with plotters, whose
/// axes lay out (empty) labels with it.
fn font() -> Result<&'static FontRef<'static>, ChartError> {
    static PARSED: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            register_font(FAMILY, FontStyle::Normal, FONT).ok()?;
            FontRef::try_from_slice(FONT).ok()
        })
        .as_ref()
        .ok_or(ChartError::Font)
}

type DrawResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;
type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

fn draw(chart: &StatsChart, font: &FontRef<'static>, rgb: &mut [u8], height: u32) -> DrawResult {
    let root = BitMapBackend::with_buffer(rgb, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let pen = Pen { area: &root, font };
    pen.write(
        &chart.title,
        26.0,
        (24, TITLE_HEIGHT as i32 / 2),
        Align::Left,
        INK,
    )?;
    let (_, rest) = root.split_vertically(TITLE_HEIGHT);
    let (topics, activity) = rest.split_vertically(height - TITLE_HEIGHT - ACTIVITY_HEIGHT);
    draw_topics(chart, &pen, &topics)?;
    draw_activity(chart, &pen, &activity)?;
    root.present()?;
    Ok(())
}

/// Room above a panel's plot for its caption (and the legend).
const CAPTION: u32 = 40;

/// A pair of horizontal bars per topic, the first topic on top.
fn draw_topics(chart: &StatsChart, pen: &Pen, area: &Area) -> DrawResult {
    let rows = chart.topics.len().max(1);
    // Percent across (with room past 100% for the value written after a
    // full bar); a hundred units per row down.
    let x_points = vec![0, 25, 50, 75, 100];
    let x = (0..122).with_key_points(x_points.clone());
    let row_units = |row: usize| i32::try_from(row * 100).unwrap_or(i32::MAX);
    let y = (0..row_units(rows)).with_key_points((0..rows).map(|i| row_units(i) + 50).collect());
    let mut plot = ChartBuilder::on(area)
        .margin_left(16)
        .margin_right(24)
        .margin_top(CAPTION)
        .x_label_area_size(28)
        .y_label_area_size(TOPIC_LABELS)
        .build_cartesian_2d(x, y)?;
    blank_mesh(&mut plot)?;
    pen.caption(area, &chart.topics_title)?;
    let (left, top) = area.get_base_pixel();
    let (width, _) = area.dim_in_pixel();
    for p in x_points {
        let (px, py) = plot.backend_coord(&(p, 0));
        pen.write(&format!("{p}%"), 14.0, (px, py + 14), Align::Centre, INK)?;
    }
    let percent = |p: i64| i32::try_from(p.clamp(0, 100)).unwrap_or(0);
    for (i, topic) in chart.topics.iter().enumerate() {
        let row_top = row_units(rows - i);
        let (px, py) = plot.backend_coord(&(0, row_top - 50));
        let name = shorten(&topic.name, TOPIC_NAME_COLUMNS);
        pen.write(&name, 15.0, (px - 10, py), Align::Right, INK)?;
        let mine = percent(topic.mine);
        plot.draw_series(std::iter::once(Rectangle::new(
            [(0, row_top - 10), (mine, row_top - 50)],
            MINE.filled(),
        )))?;
        let (px, py) = plot.backend_coord(&(mine, row_top - 30));
        pen.write(&topic.mine_label, 13.0, (px + 6, py), Align::Left, INK)?;
        if let Some(group) = topic.group.map(percent) {
            plot.draw_series(std::iter::once(Rectangle::new(
                [(0, row_top - 56), (group, row_top - 86)],
                GROUP.filled(),
            )))?;
            let (px, py) = plot.backend_coord(&(group, row_top - 71));
            pen.write(&format!("{group}%"), 12.0, (px + 6, py), Align::Left, FAINT)?;
        }
    }
    // The legend, top right: a swatch and a label for each kind of bar.
    let mut right = left + i32::try_from(width).unwrap_or(0) - 24;
    for (label, colour) in [(&chart.group_label, GROUP), (&chart.mine_label, MINE)] {
        let label = shorten(label, 20);
        let text_x = right - pen.width(&label, 14.0);
        pen.write(&label, 14.0, (text_x, top + 20), Align::Left, INK)?;
        pen.area.draw(&Rectangle::new(
            [(text_x - 20, top + 14), (text_x - 6, top + 27)],
            colour.filled(),
        ))?;
        right = text_x - 36;
    }
    Ok(())
}

/// A bar per day, oldest left, today right.
fn draw_activity(chart: &StatsChart, pen: &Pen, area: &Area) -> DrawResult {
    let days = chart.activity.len().max(1);
    let most = chart.activity.iter().copied().max().unwrap_or(0).max(0);
    let step = count_step(most);
    let top = (most / step + 1) * step;
    // Ten units per day across, today the last.
    let day_units = |day: usize| i32::try_from(day * 10).unwrap_or(i32::MAX);
    let labelled_days: Vec<usize> = (0..days).rev().step_by(DAY_LABEL_STEP).collect();
    let counts: Vec<i64> = (0..).map(|n| n * step).take_while(|&n| n <= top).collect();
    let x = (-6..day_units(days) - 4)
        .with_key_points(labelled_days.iter().map(|&d| day_units(d)).collect());
    let y = (0..top).with_key_points(counts.clone());
    let mut plot = ChartBuilder::on(area)
        .margin_left(16)
        .margin_right(24)
        .margin_top(CAPTION)
        .margin_bottom(12)
        .x_label_area_size(28)
        .y_label_area_size(48)
        .build_cartesian_2d(x, y)?;
    blank_mesh(&mut plot)?;
    pen.caption(area, &chart.activity_title)?;
    for day in labelled_days {
        let back = days - 1 - day;
        let label = chart.day_labels.get(back).map_or("", String::as_str);
        let (px, py) = plot.backend_coord(&(day_units(day), 0));
        pen.write(label, 14.0, (px, py + 14), Align::Centre, INK)?;
    }
    for count in counts {
        let (px, py) = plot.backend_coord(&(-6, count));
        pen.write(&count.to_string(), 14.0, (px - 8, py), Align::Right, INK)?;
    }
    if most == 0 {
        let (x0, y0) = plot.backend_coord(&(-6, top));
        let (x1, y1) = plot.backend_coord(&(day_units(days) - 4, 0));
        let at = ((x0 + x1) / 2, (y0 + y1) / 2);
        pen.write(&chart.no_activity, 18.0, at, Align::Centre, FAINT)?;
        return Ok(());
    }
    plot.draw_series(
        chart
            .activity
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(day, &n)| {
                let at = day_units(day);
                Rectangle::new([(at - 4, 0), (at + 4, n)], ACTIVITY.filled())
            }),
    )?;
    Ok(())
}

/// Axes, ticks and faint grid lines at the key points, without labels:
/// [`Pen`] writes those.
fn blank_mesh<'a, X, Y>(
    plot: &mut ChartContext<'a, BitMapBackend<'a>, Cartesian2d<X, Y>>,
) -> DrawResult
where
    X: Ranged + ValueFormatter<X::ValueType>,
    Y: Ranged + ValueFormatter<Y::ValueType>,
{
    plot.configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GROUP.mix(0.35))
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(&|_| String::new())
        .axis_style(FAINT)
        .draw()?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Centre,
    Right,
}

/// Writes text with ab_glyph itself: plotters' own ab_glyph text leaves
/// out each glyph's left side bearing, which opens gaps after narrow
/// glyphs ("1 0%").
struct Pen<'a, 'b> {
    /// The whole picture: positions are in its pixels.
    area: &'a Area<'b>,
    font: &'a FontRef<'static>,
}

impl Pen<'_, '_> {
    /// The pen's advance over `text`, in pixels.
    fn width(&self, text: &str, size: f32) -> i32 {
        let (_, end) = self.layout(text, size, 0.0);
        end.ceil() as i32
    }

    /// The glyphs of `text` at `size` pixels, each with the pen's position
    /// when it is drawn, the pen starting at `x`; and where the pen ends.
    /// A letter the font lacks is left out rather than drawn as a box.
    fn layout(&self, text: &str, size: f32, mut x: f32) -> (Vec<(ab_glyph::GlyphId, f32)>, f32) {
        let font = self.font.as_scaled(size);
        let mut glyphs = Vec::new();
        let mut previous = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if id.0 == 0 {
                continue;
            }
            if let Some(previous) = previous {
                x += font.kern(previous, id);
            }
            glyphs.push((id, x));
            x += font.h_advance(id);
            previous = Some(id);
        }
        (glyphs, x)
    }

    /// A panel's caption, centred in the room above its plot.
    fn caption(&self, area: &Area<'_>, text: &str) -> DrawResult {
        let (left, top) = area.get_base_pixel();
        let (width, _) = area.dim_in_pixel();
        let centre = left + i32::try_from(width / 2).unwrap_or(0);
        self.write(text, 20.0, (centre, top + 20), Align::Centre, INK)
    }

    /// Writes `text` at `size` pixels, `at` its left end, centre or right
    /// end by `align`, vertically centred on `at`.
    fn write(
        &self,
        text: &str,
        size: f32,
        at: (i32, i32),
        align: Align,
        colour: RGBColor,
    ) -> DrawResult {
        let font = self.font.as_scaled(size);
        let start = match align {
            Align::Left => at.0,
            Align::Centre => at.0 - self.width(text, size) / 2,
            Align::Right => at.0 - self.width(text, size),
        };
        // Cap height and x-height sit around the middle of ascent above
        // the baseline: centre that.
        let baseline = at.1 as f32 + font.ascent() * 0.36;
        let (glyphs, _) = self.layout(text, size, start as f32);
        for (id, x) in glyphs {
            let glyph = id.with_scale_and_position(size, point(x, baseline));
            let Some(outline) = self.font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            let (left, top) = (bounds.min.x as i32, bounds.min.y as i32);
            let mut pixels = Vec::new();
            outline.draw(|gx, gy, coverage| {
                if coverage > 0.0 {
                    pixels.push((left + gx as i32, top + gy as i32, coverage));
                }
            });
            for (px, py, coverage) in pixels {
                self.area
                    .draw_pixel((px, py), &colour.mix(f64::from(coverage.min(1.0))))?;
            }
        }
        Ok(())
    }
}

/// A step for the count axis giving at most about five labels: 1, 2, 5,
/// 10, 20, 50…
fn count_step(most: i64) -> i64 {
    let mut magnitude: i64 = 1;
    loop {
        for step in [magnitude, magnitude * 2, magnitude * 5] {
            if most <= step.saturating_mul(5) {
                return step;
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
}

/// `text` cut to `columns` terminal columns (Hangul counts two), ending in
/// "…" when cut.
pub fn shorten(text: &str, columns: usize) -> String {
    let width = |c: char| c.width().unwrap_or(0);
    if text.chars().map(width).sum::<usize>() <= columns {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        // One column stays free for the ellipsis.
        if used + width(c) + 1 > columns {
            break;
        }
        used += width(c);
        out.push(c);
    }
    let mut out = out.trim_end().to_string();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::Bank;
    use crate::config::Locale;
    use crate::i18n::Texts;
    use crate::view::TopicBar;

    fn chart(texts: Texts, topics: &[(&str, i64, i64, Option<i64>)]) -> StatsChart {
        let days = 30;
        StatsChart {
            title: texts.stats_title("지수"),
            topics_title: texts.accuracy_by_topic().into(),
            mine_label: "지수".into(),
            fallback_title: texts.chart_your_record().into(),
            fallback_label: texts.chart_you().into(),
            group_label: texts.chart_group_average().into(),
            topics: topics
                .iter()
                .map(|&(name, correct, answered, group)| TopicBar {
                    name: name.into(),
                    mine: crate::i18n::percent(correct, answered),
                    mine_label: texts.chart_topic_value(correct, answered),
                    group,
                })
                .collect(),
            activity_title: texts.chart_activity_title(days),
            activity: (0..days as i64).map(|d| (d * 7) % 5).collect(),
            day_labels: (0..days).map(|n| texts.chart_days_ago(n)).collect(),
            no_activity: texts.chart_no_activity(days),
        }
    }

    /// The picture's size and its distinct colours.
    fn decode(png_bytes: &[u8]) -> (u32, u32, std::collections::HashSet<[u8; 3]>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().expect("a PNG header");
        let mut pixels = vec![0; reader.output_buffer_size().expect("a buffer size")];
        let info = reader.next_frame(&mut pixels).expect("a PNG frame");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        let colours = pixels[..info.buffer_size()]
            .chunks_exact(3)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        (info.width, info.height, colours)
    }

    #[test]
    fn a_chart_is_a_png_with_bars_of_each_kind() {
        let texts = Texts::new(Locale::Korean);
        let data = chart(
            texts,
            &[
                ("보안과 규정 준수", 8, 10, Some(62)),
                ("Amazon EC2", 3, 4, None),
                (
                    "클라우드 기술 및 서비스와 아주 긴 이름의 주제",
                    1,
                    3,
                    Some(100),
                ),
            ],
        );
        let png_bytes = render(&data).expect("a chart");
        if let Some(path) = std::env::var_os("QUIZBOT_CHART_OUT") {
            std::fs::write(path, &png_bytes).expect("the chart written out");
        }
        assert!(png_bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        let (width, height, colours) = decode(&png_bytes);
        assert_eq!((width, height), (WIDTH, super::height(3)));
        for (what, colour) in [("member", MINE), ("group", GROUP), ("activity", ACTIVITY)] {
            assert!(
                colours.contains(&[colour.0, colour.1, colour.2]),
                "no {what} bar in the chart"
            );
        }
        assert!(
            colours.len() > 10,
            "text is drawn antialiased: {}",
            colours.len()
        );
    }

    #[test]
    fn a_month_without_answers_says_so_instead_of_bars() {
        let texts = Texts::new(Locale::English);
        let mut data = chart(texts, &[("IAM", 0, 2, Some(40))]);
        data.activity = vec![0; 30];
        let (_, _, colours) = decode(&render(&data).expect("a chart"));
        assert!(
            !colours.contains(&[ACTIVITY.0, ACTIVITY.1, ACTIVITY.2]),
            "no day has a bar"
        );
        assert!(
            colours.contains(&[GROUP.0, GROUP.1, GROUP.2]),
            "the group's bar"
        );
    }

    #[test]
    fn long_names_are_cut_by_their_width() {
        assert_eq!(shorten("Amazon EC2", 26), "Amazon EC2");
        assert_eq!(shorten("보안과 규정 준수", 26), "보안과 규정 준수");
        let cut = shorten("클라우드 기술 및 서비스와 아주 긴 이름의 주제", 26);
        assert!(cut.ends_with('…'), "{cut}");
        let width: usize = cut.chars().map(|c| c.width().unwrap_or(0)).sum();
        assert!(width <= 26, "{cut} is {width} columns");
    }

    #[test]
    fn the_count_axis_has_a_few_round_steps() {
        assert_eq!(count_step(0), 1);
        assert_eq!(count_step(5), 1);
        assert_eq!(count_step(6), 2);
        assert_eq!(count_step(24), 5);
        assert_eq!(count_step(120), 50);
    }

    /// Every character the chart can draw, in both languages: its own
    /// labels and every topic name of the banks in `questions/`.
    #[test]
    fn the_font_has_a_glyph_for_every_topic_name_and_label() {
        let font = FontRef::try_from_slice(FONT).expect("the built-in font loads");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
        let (bank, _) = Bank::load_dir(&dir);
        assert!(bank.topics.len() > 10, "the banks in {dir:?} have topics");
        let mut texts: Vec<String> = bank.topics.iter().map(|t| t.name.clone()).collect();
        for locale in [Locale::Korean, Locale::English] {
            let t = Texts::new(locale);
            texts.extend([
                t.stats_title("name"),
                t.accuracy_by_topic().into(),
                t.chart_group_average().into(),
                t.chart_your_record().into(),
                t.chart_you().into(),
                t.chart_topic_value(8, 10),
                t.chart_activity_title(30),
                t.chart_no_activity(30),
                "0123456789%…".into(),
            ]);
            texts.extend((0..30).map(|n| t.chart_days_ago(n)));
        }
        let missing: Vec<(char, &str)> = texts
            .iter()
            .flat_map(|text| text.chars().map(move |c| (c, text.as_str())))
            .filter(|(c, _)| !c.is_whitespace() && font.glyph_id(*c).0 == 0)
            .collect();
        assert!(missing.is_empty(), "no glyph for {missing:?}");
    }

    #[test]
    fn a_name_the_font_cannot_draw_gives_way_to_a_plain_title() {
        let font = FontRef::try_from_slice(FONT).expect("the built-in font loads");
        let texts = Texts::new(Locale::Korean);
        let hangul = chart(texts, &[("EC2", 8, 10, Some(6))]);
        assert_eq!(
            legible(&hangul, &font),
            hangul,
            "a Hangul name is drawn as it is"
        );

        let han = StatsChart {
            title: texts.stats_title("王明 😀"),
            mine_label: "王明 😀".into(),
            ..hangul.clone()
        };
        let shown = legible(&han, &font);
        assert_eq!(shown.title, texts.chart_your_record());
        assert_eq!(shown.mine_label, texts.chart_you());
        assert_eq!(shown.topics, han.topics);
        // And it renders.
        let (width, _, colours) = decode(&render(&han).expect("a PNG"));
        assert_eq!(width, WIDTH);
        assert!(colours.len() > 8);
    }
}
