//! Inline SVG charts for the console, drawn on the server from recorded
//! figures: no script, no style attribute (the page's CSP allows neither
//! inline), integer geometry, each bar or point titled with its value for
//! a pointer, and the same figures as a table for everyone else.

/// The drawing's size in SVG units (it scales to its box).
pub const WIDTH: i64 = 600;
pub const HEIGHT: i64 = 160;
/// Room left at the top for the highest value's label.
const TOP: i64 = 14;

/// One bar: where it stands and what it says under a pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    pub label: String,
}

/// One series drawn as a line: its pieces (a gap where a day has no
/// figure) as `points` strings, and its points to title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The stylesheet class that colours it.
    pub class: &'static str,
    pub name: String,
    pub pieces: Vec<String>,
    pub dots: Vec<Dot>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dot {
    pub x: i64,
    pub y: i64,
    pub label: String,
}

/// A chart: bars or lines over the days, scaled to the largest value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// Its element id (for the page's tests and links).
    pub id: String,
    pub title: String,
    /// The largest value, as shown on the axis.
    pub top: String,
    /// The first and the last day, as shown under the axis.
    pub first: String,
    pub last: String,
    pub bars: Vec<Bar>,
    pub lines: Vec<Line>,
}

impl Chart {
    pub fn width(&self) -> i64 {
        WIDTH
    }

    pub fn height(&self) -> i64 {
        HEIGHT
    }

    /// The baseline's y.
    pub fn base(&self) -> i64 {
        HEIGHT
    }
}

/// Where the `i`th of `n` days is centred, and the width each takes.
fn slot(i: usize, n: usize) -> (i64, i64) {
    let n = i64::try_from(n.max(1)).unwrap_or(i64::MAX);
    let i = i64::try_from(i).unwrap_or(0);
    let step = WIDTH / n;
    (i * step + step / 2, step)
}

/// The height of `value` on a scale whose top is `max`.
fn scaled(value: i128, max: i128) -> i64 {
    if max <= 0 || value <= 0 {
        return 0;
    }
    let h = value.min(max) * i128::from(HEIGHT - TOP) / max;
    i64::try_from(h).unwrap_or(0)
}

/// Bars, one per day: `values[i]` is day `i`'s, `label(i)` its title.
pub fn bars(values: &[u64], label: impl Fn(usize) -> String) -> (Vec<Bar>, u64) {
    let max = values.iter().copied().max().unwrap_or(0);
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (centre, step) = slot(i, values.len());
            let w = (step * 2 / 3).max(1);
            let h = scaled(i128::from(*v), i128::from(max));
            Bar {
                x: centre - w / 2,
                y: HEIGHT - h,
                w,
                h,
                label: label(i),
            }
        })
        .collect();
    (bars, max)
}

/// A line through the days that have a value (`None`: a gap), on a scale
/// whose top is `max`.
pub fn line(
    class: &'static str,
    name: String,
    values: &[Option<i128>],
    max: i128,
    label: impl Fn(usize, i128) -> String,
) -> Line {
    let mut pieces = Vec::new();
    let mut piece: Vec<String> = Vec::new();
    let mut dots = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                let (x, _) = slot(i, values.len());
                let y = HEIGHT - scaled(*v, max);
                piece.push(format!("{x},{y}"));
                dots.push(Dot {
                    x,
                    y,
                    label: label(i, *v),
                });
            }
            None if !piece.is_empty() => pieces.push(std::mem::take(&mut piece).join(" ")),
            None => {}
        }
    }
    if !piece.is_empty() {
        pieces.push(piece.join(" "));
    }
    Line {
        class,
        name,
        pieces,
        dots,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_stand_on_the_baseline() {
        let (bars, max) = bars(&[0, 5, 10], |i| format!("day {i}"));
        assert_eq!(max, 10);
        assert_eq!(bars.len(), 3);
        assert_eq!(bars[0].h, 0);
        assert_eq!(bars[2].h, HEIGHT - TOP);
        assert_eq!(bars[1].h, (HEIGHT - TOP) / 2);
        for b in &bars {
            assert_eq!(b.y + b.h, HEIGHT);
            assert!(b.x >= 0 && b.x + b.w <= WIDTH);
        }
        assert_eq!(bars[1].label, "day 1");
    }

    #[test]
    fn a_line_breaks_where_a_day_has_no_figure() {
        let l = line(
            "held",
            "held".into(),
            &[Some(10), Some(20), None, Some(5), Some(-3)],
            20,
            |i, v| format!("{i}:{v}"),
        );
        assert_eq!(l.pieces.len(), 2);
        assert_eq!(l.pieces[0].split(' ').count(), 2);
        assert_eq!(l.pieces[1].split(' ').count(), 2);
        assert_eq!(l.dots.len(), 4);
        // Below zero is drawn on the baseline.
        assert_eq!(l.dots[3].y, HEIGHT);
        assert_eq!(l.dots[1].y, TOP);
    }

    #[test]
    fn no_figures_draw_nothing() {
        let (bars, max) = bars(&[], |_| String::new());
        assert!(bars.is_empty());
        assert_eq!(max, 0);
        assert!(
            line("x", "x".into(), &[None, None], 0, |_, _| String::new())
                .pieces
                .is_empty()
        );
    }
}
