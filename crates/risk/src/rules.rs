//! Rules: a CEL expression over the feature catalogue, an outcome, a weight
//! and the points it applies to. Saved rules are versioned (a save makes
//! the next version of its name); the latest version of each name is the
//! one in force, from the next decision on.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::{Outcome, Point};

/// A rule as an analyst writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSpec {
    /// Lower-case letters, digits and `_`, up to 64.
    pub name: String,
    /// A CEL expression giving a bool (up to 2,000 characters).
    pub expr: String,
    /// What the rule asks for when it fires.
    pub outcome: Outcome,
    /// Added to the decision's score when it fires (-1,000 to 1,000).
    #[serde(default)]
    pub weight: i32,
    /// The points it is evaluated at; empty: all of them.
    #[serde(default)]
    pub points: Vec<Point>,
    /// Evaluated and recorded, never acted on.
    #[serde(default)]
    pub shadow: bool,
    /// A retired rule is kept in the history and no longer evaluated.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The code shown to whoever is refused when it blocks (lower case and
    /// `_`, up to 40); "risk" when empty.
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

fn yes() -> bool {
    true
}

impl RuleSpec {
    pub fn applies_to(&self, point: Point) -> bool {
        self.points.is_empty() || self.points.contains(&point)
    }

    pub fn reason_code(&self) -> &str {
        if self.reason.is_empty() {
            "risk"
        } else {
            &self.reason
        }
    }
}

/// A rule as saved: its version, when and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedRule {
    pub spec: RuleSpec,
    /// 1 for a name's first save.
    pub version: u32,
    /// Nanoseconds.
    pub at: u64,
    /// The user who saved it (0: the shop itself, for the default pack).
    pub by: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("a rule's name is 1 to 64 lower-case letters, digits or _")]
    Name,
    #[error("the expression is empty or longer than 2,000 characters")]
    Length,
    #[error("the expression does not parse: {0}")]
    Parse(String),
    #[error("the expression is not valid: {0}")]
    Type(String),
    #[error("the weight must be between -1,000 and 1,000")]
    Weight,
    #[error("the reason code is up to 40 lower-case letters or _")]
    Reason,
    #[error("the note is longer than 500 characters")]
    Note,
    #[error("no rule is named {0:?}")]
    Unknown(String),
    #[error("no version {1} of the rule {0:?}")]
    UnknownVersion(String, u32),
}

impl RuleError {
    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            RuleError::Name => "rule_name",
            RuleError::Length | RuleError::Parse(_) | RuleError::Type(_) => "rule_expression",
            RuleError::Weight => "rule_weight",
            RuleError::Reason => "rule_reason",
            RuleError::Note => "rule_note",
            RuleError::Unknown(_) | RuleError::UnknownVersion(..) => "unknown_rule",
        }
    }
}

/// A rule ready to evaluate.
#[derive(Clone)]
pub struct Compiled {
    pub saved: SavedRule,
    pub(crate) program: Arc<cel::Program>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("name", &self.saved.spec.name)
            .field("version", &self.saved.version)
            .finish()
    }
}

/// Checks a rule and compiles it; the error says what is wrong.
pub fn compile(spec: &RuleSpec) -> Result<Arc<cel::Program>, RuleError> {
    let name_ok = |s: &str, max: usize, digits: bool| {
        !s.is_empty()
            && s.len() <= max
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_' || (digits && b.is_ascii_digit()))
    };
    if !name_ok(&spec.name, 64, true) {
        return Err(RuleError::Name);
    }
    if spec.expr.trim().is_empty() || spec.expr.chars().count() > 2_000 {
        return Err(RuleError::Length);
    }
    if !(-1_000..=1_000).contains(&spec.weight) {
        return Err(RuleError::Weight);
    }
    if !spec.reason.is_empty() && !name_ok(&spec.reason, 40, false) {
        return Err(RuleError::Reason);
    }
    if spec.note.chars().count() > 500 {
        return Err(RuleError::Note);
    }
    let program = cel::Program::compile(&spec.expr).map_err(|e| {
        let text = e.to_string();
        RuleError::Parse(text.lines().next().unwrap_or("").trim().to_string())
    })?;
    crate::check::check(program.expression()).map_err(RuleError::Type)?;
    Ok(Arc::new(program))
}

/// Every rule's versions and the ones in force.
#[derive(Debug, Clone, Default)]
pub struct RuleBook {
    history: BTreeMap<String, Vec<SavedRule>>,
    /// The latest version of every enabled rule, by name.
    live: Vec<Compiled>,
}

impl RuleBook {
    /// The version a save of `name` would get.
    pub fn next_version(&self, name: &str) -> u32 {
        self.history.get(name).map_or(1, |v| v.len() as u32 + 1)
    }

    /// Puts a saved rule in force (a save, or its fact replayed). A rule
    /// recorded by an earlier release that today's checks refuse is kept in
    /// the history and not evaluated.
    pub fn put(&mut self, saved: SavedRule) {
        let name = saved.spec.name.clone();
        self.live.retain(|c| c.saved.spec.name != name);
        if saved.spec.enabled
            && let Ok(program) = compile(&saved.spec)
        {
            self.live.push(Compiled {
                saved: saved.clone(),
                program,
            });
            self.live
                .sort_by(|a, b| a.saved.spec.name.cmp(&b.saved.spec.name));
        }
        self.history.entry(name).or_default().push(saved);
    }

    pub fn live(&self) -> &[Compiled] {
        &self.live
    }

    /// The latest version of every rule, retired ones too, by name.
    pub fn latest(&self) -> Vec<&SavedRule> {
        self.history.values().filter_map(|v| v.last()).collect()
    }

    pub fn versions(&self, name: &str) -> Option<&[SavedRule]> {
        self.history.get(name).map(Vec::as_slice)
    }

    pub fn version(&self, name: &str, version: u32) -> Result<&SavedRule, RuleError> {
        let versions = self
            .history
            .get(name)
            .ok_or_else(|| RuleError::Unknown(name.to_string()))?;
        versions
            .iter()
            .find(|r| r.version == version)
            .ok_or_else(|| RuleError::UnknownVersion(name.to_string(), version))
    }
}
