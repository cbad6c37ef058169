//! A browser over the test server for the pages' tests: a cookie jar,
//! forms posted URL-encoded, the value of an input read back.

use std::collections::BTreeMap;

use super::http::{Server, call};

/// A browser's cookie jar over the test server.
pub struct Browser<'a> {
    server: &'a Server,
    pub cookies: BTreeMap<String, String>,
    pub lang: Option<&'static str>,
}

pub struct Page {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub html: String,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of the first hidden or text input named `name`.
    pub fn input(&self, name: &str) -> String {
        let at = self
            .html
            .find(&format!("name=\"{name}\""))
            .unwrap_or_else(|| panic!("no input {name} in {}", self.html));
        let rest = &self.html[at..];
        let value = rest.find("value=\"").unwrap() + 7;
        let end = rest[value..].find('"').unwrap();
        rest[value..value + end].to_string()
    }
}

impl<'a> Browser<'a> {
    pub fn new(server: &'a Server) -> Self {
        Browser {
            server,
            cookies: BTreeMap::new(),
            lang: None,
        }
    }

    pub fn cookie_header(&self) -> String {
        let mut pairs: Vec<String> = self
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        if let Some(lang) = self.lang {
            pairs.push(format!("lang={lang}"));
        }
        pairs.join("; ")
    }

    pub async fn send(&mut self, method: &str, path: &str, body: Option<&str>) -> Page {
        let cookie = self.cookie_header();
        let mut headers = vec![("accept", "text/html")];
        if body.is_some() {
            headers.push(("content-type", "application/x-www-form-urlencoded"));
        }
        let r = call(
            self.server.addr,
            method,
            path,
            Some(&cookie).filter(|c| !c.is_empty()).map(String::as_str),
            &headers,
            body,
        )
        .await;
        for (name, value) in &r.headers {
            if name.eq_ignore_ascii_case("set-cookie") {
                let pair = value.split(';').next().unwrap();
                let (n, v) = pair.split_once('=').unwrap();
                if v.is_empty() {
                    self.cookies.remove(n);
                } else {
                    self.cookies.insert(n.to_string(), v.to_string());
                }
            }
        }
        Page {
            status: r.status,
            headers: r.headers,
            html: match r.body {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            },
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send("GET", path, None).await
    }

    /// Posts `fields` (URL-encoded) as a form.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.send("POST", path, Some(&body)).await
    }

    /// Signs up and in through the pages.
    pub async fn sign_up(&mut self, login: &str) {
        let form = self.get("/signup").await;
        let csrf = form.input("csrf");
        let r = self
            .post(
                "/signup",
                &[
                    ("csrf", &csrf),
                    ("login", login),
                    ("password", "correct horse"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        assert!(self.cookies.contains_key(trigate_web::COOKIE));
    }
}

/// A multipart POST of `fields` and, if given, one file (`(field, file
/// name, content type, bytes)`), as raw bytes over a fresh connection:
/// (status, the raw response).
pub async fn multipart(
    s: &Server,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &str, &[u8])>,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let boundary = "----trigate-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((field, name, kind, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\ncontent-type: {kind}\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\naccept-language: en\r\ncookie: {cookie}\r\ncontent-type: multipart/form-data; boundary={boundary}\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    // A server that refuses early may close before reading it all.
    let _ = stream.write_all(&body).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}
