//! A rule's expression checked before it is saved: every name a feature of
//! the catalogue, every operator given the types it takes, and a `bool`
//! at the end. CEL itself would only find a mistake when a request comes
//! in; a rule that is saved always evaluates.

use cel::common::ast::{Expr, IdedExpr, LiteralValue, operators as op};

use crate::catalogue::{Ty, catalogue, index_of};

/// A type during checking: the catalogue's, CEL's other scalars, lists.
#[derive(Debug, Clone, PartialEq, Eq)]
enum T {
    Int,
    Uint,
    Double,
    Bool,
    String,
    Null,
    List(Box<T>),
    /// An empty list literal: a list of anything.
    Any,
}

impl T {
    fn of(ty: Ty) -> T {
        match ty {
            Ty::Int => T::Int,
            Ty::Bool => T::Bool,
            Ty::String => T::String,
        }
    }

    fn numeric(&self) -> bool {
        matches!(self, T::Int | T::Uint | T::Double)
    }

    fn name(&self) -> String {
        match self {
            T::Int => "int".into(),
            T::Uint => "uint".into(),
            T::Double => "double".into(),
            T::Bool => "bool".into(),
            T::String => "string".into(),
            T::Null => "null".into(),
            T::List(t) => format!("list({})", t.name()),
            T::Any => "any".into(),
        }
    }

    fn fits(&self, other: &T) -> bool {
        self == other || matches!(self, T::Any) || matches!(other, T::Any)
    }
}

/// Checks that `expr` gives a bool over the catalogue's features. The
/// error names what is wrong: `unknown feature "x"`, `"_>_" cannot take
/// int and string`.
pub(crate) fn check(expr: &IdedExpr) -> Result<(), String> {
    match type_of(expr)? {
        T::Bool => Ok(()),
        t => Err(format!(
            "a rule must give a bool; this one gives {}",
            t.name()
        )),
    }
}

fn type_of(e: &IdedExpr) -> Result<T, String> {
    match &e.expr {
        Expr::Literal(l) => Ok(match l {
            LiteralValue::Boolean(_) => T::Bool,
            LiteralValue::Int(_) => T::Int,
            LiteralValue::UInt(_) => T::Uint,
            LiteralValue::Double(_) => T::Double,
            LiteralValue::String(_) => T::String,
            LiteralValue::Null => T::Null,
            LiteralValue::Bytes(_) => return Err("bytes are not supported in rules".into()),
        }),
        Expr::Ident(name) => match index_of(name) {
            Some(i) => Ok(T::of(catalogue()[i].ty)),
            None => Err(format!("unknown feature \"{name}\"")),
        },
        Expr::List(list) => {
            let mut elem = T::Any;
            for el in &list.elements {
                let t = type_of(el)?;
                if !elem.fits(&t) {
                    return Err(format!("a list mixes {} and {}", elem.name(), t.name()));
                }
                elem = t;
            }
            Ok(T::List(Box::new(elem)))
        }
        Expr::Call(call) => call_type(&call.func_name, call.target.as_deref(), &call.args),
        Expr::Select(s) => Err(format!(
            "features have no fields (\".{}\"); use the feature's full name",
            s.field
        )),
        Expr::Map(_) | Expr::Struct(_) => {
            Err("maps and messages are not supported in rules".into())
        }
        Expr::Comprehension(_) => {
            Err("macros (all, exists, map, filter) are not supported in rules".into())
        }
        Expr::Unspecified => Err("an empty expression".into()),
        #[allow(unreachable_patterns)]
        _ => Err("this kind of expression is not supported in rules".into()),
    }
}

