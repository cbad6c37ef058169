//! Sending a channel's [`HttpCall`]s: plain HTTP/1.1 over hyper, with a
//! timeout. A channel answering slower than the timeout, or not at all, is
//! a failed call like any other: routing counts it against the channel.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use trigate_channels::{HttpCall, HttpMethod};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("{0} is not an http:// URL this transport can reach")]
    Unsupported(String),
    #[error("the channel did not answer in time")]
    Timeout,
    #[error("the channel could not be reached: {0}")]
    Unreachable(String),
    #[error("the channel answered HTTP {0}")]
    Status(u16),
}

/// The answer body, or why there is none.
pub type Sent<'a> = Pin<Box<dyn Future<Output = Result<String, TransportError>> + Send + 'a>>;

/// What sends calls to channels (tests put a scripted one in its place).
pub trait Transport: Send + Sync + std::fmt::Debug {
    fn send<'a>(&'a self, call: &'a HttpCall) -> Sent<'a>;
}

/// HTTP/1.1 with keep-alive and a per-call timeout.
#[derive(Debug, Clone)]
pub struct HyperTransport {
    client: Client<HttpConnector, Full<Bytes>>,
    timeout: Duration,
}

/// Largest answer read from a channel.
const ANSWER_MAX: usize = 256 * 1024;

impl HyperTransport {
    pub fn new(timeout: Duration) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(timeout));
        Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
            timeout,
        }
    }

    async fn send_now(&self, call: &HttpCall) -> Result<String, TransportError> {
        if !call.url.starts_with("http://") {
            let shown = call.url.split('?').next().unwrap_or("");
            return Err(TransportError::Unsupported(shown.to_string()));
        }
        let builder = hyper::Request::builder().uri(&call.url);
        let request = match call.method {
            HttpMethod::Get => builder.method("GET").body(Full::new(Bytes::new())),
            HttpMethod::Post => {
                let body = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(call.form.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    .finish();
                builder
                    .method("POST")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Full::new(Bytes::from(body)))
            }
        }
        .map_err(|e| TransportError::Unreachable(e.to_string()))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| TransportError::Unreachable(e.to_string()))?;
        let status = response.status().as_u16();
        let body = http_body_util::Limited::new(response.into_body(), ANSWER_MAX)
            .collect()
            .await
            .map_err(|e| TransportError::Unreachable(e.to_string()))?
            .to_bytes();
        if !(200..300).contains(&status) {
            return Err(TransportError::Status(status));
        }
        Ok(String::from_utf8_lossy(&body).into_owned())
    }
}

impl Transport for HyperTransport {
    fn send<'a>(&'a self, call: &'a HttpCall) -> Sent<'a> {
        Box::pin(async move {
            tokio::time::timeout(self.timeout, self.send_now(call))
                .await
                .unwrap_or(Err(TransportError::Timeout))
        })
    }
}
