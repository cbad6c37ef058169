//! Sending a channel's [`HttpCall`]s: HTTP/1.1 over hyper, TLS by rustls
//! (ring, with the Mozilla root certificates built in) for `https://`
//! gateways, with a timeout. A channel answering slower than the timeout, or not at all, is
//! a failed call like any other: routing counts it against the channel.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use trigate_channels::{HttpCall, HttpMethod};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("{0} is not an http:// or https:// URL")]
    Unsupported(String),
    #[error("the channel did not answer in time")]
    Timeout,
    #[error("the channel could not be reached: {0}")]
    Unreachable(String),
    /// No connection was made: nothing was sent.
    #[error("no connection to the channel could be made: {0}")]
    NotConnected(String),
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
#[derive(Clone)]
pub struct HyperTransport {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HyperTransport(timeout {:?})", self.timeout)
    }
}

/// Largest answer read from a channel.
const ANSWER_MAX: usize = 256 * 1024;

impl HyperTransport {
    pub fn new(timeout: Duration) -> Self {
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(timeout));
        http.enforce_http(false);
        let tls = rustls_config();
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
            timeout,
        }
    }

    async fn send_now(&self, call: &HttpCall) -> Result<String, TransportError> {
        if !(call.url.starts_with("http://") || call.url.starts_with("https://")) {
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
        let response = self.client.request(request).await.map_err(|e| {
            if e.is_connect() {
                TransportError::NotConnected(e.to_string())
            } else {
                TransportError::Unreachable(e.to_string())
            }
        })?;
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

/// Reaches nothing: for a shop with no channels configured.
#[derive(Debug, Clone, Copy)]
pub struct Nowhere;

impl Transport for Nowhere {
    fn send<'a>(&'a self, call: &'a HttpCall) -> Sent<'a> {
        let shown = call.url.split('?').next().unwrap_or("").to_string();
        Box::pin(async move { Err(TransportError::Unsupported(shown)) })
    }
}

/// TLS as browsers do it: the Mozilla roots, ring's cryptography.
fn rustls_config() -> rustls::ClientConfig {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap_or_else(|_| unreachable!("ring supports the default protocol versions"))
    .with_root_certificates(roots)
    .with_no_client_auth()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn get(url: &str) -> HttpCall {
        HttpCall {
            method: HttpMethod::Get,
            url: url.into(),
            form: Vec::new(),
        }
    }

    #[tokio::test]
    async fn https_is_spoken_and_other_schemes_are_refused() {
        let t = HyperTransport::new(Duration::from_secs(2));
        assert!(matches!(
            t.send(&get("ftp://example.com/x?key=secret")).await,
            Err(TransportError::Unsupported(u)) if u == "ftp://example.com/x"
        ));
        // A server that is not TLS: the handshake is tried, and fails
        // before any request is sent.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                use tokio::io::AsyncWriteExt;
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\n\r\nplain").await;
            }
        });
        let result = t.send(&get(&format!("https://{addr}/"))).await;
        assert!(
            matches!(result, Err(TransportError::NotConnected(_))),
            "{result:?}"
        );
    }
}
