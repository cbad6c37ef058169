//! The analysts' desk: rules saved and versioned, list entries, the risk
//! settings recorded, and the reads behind the console and the API
//! (rules, lists, decisions explained, the queue, backtests). Also how the
//! risk state's facts are written and applied.

use serde::{Deserialize, Serialize};
use trigate_risk::{Backtest, IdKind, ListEntry, ListKind, Lists, RuleSpec, SavedRule};

use super::{DecisionRow, Review, RiskSettings, Subject};
use crate::facts::{Fact, FactError};
use crate::journal::risk_records::TuningRec;
use crate::{Shop, ShopError, UserId};

/// A list entry as an analyst asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewListEntry {
    pub list: ListKind,
    pub kind: IdKind,
    pub value: String,
    pub reason: String,
    /// Nanoseconds; none: until removed.
    #[serde(default)]
    pub expires: Option<u64>,
}

/// Reads of the risk desk (analysts, admins and auditors).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RiskQuery {
    /// The latest version of every rule, retired ones too.
    Rules,
    /// Every version of one rule.
    Versions {
        name: String,
    },
    Lists,
    /// One decision with its explanation.
    Decision {
        id: u64,
    },
    /// Decisions newest first, older than `before`.
    Decisions {
        before: Option<u64>,
        limit: u32,
    },
    /// The review queue, newest first: open ones (`open`), or all.
    Reviews {
        open: bool,
        before: Option<u64>,
        limit: u32,
    },
    /// What a rule would have changed over the recorded decisions.
    Backtest {
        spec: RuleSpec,
    },
    /// The settings as recorded.
    Settings,
    /// Ring cases newest first: open ones (`open`), or all.
    Cases {
        open: bool,
        before: Option<u64>,
        limit: u32,
    },
    /// One ring case with its members' holds.
    Case {
        id: u64,
    },
}

/// A decision with its reasons in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explained {
    pub row: DecisionRow,
    pub explanation: Vec<String>,
    /// The review it opened, if it held something.
    pub review: Option<u64>,
    /// What links the actor to other accounts now (the identity graph's
    /// evidence).
    pub links: Vec<trigate_risk::Link>,
    /// The trained model's score explained: each feature's contribution in
    /// points, largest first (empty when the model was off).
    pub contributions: Vec<(String, i64)>,
}

/// A review in the queue, with how long it has waited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewLine {
    pub review: Review,
    pub status: String,
    /// Nanoseconds in the queue (until decided).
    pub waited_ns: u64,
    pub point: trigate_risk::Point,
    pub amount: u64,
    pub currency: String,
    /// The ring case it is held in, if any.
    pub case: Option<u64>,
}

/// A ring case with its holds as queue lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub case: super::Case,
    pub status: String,
    /// Each member's holds, in the members' order.
    pub holds: Vec<Vec<ReviewLine>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RiskView {
    Rules(Vec<SavedRule>),
    Lists(Vec<ListEntry>),
    Decision(Box<Explained>),
    Decisions(Vec<DecisionRow>),
    Reviews(Vec<ReviewLine>),
    Backtest(Backtest),
    Settings(RiskSettings),
    Cases(Vec<CaseView>),
    Case(Box<CaseView>),
}

/// Decisions and reviews a page shows at most.
pub const RISK_PAGE_MAX: u32 = 200;

impl Shop {
    /// Analysts, admins and auditors read the desk.
    fn require_risk_reader(&self, actor: UserId) -> Result<(), ShopError> {
        use crate::users::AdminRole::{Admin, Auditor, RiskAnalyst};
        match self.require_user(actor)?.role {
            crate::Role::Staff(Admin | RiskAnalyst | Auditor) => Ok(()),
            _ => Err(ShopError::Forbidden(actor)),
        }
    }

