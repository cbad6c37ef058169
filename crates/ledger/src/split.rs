//! Dividing an amount among the legs of a settlement, exactly.
//!
//! A leg is a share in basis points of the whole amount, a fixed amount, or
//! the remainder. Shares are exact fractions rounded down. If there is a
//! remainder leg it takes what is left; if not, the shares must add up to the
//! whole amount exactly and the minor units lost to rounding are handed out one
//! at a time to the share legs in the order written. Either way the legs sum to
//! the amount, and no leg is ever computed with a float.

/// Basis points in the whole: 10,000 bps = 100%.
pub const BPS_WHOLE: u32 = 10_000;

/// One leg of a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Leg {
    /// This many basis points of the whole amount, rounded down.
    Bps(u32),
    /// Exactly this many minor units.
    Fixed(u64),
    /// Whatever the other legs leave (at most one such leg).
    Remainder,
}

/// Why an amount cannot be split as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SplitError {
    /// No legs were given.
    NoLegs,
    /// More than one leg is `Remainder`.
    SeveralRemainders,
    /// A single leg is more than 100%.
    BpsOverWhole,
    /// The fixed amounts and shares add up to more than the amount.
    LegsExceedAmount,
    /// Without a remainder leg, the legs must cover exactly the whole amount.
    LegsDoNotCoverAmount,
}

impl std::fmt::Display for SplitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NoLegs => "a split needs at least one leg",
            Self::SeveralRemainders => "a split may have only one remainder leg",
            Self::BpsOverWhole => "a leg's share is over 10000 basis points",
            Self::LegsExceedAmount => "the legs add up to more than the amount",
            Self::LegsDoNotCoverAmount => "the legs do not add up to the whole amount",
        })
    }
}

impl std::error::Error for SplitError {}

/// Splits `amount` among `legs`; the returned amounts are in leg order and
/// always sum to `amount`.
pub fn split(amount: u64, legs: &[Leg]) -> Result<Vec<u64>, SplitError> {
    if legs.is_empty() {
        return Err(SplitError::NoLegs);
    }
    let remainders = legs.iter().filter(|l| matches!(l, Leg::Remainder)).count();
    if remainders > 1 {
        return Err(SplitError::SeveralRemainders);
    }
    let whole = u128::from(amount);
    let mut out = Vec::with_capacity(legs.len());
    // Exact total of what the legs ask for, in units of 1/10,000 of a minor unit.
    let mut exact_total: u128 = 0;
    let mut floored_total: u128 = 0;
    for leg in legs {
        let share = match *leg {
            Leg::Bps(bps) => {
                if bps > BPS_WHOLE {
                    return Err(SplitError::BpsOverWhole);
                }
                let exact = whole * u128::from(bps);
                exact_total += exact;
                exact / u128::from(BPS_WHOLE)
            }
            Leg::Fixed(units) => {
                exact_total += u128::from(units) * u128::from(BPS_WHOLE);
                u128::from(units)
            }
            Leg::Remainder => 0,
        };
        floored_total += share;
        // Each share is at most `amount` (bps ≤ 10,000), so it fits in u64.
        out.push(u64::try_from(share).map_err(|_| SplitError::LegsExceedAmount)?);
    }
    if floored_total > whole {
        return Err(SplitError::LegsExceedAmount);
    }
    let left = whole - floored_total;
    if remainders == 1 {
        if exact_total > whole * u128::from(BPS_WHOLE) {
            return Err(SplitError::LegsExceedAmount);
        }
        let at = legs.iter().position(|l| matches!(l, Leg::Remainder));
        if let Some(at) = at {
            out[at] = u64::try_from(left).map_err(|_| SplitError::LegsExceedAmount)?;
        }
        return Ok(out);
    }
    if exact_total != whole * u128::from(BPS_WHOLE) {
        return Err(if exact_total > whole * u128::from(BPS_WHOLE) {
            SplitError::LegsExceedAmount
        } else {
            SplitError::LegsDoNotCoverAmount
        });
    }
    // Rounding lost less than one unit per share leg, so one round hands it all out.
    let mut left = left;
    for (leg, share) in legs.iter().zip(out.iter_mut()) {
        if left == 0 {
            break;
        }
        if matches!(leg, Leg::Bps(bps) if *bps > 0) {
            *share += 1;
            left -= 1;
        }
    }
    Ok(out)
}

