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
