//! Notifying the shop that a payment was paid: a signed form POST to the
//! payment's notify URL, sent again with doubling waits until the shop
//! answers `OK` (or the tries run out), as real channels do — so a shop
//! that was down, slow or lost the first one still hears of it.

use std::sync::Arc;

use secrecy::ExposeSecret;
use trigate_channels::{HttpCall, HttpMethod, amount, sandbox};

use super::{Gateway, PaymentStatus};

/// Starts notifying payment `id` in the background.
pub(super) fn spawn(g: Arc<Gateway>, id: String) {
    tokio::spawn(async move { notify(&g, &id).await });
}

async fn notify(g: &Gateway, id: &str) {
    let mut wait = g.backoff;
    for _ in 0..g.max_sends {
        let Some(call) = call_for(g, id) else {
            return;
        };
        let lost = {
            let mut knobs = g.knobs();
            let lost = knobs.drop_notifications > 0;
            knobs.drop_notifications = knobs.drop_notifications.saturating_sub(1);
            lost
        };
        let acknowledged = !lost
            && g.transport
                .send(&call)
                .await
                .is_ok_and(|body| body.trim() == "OK");
        {
            let mut books = g.books();
            if let Some(p) = books.payments.iter_mut().find(|p| p.id == id) {
                p.notify_attempts += 1;
                p.notified |= acknowledged;
            }
        }
        if acknowledged {
            return;
        }
        tokio::time::sleep(wait).await;
        wait = wait.saturating_mul(2);
    }
}

/// The signed notification for a paid payment.
fn call_for(g: &Gateway, id: &str) -> Option<HttpCall> {
    let p = g.payment(id).filter(|p| p.status == PaymentStatus::Paid)?;
    let secret = g.accounts.get(&p.merchant)?;
    let mut fields = vec![
        ("merchant".into(), p.merchant.clone()),
        ("payment".into(), p.id.clone()),
        ("out_trade_no".into(), p.out_trade_no.clone()),
        ("status".into(), "paid".into()),
        ("amount".into(), amount::format(p.amount, p.currency)),
        ("currency".into(), p.currency.to_string()),
        ("method".into(), p.method.clone()),
    ];
    // What the payer paid with, when the pay step was told.
    for (name, value) in [
        ("payer_instrument", &p.payer_instrument),
        ("payer_country", &p.payer_country),
    ] {
        if !value.is_empty() {
            fields.push((name.into(), value.clone()));
        }
    }
    let form = sandbox::signed(fields, secret.expose_secret());
    Some(HttpCall {
        method: HttpMethod::Post,
        url: p.notify_url,
        form,
    })
}
