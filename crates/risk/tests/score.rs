//! The trained score: inputs on a log-2 scale, the score as the bias plus
//! each weighed feature's contribution, contributions largest first, a
//! model naming an unknown feature refused, and the model acting as a rule
//! (hold at its threshold, nothing when off) with its score recorded.

use trigate_risk::{
    Features, Model, ModelError, ModelThresholds, Outcome, Point, Risk, Signals, Value, Weight,
    catalogue, default_model, input,
};

fn features(pairs: &[(&str, Value)]) -> Features {
    let mut values: Vec<Value> = catalogue().iter().map(|f| Value::zero(f.ty)).collect();
    for (name, v) in pairs {
        let i = catalogue().iter().position(|f| f.name == *name).unwrap();
        values[i] = v.clone();
    }
    Features(values)
}

fn model() -> Model {
    Model {
        version: 3,
        trained: "by hand".into(),
        bias: -100,
        weights: vec![
            Weight {
                feature: "amount".into(),
                weight: 10,
            },
            Weight {
                feature: "email_disposable".into(),
                weight: 300,
            },
            Weight {
                feature: "point=recharge".into(),
                weight: 50,
            },
        ],
        suggested_challenge: 0,
        suggested_hold: 200,
    }
}

#[test]
fn inputs_are_bits_and_flags() {
    assert_eq!(input(&Value::Int(0)), 0);
    assert_eq!(input(&Value::Int(1)), 1);
    assert_eq!(input(&Value::Int(1_500)), 11);
    assert_eq!(input(&Value::Int(-1)), 0);
    assert_eq!(input(&Value::Bool(true)), 1);
    assert_eq!(input(&Value::Str("x".into())), 0);
}

#[test]
fn the_score_is_the_bias_and_each_contribution_largest_first() {
    let m = model();
    let f = features(&[
        ("amount", Value::Int(1_500)),
        ("email_disposable", Value::Bool(true)),
        ("point", Value::Str("recharge".into())),
    ]);
    assert_eq!(m.score(&f), -100 + 110 + 300 + 50);
    assert_eq!(
        m.contributions(&f),
        vec![
            ("email_disposable".to_string(), 300),
            ("amount".to_string(), 110),
            ("point=recharge".to_string(), 50),
        ]
    );
    let quiet = features(&[("point", Value::Str("withdrawal".into()))]);
    assert_eq!(m.score(&quiet), -100);
    assert!(m.contributions(&quiet).is_empty());
}

#[test]
fn a_model_naming_an_unknown_or_text_feature_is_refused() {
    let mut m = model();
    m.weights[0].feature = "amout".into();
    let text = serde_json::to_string(&m).unwrap();
    assert_eq!(Model::read(&text), Err(ModelError::Unknown("amout".into())));
    m.weights[0].feature = "ip_country".into();
    let text = serde_json::to_string(&m).unwrap();
    assert!(Model::read(&text).is_err());
    assert!(matches!(Model::read("{"), Err(ModelError::Read(_))));
    // The repo's model reads, and is version 1 or later.
    assert!(default_model().version >= 1);
}

#[test]
fn the_model_holds_at_its_threshold_and_does_nothing_when_off() {
    let signals = Signals {
        point: Some(Point::Recharge),
        user: Some(7),
        email: "x@mailinator.com".into(),
        device: "d".into(),
        amount: 50_000,
        currency: "CNY".into(),
        account_created: Some(0),
        ..Signals::default()
    };
    let mut risk = Risk::default();
    let off = risk.decide(1_000, &signals);
    assert!(off.features.iter().all(|(n, _)| n != "model_score"));
    assert!(off.fired.iter().all(|f| f.rule != "model"));
    let score = default_model().score(&risk.features(1_000, &signals));
    risk.set_model_thresholds(ModelThresholds {
        challenge: 0,
        hold: score,
    });
    let on = risk.decide(1_000, &signals);
    assert!(
        on.features
            .iter()
            .any(|(n, v)| n == "model_score" && *v == Value::Int(score))
    );
    let fired = on.fired.iter().find(|f| f.rule == "model").expect("fired");
    assert_eq!(
        (fired.outcome, fired.reason.as_str()),
        (Outcome::Hold, "model_score")
    );
    assert_eq!(on.outcome, Outcome::Hold);
    // Sign-ups are the rules' alone: no score, nothing fired.
    let signup = Signals {
        point: Some(Point::Signup),
        ..signals.clone()
    };
    let d = risk.decide(1_000, &signup);
    assert!(d.features.iter().all(|(n, _)| n != "model_score"));
    assert!(d.fired.iter().all(|f| f.rule != "model"));
    risk.set_model_thresholds(ModelThresholds {
        challenge: 0,
        hold: score + 1,
    });
    assert!(
        risk.decide(1_000, &signals)
            .fired
            .iter()
            .all(|f| f.rule != "model")
    );
}
