//! epay (易支付), V1, as merchants in this field use it: the browser goes to
//! `submit.php` (or the payment is created server to server by
//! `mapi.php`); the gateway notifies by GET or POST and expects the plain
//! text `success`; `api.php?act=order` answers queries and
//! `api.php?act=refund` refunds.
//!
//! Signing: every parameter except `sign` and `sign_type`, and except empty
//! ones, sorted by name (byte order), joined `k=v&…` with the values as they
//! are, then the key appended; the MD5 of those UTF-8 bytes in lowercase
//! hex. Gateways differ in two ways, both configurable: some append
//! `&key=<key>` rather than the bare key, some percent-encode the values
//! first.

use md5::{Digest, Md5};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use trigate_core::Currency;

use crate::notify::{Notice, Refusal};
use crate::params::Params;
use crate::{
    Capabilities, Channel, ChannelError, Checkout, HttpCall, HttpMethod, PaymentRequest, Status,
    amount,
};

/// How a gateway appends the key and writes values in the signed string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// `…&type=alipay<key>`: the published protocol.
    Plain,
    /// `…&type=alipay&key=<key>`.
    AmpKey,
    /// Values percent-encoded (RFC 3986 unreserved characters kept), then
    /// the bare key.
    Urlencoded,
}

/// Unreserved characters (RFC 3986) stay; everything else is encoded.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The string an epay signature is the MD5 of.
pub fn string_to_sign<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    key: &str,
    variant: Variant,
) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(k, v)| *k != "sign" && *k != "sign_type" && !v.is_empty())
        .collect();
    pairs.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        match variant {
            Variant::Urlencoded => out.extend(utf8_percent_encode(v, ENCODE)),
            Variant::Plain | Variant::AmpKey => out.push_str(v),
        }
    }
    if variant == Variant::AmpKey {
        out.push_str("&key=");
    }
    out.push_str(key);
    out
}

