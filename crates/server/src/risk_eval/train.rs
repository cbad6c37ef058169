//! `trigate risk train`: the score's logistic model learnt from the
//! generator's labelled traffic with a fixed seed — every money decision's
//! features on a log-2 scale against its event's label, fraud weighed as
//! much as good in all, fitted by plain gradient descent with a little L2,
//! in a fixed order, so the same seed writes the same file. The weights are
//! kept in points (a hundredth of the log-odds) and the file suggests the
//! hold threshold: the lowest score no more than 0.5% of the good decisions
//! reach.

use trigate_risk::{MODEL_FEATURES, Model, Weight};

use super::{replay, traffic};

const EPOCHS: usize = 400;
const RATE: f64 = 0.05;
const L2: f64 = 0.001;
/// The share of good decisions the suggested hold may reach, in 1/1000.
const GOOD_HELD_PER_MILLE: usize = 10;

/// Learns a model from `seed`'s traffic.
pub fn train(seed: u64, buyers: u64, days: u64) -> anyhow::Result<Model> {
    let events = traffic::generate(seed, buyers, days);
    let samples = replay::samples(&events)?;
    let frauds = samples.iter().filter(|(_, y)| *y).count();
    let goods = samples.len() - frauds;
    if frauds == 0 || goods == 0 {
        anyhow::bail!("the traffic has no fraud or no good decisions to learn from");
    }
    // Each class weighs half of the whole.
    let weight_of = |fraud: bool| {
        if fraud {
            0.5 / frauds as f64
        } else {
            0.5 / goods as f64
        }
    };
    let n = MODEL_FEATURES.len();
    let mut w = vec![0.0f64; n];
    let mut bias = 0.0f64;
    for _ in 0..EPOCHS {
        let mut gw = vec![0.0f64; n];
        let mut gb = 0.0f64;
        for (x, y) in &samples {
            let z = bias
                + x.iter()
                    .zip(&w)
                    .map(|(xi, wi)| *xi as f64 * wi)
                    .sum::<f64>();
            let p = 1.0 / (1.0 + (-z).exp());
            let err = (p - f64::from(u8::from(*y))) * weight_of(*y);
            gb += err;
            for (g, xi) in gw.iter_mut().zip(x) {
                *g += err * *xi as f64;
            }
        }
        bias -= RATE * gb * 100.0;
        for (wi, g) in w.iter_mut().zip(&gw) {
            *wi -= RATE * (g * 100.0 + L2 * *wi);
        }
    }
    let points = |v: f64| (v * 100.0).round() as i64;
    let weights: Vec<Weight> = MODEL_FEATURES
        .iter()
        .zip(&w)
        .map(|(f, wi)| Weight {
            feature: (*f).to_string(),
            weight: points(*wi),
        })
        .filter(|w| w.weight != 0)
        .collect();
    let mut model = Model {
        version: 1,
        trained: format!(
            "trigate risk train --seed {seed} --buyers {buyers} --days {days}: {} decisions, {frauds} of them fraud",
            samples.len()
        ),
        bias: points(bias),
        weights,
        suggested_challenge: 0,
        suggested_hold: 0,
    };
    // The hold threshold: above all but the top 0.5% of good decisions.
    let score = |x: &[i64]| {
        model.weights.iter().fold(model.bias, |s, wt| {
            let i = MODEL_FEATURES
                .iter()
                .position(|f| *f == wt.feature)
                .unwrap_or_default();
            s + wt.weight * x[i]
        })
    };
    let mut good: Vec<i64> = samples
        .iter()
        .filter(|(_, y)| !*y)
        .map(|(x, _)| score(x))
        .collect();
    good.sort_unstable();
    let at = good.len() - (good.len() * GOOD_HELD_PER_MILLE / 1000).max(1);
    model.suggested_hold = good[at].saturating_add(1).max(1);
    Ok(model)
}
