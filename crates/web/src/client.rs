//! What each request says of its client, for gate three: the IP (from the
//! trusted proxy header the config names, else the socket), its country
//! (from a trusted header such as `CF-IPCountry`, else the operator's
//! MaxMind-format country file), the device (the
//! `trigate_device` cookie the pages set, or `X-Device-Id` from API
//! clients) and a one-time code sent for a risk challenge
//! (`X-Second-Factor`). Every request runs inside its context, so each
//! command it submits carries it to the writer.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use trigate_app::request::{self, RequestInfo};
use trigate_core::risk::RequestContext;

use crate::AppState;

/// The device cookie's name.
pub const DEVICE_COOKIE: &str = "trigate_device";
/// Two years.
const DEVICE_MAX_AGE: u32 = 2 * 365 * 24 * 3600;

/// Which headers the operator trusts (set only behind a proxy that
/// overwrites them).
#[derive(Debug, Clone, Default)]
pub struct ClientHeaders {
    /// The header holding the client's IP (`X-Forwarded-For`: its first
    /// address), written by the operator's proxy.
    pub ip: Option<HeaderName>,
    /// The header holding the IP's two-letter country (`CF-IPCountry`).
    pub country: Option<HeaderName>,
    /// The operator's country file, asked when no trusted header gives
    /// the country.
    pub country_file: Option<std::sync::Arc<crate::geoip::CountryFile>>,
}

fn text(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_string())
}

/// An identifier as a signal: printable ASCII, at most 128 characters.
fn clean(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(128)
        .collect()
}

/// The request's context as its headers and socket tell it.
pub fn context_of(
    trusted: &ClientHeaders,
    headers: &HeaderMap,
    socket: Option<SocketAddr>,
) -> (RequestContext, Option<String>) {
    let ip = trusted
        .ip
        .as_ref()
        .and_then(|h| text(headers, h))
        .and_then(|v| v.split(',').next().map(|a| a.trim().to_string()))
        .and_then(|a| a.parse::<std::net::IpAddr>().ok())
        .or_else(|| socket.map(|s| s.ip()))
        // A dual-stack socket shows IPv4 clients as `::ffff:a.b.c.d`.
        .map(|a| a.to_canonical());
    let country = trusted
        .country
        .as_ref()
        .and_then(|h| text(headers, h))
        .filter(|c| c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic()))
        .map(|c| c.to_uppercase())
        .or_else(|| {
            let file = trusted.country_file.as_ref()?;
            file.country(ip?)
        })
        .unwrap_or_default();
    let device = cookie(headers, DEVICE_COOKIE)
        .or_else(|| text(headers, &HeaderName::from_static("x-device-id")))
        .map(|d| clean(&d))
        .unwrap_or_default();
    let code = text(headers, &HeaderName::from_static("x-second-factor")).filter(|c| c.len() <= 16);
    let context = RequestContext {
        ip: ip.map(|a| a.to_string()).unwrap_or_default(),
        ip_country: country,
        device,
        ..RequestContext::default()
    };
    (context, code)
}

/// Runs the request inside its context; a page served to a browser
/// without a device cookie sets one.
pub async fn scope(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let socket = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let has_device = cookie(req.headers(), DEVICE_COOKIE).is_some();
    let (context, code) = context_of(&state.client_headers, req.headers(), socket);
    let mut response = request::scope(RequestInfo::new(context, code), next.run(req)).await;
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if is_page && !has_device {
        let mut bytes = [0u8; 16];
        if getrandom::fill(&mut bytes).is_ok() {
            let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let secure = if state.secure_cookies { "; Secure" } else { "" };
            if let Ok(v) = HeaderValue::from_str(&format!(
                "{DEVICE_COOKIE}={id}; Path=/; Max-Age={DEVICE_MAX_AGE}; HttpOnly; SameSite=Lax{secure}"
            )) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn the_socket_is_the_ip_unless_a_trusted_header_says_otherwise() {
        let socket: SocketAddr = "192.0.2.1:5000".parse().unwrap();
        let h = headers(&[
            ("x-forwarded-for", "198.51.100.7, 10.0.0.1"),
            ("cf-ipcountry", "cn"),
            ("x-device-id", "phone 1"),
        ]);
        let (c, _) = context_of(&ClientHeaders::default(), &h, Some(socket));
        assert_eq!((c.ip.as_str(), c.ip_country.as_str()), ("192.0.2.1", ""));
        assert_eq!(c.device, "phone1");
        let trusted = ClientHeaders {
            ip: Some(HeaderName::from_static("x-forwarded-for")),
            country: Some(HeaderName::from_static("cf-ipcountry")),
            country_file: None,
        };
        let (c, _) = context_of(&trusted, &h, Some(socket));
        assert_eq!(
            (c.ip.as_str(), c.ip_country.as_str()),
            ("198.51.100.7", "CN")
        );
        let mapped: SocketAddr = "[::ffff:192.0.2.1]:5000".parse().unwrap();
        let (c, _) = context_of(&ClientHeaders::default(), &h, Some(mapped));
        assert_eq!(c.ip, "192.0.2.1");
        let junk = headers(&[("x-forwarded-for", "not an ip"), ("cf-ipcountry", "XXX")]);
        let (c, _) = context_of(&trusted, &junk, Some(socket));
        assert_eq!((c.ip.as_str(), c.ip_country.as_str()), ("192.0.2.1", ""));
    }

    #[test]
    fn the_device_cookie_wins_over_the_header_and_a_code_is_passed_on() {
        let h = headers(&[
            ("cookie", "a=b; trigate_device=abc123"),
            ("x-device-id", "other"),
            ("x-second-factor", "123456"),
        ]);
        let (c, code) = context_of(&ClientHeaders::default(), &h, None);
        assert_eq!(c.device, "abc123");
        assert_eq!(code.as_deref(), Some("123456"));
    }

    #[test]
    fn the_country_file_answers_when_no_trusted_header_does() {
        let file = crate::geoip::CountryFile::open(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/countries.mmdb"),
        )
        .unwrap();
        let trusted = ClientHeaders {
            ip: Some(HeaderName::from_static("x-forwarded-for")),
            country: Some(HeaderName::from_static("cf-ipcountry")),
            country_file: Some(std::sync::Arc::new(file)),
        };
        let socket: SocketAddr = "203.0.113.9:5000".parse().unwrap();
        let forwarded = headers(&[("x-forwarded-for", "192.0.2.8")]);
        let (c, _) = context_of(&trusted, &forwarded, Some(socket));
        assert_eq!((c.ip.as_str(), c.ip_country.as_str()), ("192.0.2.8", "CN"));
        // A trusted header still wins over the file.
        let both = headers(&[("x-forwarded-for", "192.0.2.8"), ("cf-ipcountry", "jp")]);
        let (c, _) = context_of(&trusted, &both, Some(socket));
        assert_eq!(c.ip_country, "JP");
        // An IP the file does not know has no country.
        let (c, _) = context_of(&trusted, &HeaderMap::new(), Some(socket));
        assert_eq!((c.ip.as_str(), c.ip_country.as_str()), ("203.0.113.9", ""));
    }
}
