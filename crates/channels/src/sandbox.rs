//! The sandbox gateway's protocol — the simulated provider trigate ships
//! (served by the binary under `/sandbox`) — as a channel: payments are
//! created server to server (`api/create`), the buyer pays on its hosted
//! page, and it notifies by a form POST answered with `OK`. Every request
//! and notification carries `sign`: the HMAC-SHA256 (lowercase hex) of the
//! other non-empty parameters sorted by name and joined `k=v&…`, under the
//! merchant's secret.

use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use trigate_core::Currency;

use crate::notify::{Notice, Refusal};
use crate::params::Params;
use crate::{
    Capabilities, Channel, ChannelError, Checkout, HttpCall, HttpMethod, PaymentRequest, Status,
    amount,
};

/// The string a sandbox signature is over.
pub fn canonical<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(k, v)| *k != "sign" && !v.is_empty())
        .collect();
    pairs.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn mac(secret: &str) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"))
}

/// The signature of `params` under `secret`.
pub fn sign<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>, secret: &str) -> String {
    let mut m = mac(secret);
    m.update(canonical(params).as_bytes());
    m.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `signature` (hex) signs `params` under `secret`, in constant time.
pub fn verify_signature(params: &Params, secret: &str) -> bool {
    let Some(hex) = params.get("sign") else {
        return false;
    };
    let Some(bytes) = decode_hex(hex) else {
        return false;
    };
    let mut m = mac(secret);
    m.update(canonical(params.iter()).as_bytes());
    !secret.is_empty() && m.verify_slice(&bytes).is_ok()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Signs `pairs` and adds the signature.
pub fn signed(pairs: Vec<(String, String)>, secret: &str) -> Vec<(String, String)> {
    let s = sign(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), secret);
    let mut out = pairs;
    out.push(("sign".into(), s));
    out
}

/// One merchant account at a sandbox gateway.
#[derive(Debug, Clone)]
pub struct Sandbox {
    name: String,
    /// The gateway's base URL, ending in `/`.
    gateway: String,
    merchant: String,
    secret: SecretString,
    capabilities: Capabilities,
}

impl Sandbox {
    pub fn new(
        name: &str,
        gateway: &str,
        merchant: &str,
        secret: SecretString,
        capabilities: Capabilities,
    ) -> Result<Self, ChannelError> {
        if secret.expose_secret().is_empty() || merchant.is_empty() {
            return Err(ChannelError::Config(
                "a sandbox channel needs a merchant and a secret".into(),
            ));
        }
        let mut gateway = gateway.to_string();
        if !gateway.ends_with('/') {
            gateway.push('/');
        }
        Ok(Self {
            name: name.to_string(),
            gateway,
            merchant: merchant.to_string(),
            secret,
            capabilities,
        })
    }

    fn call(&self, path: &str, pairs: Vec<(String, String)>) -> HttpCall {
        let mut all = vec![("merchant".to_string(), self.merchant.clone())];
        all.extend(pairs);
        HttpCall {
            method: HttpMethod::Post,
            url: format!("{}{path}", self.gateway),
            form: signed(all, self.secret.expose_secret()),
        }
    }
}

fn answer(body: &str) -> Result<serde_json::Value, ChannelError> {
    let v: serde_json::Value = serde_json::from_str(body)
        .map_err(|e| ChannelError::BadAnswer(format!("not JSON: {e}")))?;
    match v["code"].as_str() {
        Some("ok") => Ok(v),
        Some(code) => Err(ChannelError::Refused(code.to_string())),
        None => Err(ChannelError::BadAnswer("no code".into())),
    }
}

impl Channel for Sandbox {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    fn checkout(&self, _: &PaymentRequest) -> Result<Checkout, ChannelError> {
        Err(ChannelError::Unsupported(
            "send a buyer without creating the payment first",
        ))
    }

    fn create_call(&self, r: &PaymentRequest) -> Result<HttpCall, ChannelError> {
        Ok(self.call(
            "api/create",
            vec![
                ("out_trade_no".into(), r.out_trade_no.clone()),
                ("method".into(), r.method.clone()),
                ("amount".into(), amount::format(r.amount, r.currency)),
                ("currency".into(), r.currency.to_string()),
                ("subject".into(), r.subject.clone()),
                ("notify_url".into(), r.notify_url.clone()),
                ("return_url".into(), r.return_url.clone()),
            ],
        ))
    }

    fn read_create(&self, body: &str) -> Result<Checkout, ChannelError> {
        let v = answer(body)?;
        v["checkout_url"]
            .as_str()
            .map(|u| Checkout::Redirect(u.to_string()))
            .ok_or_else(|| ChannelError::BadAnswer("no checkout_url".into()))
    }

    fn verify(&self, params: &Params, currency: Currency) -> Result<Notice, Refusal> {
        let secret = self.secret.expose_secret();
        if secret.is_empty() {
            return Err(Refusal::EmptyKey);
        }
        params.get("sign").ok_or(Refusal::Missing("sign"))?;
        if !verify_signature(params, secret) {
            return Err(Refusal::BadSignature);
        }
        let merchant = params.get("merchant").ok_or(Refusal::Missing("merchant"))?;
        if merchant != self.merchant {
            return Err(Refusal::WrongMerchant(merchant.to_string()));
        }
        let status = params.get("status").ok_or(Refusal::Missing("status"))?;
        if status != "paid" {
            return Err(Refusal::NotPaid(status.to_string()));
        }
        let field = |k: &'static str| {
            params
                .get(k)
                .filter(|v| !v.is_empty())
                .ok_or(Refusal::Missing(k))
        };
        let stated = Currency::new(field("currency")?).map_err(|_| Refusal::Missing("currency"))?;
        Ok(Notice {
            out_trade_no: field("out_trade_no")?.to_string(),
            channel_txn: field("payment")?.to_string(),
            amount: amount::parse(field("amount")?, stated)?,
            currency: if stated == currency { currency } else { stated },
            // Signed with the rest, so as trustworthy as the amount.
            payer: crate::notify::Payer {
                instrument: params
                    .get("payer_instrument")
                    .unwrap_or_default()
                    .to_string(),
                country: params.get("payer_country").unwrap_or_default().to_string(),
            },
        })
    }

    fn acknowledgement(&self) -> &'static str {
        "OK"
    }

    fn query_call(&self, out_trade_no: &str) -> HttpCall {
        self.call(
            "api/query",
            vec![("out_trade_no".into(), out_trade_no.into())],
        )
    }

    fn read_query(&self, body: &str, currency: Currency) -> Result<Status, ChannelError> {
        let v = match answer(body) {
            Ok(v) => v,
            Err(ChannelError::Refused(code)) if code == "not_found" => return Ok(Status::Unknown),
            Err(e) => return Err(e),
        };
        if v["status"].as_str() != Some("paid") {
            return Ok(Status::Unpaid);
        }
        let text = |k: &str| {
            v[k].as_str()
                .map(str::to_string)
                .ok_or_else(|| ChannelError::BadAnswer(format!("no {k}")))
        };
        let stated = Currency::new(&text("currency")?)
            .map_err(|e| ChannelError::BadAnswer(e.to_string()))?;
        if stated != currency {
            return Err(ChannelError::BadAnswer(format!("paid in {stated}")));
        }
        Ok(Status::Paid(Notice {
            out_trade_no: text("out_trade_no")?,
            channel_txn: text("payment")?,
            amount: amount::parse(&text("amount")?, currency)
                .map_err(|e| ChannelError::BadAnswer(e.to_string()))?,
            currency,
            payer: Default::default(),
        }))
    }

    fn refund_call(
        &self,
        out_trade_no: &str,
        reference: &str,
        amount: u64,
        currency: Currency,
    ) -> Result<HttpCall, ChannelError> {
        Ok(self.call(
            "api/refund",
            vec![
                ("out_trade_no".into(), out_trade_no.into()),
                ("reference".into(), reference.into()),
                ("amount".into(), amount::format(amount, currency)),
                ("currency".into(), currency.to_string()),
            ],
        ))
    }

    fn read_refund(&self, body: &str) -> Result<(), ChannelError> {
        answer(body).map(|_| ())
    }

    fn refund_query_call(
        &self,
        out_trade_no: &str,
        reference: &str,
    ) -> Result<HttpCall, ChannelError> {
        Ok(self.call(
            "api/refund-query",
            vec![
                ("out_trade_no".into(), out_trade_no.into()),
                ("reference".into(), reference.into()),
            ],
        ))
    }

    fn read_refund_query(&self, body: &str) -> Result<bool, ChannelError> {
        match answer(body) {
            Ok(v) => Ok(v["refund"].as_str().is_some()),
            Err(ChannelError::Refused(code)) if code == "not_found" => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn payout_call(
        &self,
        reference: &str,
        amount: u64,
        currency: Currency,
        destination: &str,
    ) -> Result<HttpCall, ChannelError> {
        Ok(self.call(
            "api/payout",
            vec![
                ("reference".into(), reference.into()),
                ("amount".into(), amount::format(amount, currency)),
                ("currency".into(), currency.to_string()),
                ("destination".into(), destination.into()),
            ],
        ))
    }

    fn read_payout(&self, body: &str) -> Result<String, ChannelError> {
        answer(body)?["payout"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ChannelError::BadAnswer("no payout id".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_covers_every_non_empty_parameter_but_itself() {
        let pairs = vec![
            ("merchant".to_string(), "m".to_string()),
            ("amount".to_string(), "1.00".to_string()),
            ("note".to_string(), String::new()),
        ];
        let signed = Params::from_pairs(signed(pairs, "s3cret")).unwrap();
        assert!(verify_signature(&signed, "s3cret"));
        assert!(!verify_signature(&signed, "other"));
        assert!(!verify_signature(&signed, ""));
        let mut tampered: Vec<(String, String)> = signed
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        tampered[0].1 = "2.00".into();
        assert!(!verify_signature(
            &Params::from_pairs(tampered).unwrap(),
            "s3cret"
        ));
        assert_eq!(
            canonical([("b", "2"), ("a", "1"), ("sign", "x"), ("c", "")]),
            "a=1&b=2"
        );
    }
}
