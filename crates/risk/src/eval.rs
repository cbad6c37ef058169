//! Evaluating compiled rules over one request's features with CEL: the
//! features are handed to CEL by reference as it asks for them, nothing is
//! copied per rule.

use std::sync::{Arc, OnceLock};

use cel::common::types::{CelBool, CelInt, CelString};
use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;

use crate::catalogue::{Features, Value, index_of};

/// A feature as CEL reads it.
enum Cell<'a> {
    Int(CelInt),
    Bool(CelBool),
    Str(CelString<'a>),
}

/// One request's features for CEL, borrowing its strings.
pub(crate) struct Resolver<'a>(Vec<Cell<'a>>);

impl<'a> Resolver<'a> {
    pub(crate) fn new(features: &'a Features) -> Self {
        Resolver(
            features
                .0
                .iter()
                .map(|v| match v {
                    Value::Int(i) => Cell::Int(CelInt::from(*i)),
                    Value::Bool(b) => Cell::Bool(CelBool::from(*b)),
                    Value::Str(s) => Cell::Str(CelString::from(s.as_str())),
                })
                .collect(),
        )
    }
}

impl VariableResolver for Resolver<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        let cell = self.0.get(index_of(variable)?)?;
        let val: &'b (dyn Val + 'b) = match cell {
            Cell::Int(i) => i,
            Cell::Bool(b) => b,
            Cell::Str(s) => s,
        };
        Some(CowVal::Borrowed(val))
    }
}

fn env() -> Arc<cel::Env> {
    static ENV: OnceLock<Arc<cel::Env>> = OnceLock::new();
    ENV.get_or_init(|| Arc::new(cel::Env::stdlib())).clone()
}

/// Evaluates rules against one resolver.
pub(crate) struct Evaluator<'v> {
    context: cel::Context<'v, 'v>,
}

impl<'v> Evaluator<'v> {
    pub(crate) fn new(resolver: &'v Resolver<'v>) -> Self {
        let mut context = cel::Context::with_env(env());
        context.set_variable_resolver(resolver);
        Evaluator { context }
    }

    /// Whether the rule fires; an error says why it could not tell.
    pub(crate) fn fires(&self, program: &cel::Program) -> Result<bool, String> {
        match program.execute(&self.context) {
            Ok(cel::Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!("gave {other:?}, not a bool")),
            Err(e) => Err(e.to_string()),
        }
    }
}