    pub fn risk_query(&self, actor: UserId, q: &RiskQuery) -> Result<RiskView, ShopError> {
        self.require_risk_reader(actor)?;
        let risk = &self.risk;
        let page = |limit: u32| limit.clamp(1, RISK_PAGE_MAX) as usize;
        Ok(match q {
            RiskQuery::Rules => {
                RiskView::Rules(risk.engine.rules().latest().into_iter().cloned().collect())
            }
            RiskQuery::Versions { name } => RiskView::Rules(
                risk.engine
                    .rules()
                    .versions(name)
                    .ok_or_else(|| ShopError::RuleInvalid(format!("no rule is named {name:?}")))?
                    .to_vec(),
            ),
            RiskQuery::Lists => RiskView::Lists(
                risk.engine
                    .lists()
                    .all(self.last_time)
                    .into_iter()
                    .cloned()
                    .collect(),
            ),
            RiskQuery::Decision { id } => {
                let row = risk
                    .decisions
                    .get(*id)
                    .ok_or(ShopError::DecisionNotFound(*id))?;
                let review = risk
                    .reviews
                    .iter()
                    .find(|r| r.decision == *id)
                    .map(|r| r.id);
                let scored = row
                    .decision
                    .features
                    .iter()
                    .any(|(n, _)| n == "model_score");
                let contributions = if scored {
                    trigate_risk::default_model()
                        .contributions(&risk.engine.recorded_features(&row.decision))
                } else {
                    Vec::new()
                };
                RiskView::Decision(Box::new(Explained {
                    explanation: row.decision.explain(),
                    contributions,
                    links: self.ring_links(row.decision.signals.user),
                    row: row.clone(),
                    review,
                }))
            }
            RiskQuery::Decisions { before, limit } => RiskView::Decisions(
                risk.decisions
                    .iter()
                    .rev()
                    .filter(|r| before.is_none_or(|b| r.id < b))
                    .take(page(*limit))
                    .cloned()
                    .collect(),
            ),
            RiskQuery::Reviews {
                open,
                before,
                limit,
            } => RiskView::Reviews(
                risk.reviews
                    .iter()
                    .rev()
                    .filter(|r| (!open || r.is_open()) && before.is_none_or(|b| r.id < b))
                    .take(page(*limit))
                    .map(|r| self.review_line(r))
                    .collect(),
            ),
            RiskQuery::Cases {
                open,
                before,
                limit,
            } => RiskView::Cases(
                risk.cases
                    .iter()
                    .rev()
                    .filter(|c| (!open || c.is_open()) && before.is_none_or(|b| c.id < b))
                    .take(page(*limit))
                    .map(|c| self.case_view(c))
                    .collect(),
            ),
            RiskQuery::Case { id } => RiskView::Case(Box::new(
                self.case_view(self.risk_case(*id).ok_or(ShopError::CaseNotFound(*id))?),
            )),
            RiskQuery::Backtest { spec } => RiskView::Backtest(
                risk.engine
                    .backtest(spec, risk.decisions.iter().map(|r| &r.decision))
                    .map_err(|e| ShopError::RuleInvalid(e.to_string()))?,
            ),
            RiskQuery::Settings => RiskView::Settings(risk.settings),
        })
    }

    /// A review as the queue shows it: its point and amount from its
    /// decision (or, for a ring case's hold, from its withdrawal).
    fn review_line(&self, r: &Review) -> ReviewLine {
        let (point, amount, currency) = match self.risk.decisions.get(r.decision) {
            Some(d) => (
                d.decision.point,
                d.decision.signals.amount,
                d.decision.signals.currency.clone(),
            ),
            None => self.case_hold_amount(r.subject).unwrap_or((
                trigate_risk::Point::WalletPayment,
                0,
                String::new(),
            )),
        };
        ReviewLine {
            status: r.status().to_string(),
            waited_ns: r.waited(self.last_time),
            point,
            amount,
            currency,
            case: self.case_of_review(r.id),
            review: r.clone(),
        }
    }

    fn case_view(&self, c: &super::Case) -> CaseView {
        CaseView {
            status: c.status().to_string(),
            holds: c
                .members
                .iter()
                .map(|m| {
                    m.reviews
                        .iter()
                        .filter_map(|id| self.review(*id))
                        .map(|r| self.review_line(r))
                        .collect()
                })
                .collect(),
            case: c.clone(),
        }
    }

    /// An analyst or admin saves a rule: the next version of its name, in
    /// force from the next decision.
    pub fn save_risk_rule(
        &mut self,
        now: u64,
        actor: UserId,
        spec: RuleSpec,
    ) -> Result<u32, ShopError> {
        self.tick(now)?;
        self.require_analyst(actor)?;
        trigate_risk::compile(&spec).map_err(|e| ShopError::RuleInvalid(e.to_string()))?;
        let version = self.put_rule(now, actor, spec);
        Ok(version)
    }

