//! The journal's records of daily figures (format 6 on). Fields keep their
//! order (see the module above).

use serde::{Deserialize, Serialize};

use crate::facts::FactError;
use crate::figures::{DayBalances, DayFigures, DayMoney};
use crate::journal::records::currency;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayBalancesRec {
    pub escrow: i128,
    pub held: i128,
    pub owed: i128,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayMoneyRec {
    pub currency: String,
    pub orders: u64,
    pub sales: u64,
    pub balances: Option<DayBalancesRec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRec {
    pub day: i64,
    pub closed_at: u64,
    pub currencies: Vec<DayMoneyRec>,
}

impl From<&DayFigures> for DayRec {
    fn from(d: &DayFigures) -> Self {
        Self {
            day: d.day,
            closed_at: d.closed_at,
            currencies: d
                .currencies
                .iter()
                .map(|m| DayMoneyRec {
                    currency: m.currency.to_string(),
                    orders: m.orders,
                    sales: m.sales,
                    balances: m.balances.map(|b| DayBalancesRec {
                        escrow: b.escrow,
                        held: b.held,
                        owed: b.owed,
                    }),
                })
                .collect(),
        }
    }
}

impl DayRec {
    pub fn read(self) -> Result<DayFigures, FactError> {
        Ok(DayFigures {
            day: self.day,
            closed_at: self.closed_at,
            currencies: self
                .currencies
                .into_iter()
                .map(|m| {
                    Ok(DayMoney {
                        currency: currency(&m.currency)?,
                        orders: m.orders,
                        sales: m.sales,
                        balances: m.balances.map(|b| DayBalances {
                            escrow: b.escrow,
                            held: b.held,
                            owed: b.owed,
                        }),
                    })
                })
                .collect::<Result<_, FactError>>()?,
        })
    }
}