fn call_type(name: &str, target: Option<&IdedExpr>, args: &[IdedExpr]) -> Result<T, String> {
    let types = args.iter().map(type_of).collect::<Result<Vec<_>, _>>()?;
    let target = target.map(type_of).transpose()?;
    let bad = |types: &[&T]| {
        let shown: Vec<String> = types.iter().map(|t| t.name()).collect();
        Err(format!(
            "\"{}\" cannot take {}",
            show_op(name),
            shown.join(" and ")
        ))
    };
    match (name, target.as_ref(), types.as_slice()) {
        (op::LOGICAL_AND | op::LOGICAL_OR, None, [a, b]) => {
            if *a == T::Bool && *b == T::Bool {
                Ok(T::Bool)
            } else {
                bad(&[a, b])
            }
        }
        (op::LOGICAL_NOT, None, [a]) => {
            if *a == T::Bool {
                Ok(T::Bool)
            } else {
                bad(&[a])
            }
        }
        (op::EQUALS | op::NOT_EQUALS, None, [a, b]) => {
            if a.fits(b) || (a.numeric() && b.numeric()) {
                Ok(T::Bool)
            } else {
                bad(&[a, b])
            }
        }
        (op::LESS | op::LESS_EQUALS | op::GREATER | op::GREATER_EQUALS, None, [a, b]) => {
            if (a.numeric() && b.numeric()) || (*a == T::String && *b == T::String) {
                Ok(T::Bool)
            } else {
                bad(&[a, b])
            }
        }
        (op::ADD, None, [a, b]) if a == b && (a.numeric() || *a == T::String) => Ok(a.clone()),
        (op::SUBSTRACT | op::MULTIPLY | op::DIVIDE | op::MODULO, None, [a, b])
            if a == b && a.numeric() && !(name == op::MODULO && *a == T::Double) =>
        {
            Ok(a.clone())
        }
        (op::ADD | op::SUBSTRACT | op::MULTIPLY | op::DIVIDE | op::MODULO, None, [a, b]) => {
            bad(&[a, b])
        }
        (op::NEGATE, None, [a]) if matches!(a, T::Int | T::Double) => Ok(a.clone()),
        (op::CONDITIONAL, None, [c, a, b]) => {
            if *c != T::Bool {
                return Err(format!(
                    "the condition of \"?:\" must be a bool, not {}",
                    c.name()
                ));
            }
            if a.fits(b) {
                Ok(a.clone())
            } else {
                Err(format!(
                    "the two branches of \"?:\" differ: {} and {}",
                    a.name(),
                    b.name()
                ))
            }
        }
        (op::IN, None, [a, T::List(elem)]) => {
            if a.fits(elem) || (a.numeric() && elem.numeric()) {
                Ok(T::Bool)
            } else {
                bad(&[a, &T::List(elem.clone())])
            }
        }
        ("size", None, [a]) | ("size", Some(a), []) => match a {
            T::String | T::List(_) => Ok(T::Int),
            _ => bad(&[a]),
        },
        ("startsWith" | "endsWith" | "contains", Some(T::String), [T::String]) => Ok(T::Bool),
        ("int", None, [a]) if a.numeric() || *a == T::String => Ok(T::Int),
        ("double", None, [a]) if a.numeric() || *a == T::String => Ok(T::Double),
        ("uint", None, [a]) if a.numeric() || *a == T::String => Ok(T::Uint),
        ("string", None, [a]) if a.numeric() || matches!(a, T::String | T::Bool) => Ok(T::String),
        (
            "size" | "startsWith" | "endsWith" | "contains" | "int" | "double" | "uint" | "string",
            _,
            _,
        ) => {
            let mut all: Vec<&T> = target.iter().collect();
            all.extend(types.iter());
            bad(&all)
        }
        (op::INDEX | op::OPT_INDEX | op::OPT_SELECT, _, _) => {
            Err("indexing is not supported in rules".into())
        }
        _ => Err(format!("unknown function \"{}\"", show_op(name))),
    }
}

/// An operator as it was written: `_>_` is `>`.
fn show_op(name: &str) -> &str {
    match name {
        op::LOGICAL_AND => "&&",
        op::LOGICAL_OR => "||",
        op::LOGICAL_NOT => "!",
        op::EQUALS => "==",
        op::NOT_EQUALS => "!=",
        op::LESS => "<",
        op::LESS_EQUALS => "<=",
        op::GREATER => ">",
        op::GREATER_EQUALS => ">=",
        op::ADD => "+",
        op::SUBSTRACT | op::NEGATE => "-",
        op::MULTIPLY => "*",
        op::DIVIDE => "/",
        op::MODULO => "%",
        op::IN => "in",
        other => other,
    }
}