    fn put_rule(&mut self, now: u64, by: UserId, spec: RuleSpec) -> u32 {
        let version = self.risk.engine.rules().next_version(&spec.name);
        let name = spec.name.clone();
        let saved = SavedRule {
            spec,
            version,
            at: now,
            by: by.0,
        };
        self.risk.emit(Fact::RiskRule {
            rule: (&saved).into(),
        });
        self.risk.engine.rules_mut().put(saved);
        self.audit(now, by, || format!("saved risk rule {name} v{version}"));
        version
    }

    /// An analyst or admin lists an identifier (replacing its entry on
    /// either list).
    pub fn list_risk(
        &mut self,
        now: u64,
        actor: UserId,
        new: NewListEntry,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_analyst(actor)?;
        let entry = ListEntry {
            list: new.list,
            kind: new.kind,
            value: new.kind.normal(&new.value),
            reason: new.reason.trim().to_string(),
            expires: new.expires,
            by: actor.0,
            at: now,
        };
        Lists::check(&entry, now).map_err(|e| ShopError::Invalid(e.to_string()))?;
        self.risk.emit(Fact::RiskListed {
            entry: (&entry).into(),
        });
        let (list, kind, value) = (entry.list, entry.kind, entry.value.clone());
        self.risk.engine.lists_mut().put(entry);
        self.audit(now, actor, || {
            format!("put {kind} {value:?} on the {} list", list.name())
        });
        // A user blocked holds what its ring would take out.
        if list == ListKind::Block
            && kind == IdKind::User
            && let Ok(user) = value.parse::<u64>()
            && self.user(UserId(user)).is_some()
        {
            self.open_ring_case(now, UserId(user), "user_blocked");
        }
        Ok(())
    }

    pub fn unlist_risk(
        &mut self,
        now: u64,
        actor: UserId,
        kind: IdKind,
        value: &str,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_analyst(actor)?;
        let value = kind.normal(value);
        if self.risk.engine.lists_mut().remove(kind, &value).is_none() {
            return Err(ShopError::Invalid(format!(
                "{kind} {value:?} is on no list"
            )));
        }
        self.risk.emit(Fact::RiskUnlisted {
            kind: kind.into(),
            value: value.clone(),
        });
        self.audit(now, actor, || format!("took {kind} {value:?} off its list"));
        Ok(())
    }

    /// Records the risk settings when the journal holds none or others,
    /// and saves the default rule pack when no rule was ever saved.
    pub fn start_risk(&mut self, now: u64, settings: RiskSettings) -> Result<(), ShopError> {
        self.tick(now)?;
        if !self.risk.recorded || self.risk.settings != settings {
            let tuned_before = TuningRec::from(&self.risk.settings);
            self.set_risk_settings(settings);
            self.risk.recorded = true;
            self.risk.emit(Fact::RiskSettings {
                settings: (&settings).into(),
            });
            // Recorded apart (format 8): a start that names none records
            // none, as before.
            let tuning = TuningRec::from(&settings);
            if tuning != tuned_before {
                self.risk.emit(Fact::RiskTuning { tuning });
            }
        }
        if self.risk.engine.rules().latest().is_empty() {
            for spec in trigate_risk::default_pack() {
                self.put_rule(now, UserId(0), spec);
            }
        }
        Ok(())
    }

    /// The settings in force, in the engine too.
    fn set_risk_settings(&mut self, settings: RiskSettings) {
        self.risk.settings = settings;
        self.risk.engine.set_thresholds(settings.thresholds);
        self.risk.engine.set_merchant_settings(settings.merchants);
        self.risk.engine.set_model_thresholds(settings.model);
    }

    /// Whether the risk settings are in the journal.
    pub fn records_risk(&self) -> bool {
        self.risk.recorded
    }

    /// The latest version of every rule (the desk's
    /// [`RiskQuery::Rules`], without asking who reads).
    pub fn risk_rules(&self) -> Vec<SavedRule> {
        self.risk
            .engine
            .rules()
            .latest()
            .into_iter()
            .cloned()
            .collect()
    }

    /// The rules added to the default pack since this shop installed it
    /// that it has none of that name yet (an analyst's rule of the same
    /// name stays).
    pub fn missing_default_rules(&self) -> Vec<RuleSpec> {
        if !self.risk.recorded {
            return Vec::new();
        }
        let rules = self.risk.engine.rules();
        trigate_risk::later_rules()
            .into_iter()
            .filter(|r| rules.versions(&r.name).is_none())
            .collect()
    }