/// Splits `amount` in proportion to `weights` (at most their sum): each
/// part is its exact share rounded down, and the units lost to rounding go
/// one each to the parts with the largest lost fractions (ties in order).
/// The parts always sum to `amount`, and none exceeds its weight; taking
/// the whole of the weights gives each exactly its weight, so successive
/// splits of what is left add up to the weights exactly.
pub fn pro_rata(amount: u64, weights: &[u64]) -> Result<Vec<u64>, SplitError> {
    if weights.is_empty() {
        return Err(SplitError::NoLegs);
    }
    let total: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    let whole = u128::from(amount);
    if whole > total {
        return Err(SplitError::LegsDoNotCoverAmount);
    }
    if whole == 0 {
        return Ok(vec![0; weights.len()]);
    }
    let mut out = Vec::with_capacity(weights.len());
    let mut lost = Vec::with_capacity(weights.len());
    let mut given: u128 = 0;
    for (i, w) in weights.iter().enumerate() {
        let exact = whole * u128::from(*w);
        let share = exact / total;
        given += share;
        lost.push((exact % total, i));
        // A share is at most its weight (amount ≤ total), so it fits in u64.
        out.push(u64::try_from(share).map_err(|_| SplitError::LegsExceedAmount)?);
    }
    // Fewer units were lost than there are parts with a lost fraction.
    lost.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let left = whole - given;
    for (_, i) in lost
        .into_iter()
        .take(usize::try_from(left).unwrap_or(usize::MAX))
    {
        out[i] += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remainder_takes_what_shares_leave() {
        // 5% fee, 10% and 5% commissions, the merchant takes the rest.
        let legs = [Leg::Bps(500), Leg::Bps(1000), Leg::Bps(500), Leg::Remainder];
        assert_eq!(split(999, &legs).unwrap(), vec![49, 99, 49, 802]);
    }

    #[test]
    fn leftover_units_go_one_at_a_time_in_leg_order() {
        let legs = [Leg::Bps(3333), Leg::Bps(3333), Leg::Bps(3334)];
        assert_eq!(split(10, &legs).unwrap(), vec![4, 3, 3]);
        assert_eq!(split(101, &legs).unwrap(), vec![34, 34, 33]);
    }

    #[test]
    fn fixed_legs_are_exact() {
        let legs = [Leg::Fixed(30), Leg::Bps(1000), Leg::Remainder];
        assert_eq!(split(1000, &legs).unwrap(), vec![30, 100, 870]);
        assert_eq!(split(20, &legs), Err(SplitError::LegsExceedAmount));
    }

    #[test]
    fn shares_must_cover_the_whole_without_a_remainder() {
        assert_eq!(
            split(100, &[Leg::Bps(5000), Leg::Bps(4000)]),
            Err(SplitError::LegsDoNotCoverAmount)
        );
        assert_eq!(
            split(100, &[Leg::Bps(6000), Leg::Bps(5000)]),
            Err(SplitError::LegsExceedAmount)
        );
        assert_eq!(split(100, &[Leg::Fixed(100)]).unwrap(), vec![100]);
    }

    #[test]
    fn malformed_legs_are_refused() {
        assert_eq!(split(1, &[]), Err(SplitError::NoLegs));
        assert_eq!(
            split(1, &[Leg::Remainder, Leg::Remainder]),
            Err(SplitError::SeveralRemainders)
        );
        assert_eq!(split(1, &[Leg::Bps(10_001)]), Err(SplitError::BpsOverWhole));
    }

    #[test]
    fn pro_rata_parts_sum_to_the_amount_and_never_exceed_their_weight() {
        let weights = [802, 49, 99, 49];
        assert_eq!(pro_rata(999, &weights).unwrap(), vec![802, 49, 99, 49]);
        assert_eq!(pro_rata(0, &weights).unwrap(), vec![0, 0, 0, 0]);
        assert_eq!(pro_rata(1, &weights).unwrap(), vec![1, 0, 0, 0]);
        assert_eq!(
            pro_rata(1000, &weights),
            Err(SplitError::LegsDoNotCoverAmount)
        );
        for amount in 0..=999 {
            let parts = pro_rata(amount, &weights).unwrap();
            assert_eq!(parts.iter().sum::<u64>(), amount);
            assert!(parts.iter().zip(weights).all(|(p, w)| *p <= w));
        }
    }

    #[test]
    fn successive_pro_rata_splits_of_what_is_left_reach_the_weights_exactly() {
        let weights = [9_403u64, 500, 97, 0];
        let mut left = weights;
        for amount in [1, 333, 2, 4_000, 17, 5_647] {
            let parts = pro_rata(amount, &left).unwrap();
            for (l, p) in left.iter_mut().zip(parts) {
                *l -= p;
            }
        }
        assert_eq!(left, [0, 0, 0, 0]);
    }

    #[test]
    fn largest_amount_does_not_overflow() {
        let legs = [Leg::Bps(3333), Leg::Bps(3333), Leg::Bps(3334)];
        let parts = split(u64::MAX, &legs).unwrap();
        assert_eq!(
            parts.iter().map(|p| u128::from(*p)).sum::<u128>(),
            u128::from(u64::MAX)
        );
    }
}
