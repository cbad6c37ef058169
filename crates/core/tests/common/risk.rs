//! Reads of the risk desk the gate's tests share.

use trigate_core::query::{Query, View};
use trigate_core::risk::{DecisionRow, RiskQuery, RiskView};
use trigate_core::{Shop, UserId};

/// The shop's latest decision, as `actor` (staff) reads it.
pub fn last_decision(shop: &Shop, actor: UserId) -> DecisionRow {
    let Ok(View::Risk(v)) = shop.query(&Query::Risk {
        actor,
        ask: RiskQuery::Decisions {
            before: None,
            limit: 1,
        },
    }) else {
        panic!("the desk answers staff")
    };
    let RiskView::Decisions(mut d) = *v else {
        panic!("decisions")
    };
    d.remove(0)
}

/// A feature of a decision as a number (a flag as 0 or 1; 0 when absent).
pub fn feature(d: &DecisionRow, name: &str) -> i64 {
    d.decision
        .features
        .iter()
        .find(|(n, _)| n == name)
        .map_or(0, |(_, v)| match v {
            trigate_risk::Value::Int(i) => *i,
            trigate_risk::Value::Bool(b) => i64::from(*b),
            other => panic!("{name} is {other:?}"),
        })
}