    /// Saves [`Self::missing_default_rules`], as the shop itself.
    pub(crate) fn add_default_rules(&mut self, now: u64) -> Result<(), ShopError> {
        self.tick(now)?;
        for spec in self.missing_default_rules() {
            self.put_rule(now, UserId(0), spec);
        }
        Ok(())
    }

    /// The id the next decision will take.
    pub fn next_risk_decision(&self) -> u64 {
        self.risk.decisions.next_id()
    }

    /// The decisions taken from id `from` on (those still kept), for the
    /// evaluation and the model's training.
    pub fn risk_decisions_from(&self, from: u64) -> Vec<DecisionRow> {
        self.risk.decisions.since(from).cloned().collect()
    }

    /// The features a recorded decision was taken on.
    pub fn risk_features_of(&self, row: &DecisionRow) -> trigate_risk::Features {
        self.risk.engine.recorded_features(&row.decision)
    }

    /// Keeps the latest `keep` decisions for the desk from now on (at
    /// least 16; [`super::DECISIONS_KEPT`] unless changed).
    pub fn keep_risk_decisions(&mut self, keep: usize) {
        self.risk.decisions.set_keep(keep);
    }

    pub fn risk_settings(&self) -> RiskSettings {
        self.risk.settings
    }

    /// The risk facts of the command being applied, in order.
    pub(crate) fn take_risk_facts(&mut self, decisions_from: u64, facts: &mut Vec<Fact>) {
        facts.append(&mut self.risk.pending);
        for row in self.risk.decisions.since(decisions_from) {
            facts.push(Fact::RiskDecided {
                decision: Box::new(row.into()),
            });
        }
        for id in std::mem::take(&mut self.changes.reviews) {
            if let Some(r) = self.risk.reviews.get((id.max(1) - 1) as usize) {
                facts.push(Fact::RiskReview { review: r.into() });
            }
        }
        for id in std::mem::take(&mut self.changes.cases) {
            if let Some(c) = self.risk_case(id) {
                facts.push(Fact::RiskCase { case: c.into() });
            }
        }
    }

    /// Applies one risk fact as recorded.
    pub(crate) fn apply_risk_fact(&mut self, fact: Fact) -> Result<(), FactError> {
        match fact {
            Fact::RiskSettings { settings } => {
                let mut settings: RiskSettings = settings.into();
                TuningRec::from(&self.risk.settings).onto(&mut settings);
                self.set_risk_settings(settings);
                self.risk.recorded = true;
            }
            Fact::RiskTuning { tuning } => {
                let mut all = self.risk.settings;
                tuning.onto(&mut all);
                self.set_risk_settings(all);
            }
            Fact::RiskRule { rule } => self.risk.engine.rules_mut().put(rule.into()),
            Fact::RiskListed { entry } => self.risk.engine.lists_mut().put(entry.into()),
            Fact::RiskUnlisted { kind, value } => {
                self.risk.engine.lists_mut().remove(kind.into(), &value);
            }
            Fact::RiskDecided { decision } => {
                let row: DecisionRow = (*decision).into();
                let next = self.risk.decisions.next_id();
                if row.id != next {
                    return Err(FactError::OutOfOrder {
                        what: "risk decision",
                        id: row.id,
                        held: usize::try_from(next - 1).unwrap_or(usize::MAX),
                    });
                }
                self.risk.note(row);
            }
            Fact::RiskReview { review } => {
                let review: Review = review.into();
                if review.id > self.risk.reviews.len() as u64 + 1 || review.id == 0 {
                    return Err(FactError::OutOfOrder {
                        what: "risk review",
                        id: review.id,
                        held: self.risk.reviews.len(),
                    });
                }
                self.note_review(review);
            }
            Fact::RiskCase { case } => {
                let case: super::Case = case.into();
                if case.id > self.risk.cases.len() as u64 + 1 || case.id == 0 {
                    return Err(FactError::OutOfOrder {
                        what: "ring case",
                        id: case.id,
                        held: self.risk.cases.len(),
                    });
                }
                self.put_case(case);
            }
            Fact::RiskContext { subject, context } => {
                let subject: Subject = subject.into();
                self.risk.contexts.insert(subject, context.into());
            }
            other => return Err(FactError::Bad(format!("not a risk fact: {other:?}"))),
        }
        Ok(())
    }
}
