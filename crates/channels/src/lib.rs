//! Payment channels: the outside providers buyers pay through, each behind
//! the same [`Channel`] trait as a small translator between trigate's
//! payment attempts and the provider's protocol.
//!
//! Adapters do no I/O of their own. They build the requests a provider
//! needs ([`HttpCall`]) and read its answers; the server sends them. So
//! every protocol rule — signing, verification, amount parsing — is tested
//! here byte for byte, without a network.
//!
//! A notification is trusted only after every check in DESIGN.md's list:
//! [`Channel::verify`] checks the provider's signature (in constant time,
//! with a non-empty key), our merchant id and the trade status, and reads
//! the amount exactly; [`notify::check_binding`] then checks it against the
//! payment attempt it claims to pay.

pub mod amount;
pub mod epay;
pub mod notify;
pub mod params;
pub mod routing;
pub mod sandbox;

use trigate_core::Currency;

pub use notify::{Expected, Notice, Payer, Refusal};
pub use params::{Params, ParamsError};

/// What a channel can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// Payment methods, as the channel names them (`alipay`, `wxpay`, …).
    pub methods: Vec<String>,
    pub currencies: Vec<Currency>,
    /// Smallest and largest amount, in minor units.
    pub min_amount: u64,
    pub max_amount: u64,
    pub refunds: bool,
    pub payouts: bool,
}

impl Capabilities {
    pub fn accepts(&self, method: &str, currency: Currency, amount: u64) -> bool {
        self.methods.iter().any(|m| m == method)
            && self.currencies.contains(&currency)
            && (self.min_amount..=self.max_amount).contains(&amount)
    }
}

/// A payment to ask a channel for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequest {
    /// Our number for it at the channel: unique per attempt, and bound into
    /// the notify URL.
    pub out_trade_no: String,
    pub method: String,
    pub amount: u64,
    pub currency: Currency,
    /// What the buyer sees it as.
    pub subject: String,
    /// Where the channel sends its notification.
    pub notify_url: String,
    /// Where the buyer's browser comes back to (it credits nothing).
    pub return_url: String,
    pub client_ip: Option<String>,
}

/// How the buyer pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checkout {
    /// Send the browser here.
    Redirect(String),
    /// Show this as a QR code.
    Qr(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
}

/// A request to a channel, for the server to send. It may carry the
/// channel's key (epay's query API takes it in the URL), so its `Debug`
/// shows only the method and the path.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpCall {
    pub method: HttpMethod,
    pub url: String,
    /// Form fields for a POST.
    pub form: Vec<(String, String)>,
}

impl std::fmt::Debug for HttpCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.url.split('?').next().unwrap_or("");
        write!(f, "HttpCall({:?} {path})", self.method)
    }
}

/// What a channel says of a payment when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Paid: as a verified notice would say.
    Paid(Notice),
    Unpaid,
    /// The channel does not know it.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    #[error("the channel's answer could not be read: {0}")]
    BadAnswer(String),
    #[error("the channel refused: {0}")]
    Refused(String),
    #[error("this channel cannot {0}")]
    Unsupported(&'static str),
    #[error("the channel is misconfigured: {0}")]
    Config(String),
}

/// One outside payment provider.
pub trait Channel: Send + Sync + std::fmt::Debug {
    /// The name it is configured under (in notify URLs and attempts).
    fn name(&self) -> &str;
    fn capabilities(&self) -> &Capabilities;
    /// Where to send the buyer, built without asking the channel.
    fn checkout(&self, request: &PaymentRequest) -> Result<Checkout, ChannelError>;
    /// Creating the payment server to server, for channels that can.
    fn create_call(&self, request: &PaymentRequest) -> Result<HttpCall, ChannelError>;
    fn read_create(&self, body: &str) -> Result<Checkout, ChannelError>;
    /// Checks a notification's signature, merchant and status, and reads
    /// it. The attempt it names is checked by [`notify::check_binding`].
    fn verify(&self, params: &Params, currency: Currency) -> Result<Notice, Refusal>;
    /// What the channel answers a notification it sent once it is applied
    /// (or was applied before).
    fn acknowledgement(&self) -> &'static str;
    /// Asking the channel about a payment.
    fn query_call(&self, out_trade_no: &str) -> HttpCall;
    fn read_query(&self, body: &str, currency: Currency) -> Result<Status, ChannelError>;
    /// Refunding (part of) a payment, under our `reference` for this
    /// refund where the protocol carries one (the channel then refunds each
    /// reference once, however often asked).
    fn refund_call(
        &self,
        out_trade_no: &str,
        reference: &str,
        amount: u64,
        currency: Currency,
    ) -> Result<HttpCall, ChannelError>;
    /// `Refused` is a clear no (nothing was refunded); any other error
    /// leaves the outcome unknown.
    fn read_refund(&self, body: &str) -> Result<(), ChannelError>;
    /// Asking whether the refund under `reference` was made, for channels
    /// that can say.
    fn refund_query_call(
        &self,
        out_trade_no: &str,
        reference: &str,
    ) -> Result<HttpCall, ChannelError> {
        let _ = (out_trade_no, reference);
        Err(ChannelError::Unsupported("say whether a refund was made"))
    }
    /// Whether the refund asked about was made.
    fn read_refund_query(&self, body: &str) -> Result<bool, ChannelError> {
        let _ = body;
        Err(ChannelError::Unsupported("say whether a refund was made"))
    }
    /// Paying money out to `destination` (a withdrawal), once per
    /// `reference` however often asked.
    fn payout_call(
        &self,
        reference: &str,
        amount: u64,
        currency: Currency,
        destination: &str,
    ) -> Result<HttpCall, ChannelError>;
    /// The channel's id for the payout made.
    fn read_payout(&self, body: &str) -> Result<String, ChannelError>;
}
