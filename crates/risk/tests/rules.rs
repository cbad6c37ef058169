//! Rules are checked when saved: what is wrong is named.

use trigate_risk::{Outcome, RuleError, RuleSpec, compile};

fn spec(expr: &str) -> RuleSpec {
    RuleSpec {
        name: "r".into(),
        expr: expr.into(),
        outcome: Outcome::Hold,
        weight: 10,
        points: vec![],
        shadow: false,
        enabled: true,
        reason: String::new(),
        note: String::new(),
    }
}

fn error(expr: &str) -> String {
    compile(&spec(expr))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

#[test]
fn rules_over_the_catalogue_compile() {
    for ok in [
        "amount > 1000",
        "amount >= 50000 && account_age_hours < 24",
        "ip_country != instrument_country",
        "email_domain.endsWith(\".ru\") || size(device) == 0",
        "ip_country in [\"KP\", \"IR\"]",
        "device_fail_10m >= 3 ? true : amount > 10",
        "amount_vs_avg_pct > 500 && user_paid_count >= 3",
        "amount > 1000u",
        "double(amount) / 100.0 > 5.5",
        "!email_disposable",
    ] {
        assert!(
            compile(&spec(ok)).is_ok(),
            "{ok}: {:?}",
            compile(&spec(ok)).err()
        );
    }
}

#[test]
fn an_unknown_feature_is_named() {
    assert_eq!(
        error("amout > 5"),
        "the expression is not valid: unknown feature \"amout\""
    );
}

#[test]
fn a_type_error_names_the_operator_and_the_types() {
    assert_eq!(
        error("amount > \"5\""),
        "the expression is not valid: \">\" cannot take int and string"
    );
    assert_eq!(
        error("amount + 1.5 > 2.0"),
        "the expression is not valid: \"+\" cannot take int and double"
    );
    assert_eq!(
        error("email_disposable && amount"),
        "the expression is not valid: \"&&\" cannot take bool and int"
    );
}

#[test]
fn a_rule_must_give_a_bool() {
    assert_eq!(
        error("amount + 1"),
        "the expression is not valid: a rule must give a bool; this one gives int"
    );
}

#[test]
fn unsupported_forms_are_refused_by_name() {
    assert!(error("foo(amount)").contains("unknown function \"foo\""));
    assert!(error("amount.x > 1").contains("features have no fields"));
    assert!(error("[1,2].all(x, x > 0)").contains("macros"));
}

#[test]
fn a_parse_error_is_a_parse_error() {
    assert!(matches!(
        compile(&spec("amount >")),
        Err(RuleError::Parse(_))
    ));
}

#[test]
fn names_weights_and_reasons_are_checked() {
    let mut s = spec("amount > 1");
    s.name = "Bad Name".into();
    assert_eq!(compile(&s).err(), Some(RuleError::Name));
    let mut s = spec("amount > 1");
    s.weight = 1_001;
    assert_eq!(compile(&s).err(), Some(RuleError::Weight));
    let mut s = spec("amount > 1");
    s.reason = "Nope!".into();
    assert_eq!(compile(&s).err(), Some(RuleError::Reason));
    assert_eq!(compile(&spec("  ")).err(), Some(RuleError::Length));
    assert_eq!(
        compile(&spec(&"a".repeat(2_001))).err(),
        Some(RuleError::Length)
    );
}

#[test]
fn every_default_rule_compiles() {
    for rule in trigate_risk::default_pack() {
        assert!(compile(&rule).is_ok(), "{}", rule.name);
    }
}