/// The signature: MD5 of [`string_to_sign`], lowercase hex.
pub fn sign<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    key: &str,
    variant: Variant,
) -> String {
    let digest = Md5::digest(string_to_sign(params, key, variant).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// One epay merchant account at one gateway.
#[derive(Debug, Clone)]
pub struct Epay {
    name: String,
    /// The gateway's base URL, ending in `/`.
    gateway: String,
    pid: String,
    key: SecretString,
    variant: Variant,
    capabilities: Capabilities,
}

impl Epay {
    pub fn new(
        name: &str,
        gateway: &str,
        pid: &str,
        key: SecretString,
        variant: Variant,
        capabilities: Capabilities,
    ) -> Result<Self, ChannelError> {
        if key.expose_secret().is_empty() {
            return Err(ChannelError::Config("the epay key is empty".into()));
        }
        if pid.is_empty() {
            return Err(ChannelError::Config("the epay pid is empty".into()));
        }
        let mut gateway = gateway.to_string();
        if !gateway.ends_with('/') {
            gateway.push('/');
        }
        Ok(Self {
            name: name.to_string(),
            gateway,
            pid: pid.to_string(),
            key,
            variant,
            capabilities,
        })
    }

    fn sign(&self, params: &[(&str, &str)]) -> String {
        sign(
            params.iter().copied(),
            self.key.expose_secret(),
            self.variant,
        )
    }

    /// The signed parameters of a payment, for `submit.php` or `mapi.php`.
    fn payment_params(&self, r: &PaymentRequest) -> Vec<(String, String)> {
        let money = amount::format(r.amount, r.currency);
        let mut params: Vec<(&str, &str)> = vec![
            ("pid", &self.pid),
            ("type", &r.method),
            ("out_trade_no", &r.out_trade_no),
            ("notify_url", &r.notify_url),
            ("return_url", &r.return_url),
            ("name", &r.subject),
            ("money", &money),
        ];
        if let Some(ip) = &r.client_ip {
            params.push(("clientip", ip));
        }
        let sign = self.sign(&params);
        let mut out: Vec<(String, String)> = params
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        out.push(("sign".into(), sign));
        out.push(("sign_type".into(), "MD5".into()));
        out
    }

    fn check_currency(&self, currency: Currency) -> Result<(), ChannelError> {
        if self.capabilities.currencies.contains(&currency) {
            Ok(())
        } else {
            Err(ChannelError::Refused(format!(
                "epay does not take {currency}"
            )))
        }
    }
}

fn encode_query(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .finish()
}

/// Reads an epay JSON answer; refused unless `code` is 1.
fn read_answer(body: &str) -> Result<serde_json::Value, ChannelError> {
    let v: serde_json::Value = serde_json::from_str(body)
        .map_err(|e| ChannelError::BadAnswer(format!("not JSON: {e}")))?;
    let code = match &v["code"] {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    };
    if code == Some(1) {
        Ok(v)
    } else {
        let msg = v["msg"].as_str().unwrap_or("no message").to_string();
        Err(ChannelError::Refused(msg))
    }
}

fn text(v: &serde_json::Value, key: &str) -> Option<String> {
    match &v[key] {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Channel for Epay {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    fn checkout(&self, request: &PaymentRequest) -> Result<Checkout, ChannelError> {
        self.check_currency(request.currency)?;
        let query = encode_query(&self.payment_params(request));
        Ok(Checkout::Redirect(format!(
            "{}submit.php?{query}",
            self.gateway
        )))
    }

    fn create_call(&self, request: &PaymentRequest) -> Result<HttpCall, ChannelError> {
        self.check_currency(request.currency)?;
        Ok(HttpCall {
            method: HttpMethod::Post,
            url: format!("{}mapi.php", self.gateway),
            form: self.payment_params(request),
        })
    }

    fn read_create(&self, body: &str) -> Result<Checkout, ChannelError> {
        let v = read_answer(body)?;
        if let Some(url) = text(&v, "payurl") {
            Ok(Checkout::Redirect(url))
        } else if let Some(qr) = text(&v, "qrcode").or_else(|| text(&v, "urlscheme")) {
            Ok(Checkout::Qr(qr))
        } else {
            Err(ChannelError::BadAnswer(
                "no payurl, qrcode or urlscheme".into(),
            ))
        }
    }

    fn verify(&self, params: &Params, currency: Currency) -> Result<Notice, Refusal> {
        let key = self.key.expose_secret();
        if key.is_empty() {
            return Err(Refusal::EmptyKey);
        }
        let got = params.get("sign").ok_or(Refusal::Missing("sign"))?;
        let want = sign(params.iter(), key, self.variant);
        let got = got.to_ascii_lowercase();
        if !bool::from(got.as_bytes().ct_eq(want.as_bytes())) {
            return Err(Refusal::BadSignature);
        }
        let pid = params.get("pid").ok_or(Refusal::Missing("pid"))?;
        if pid != self.pid {
            return Err(Refusal::WrongMerchant(pid.to_string()));
        }
        let status = params
            .get("trade_status")
            .ok_or(Refusal::Missing("trade_status"))?;
        if status != "TRADE_SUCCESS" {
            return Err(Refusal::NotPaid(status.to_string()));
        }
        let out_trade_no = params
            .get("out_trade_no")
            .filter(|s| !s.is_empty())
            .ok_or(Refusal::Missing("out_trade_no"))?;
        let channel_txn = params
            .get("trade_no")
            .filter(|s| !s.is_empty())
            .ok_or(Refusal::Missing("trade_no"))?;
        let money = params.get("money").ok_or(Refusal::Missing("money"))?;
        Ok(Notice {
            out_trade_no: out_trade_no.to_string(),
            channel_txn: channel_txn.to_string(),
            amount: amount::parse(money, currency)?,
            currency,
            payer: Default::default(),
        })
    }

    fn acknowledgement(&self) -> &'static str {
        "success"
    }

    fn query_call(&self, out_trade_no: &str) -> HttpCall {
        let query = encode_query(&[
            ("act".into(), "order".into()),
            ("pid".into(), self.pid.clone()),
            ("key".into(), self.key.expose_secret().to_string()),
            ("out_trade_no".into(), out_trade_no.to_string()),
        ]);
        HttpCall {
            method: HttpMethod::Get,
            url: format!("{}api.php?{query}", self.gateway),
            form: Vec::new(),
        }
    }

    fn read_query(&self, body: &str, currency: Currency) -> Result<Status, ChannelError> {
        let v = match read_answer(body) {
            Ok(v) => v,
            Err(ChannelError::Refused(_)) => return Ok(Status::Unknown),
            Err(e) => return Err(e),
        };
        if text(&v, "status").as_deref() != Some("1") {
            return Ok(Status::Unpaid);
        }
        let field =
            |k: &'static str| text(&v, k).ok_or_else(|| ChannelError::BadAnswer(format!("no {k}")));
        if field("pid")? != self.pid {
            return Err(ChannelError::BadAnswer("another merchant's order".into()));
        }
        let money = field("money")?;
        Ok(Status::Paid(Notice {
            out_trade_no: field("out_trade_no")?,
            channel_txn: field("trade_no")?,
            amount: amount::parse(&money, currency)
                .map_err(|e| ChannelError::BadAnswer(e.to_string()))?,
            currency,
            payer: Default::default(),
        }))
    }

    /// Epay V1's refund carries no reference of ours: it is not sent.
    fn refund_call(
        &self,
        out_trade_no: &str,
        _reference: &str,
        amount: u64,
        currency: Currency,
    ) -> Result<HttpCall, ChannelError> {
        self.check_currency(currency)?;
        Ok(HttpCall {
            method: HttpMethod::Post,
            url: format!("{}api.php?act=refund", self.gateway),
            form: vec![
                ("pid".into(), self.pid.clone()),
                ("key".into(), self.key.expose_secret().to_string()),
                ("out_trade_no".into(), out_trade_no.to_string()),
                ("money".into(), amount::format(amount, currency)),
            ],
        })
    }

    fn read_refund(&self, body: &str) -> Result<(), ChannelError> {
        read_answer(body).map(|_| ())
    }

    fn payout_call(&self, _: &str, _: u64, _: Currency, _: &str) -> Result<HttpCall, ChannelError> {
        Err(ChannelError::Unsupported("pay out"))
    }

    fn read_payout(&self, _: &str) -> Result<String, ChannelError> {
        Err(ChannelError::Unsupported("pay out"))
    }
}
