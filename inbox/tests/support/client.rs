//! A kept-alive HTTP/1.1 test client over hyper's connection API (loopback, no TLS), for
//! the tests that need real sockets (the crash test, slow clients, two processes).
#![allow(dead_code)]
use std::io;
use std::net::SocketAddr;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;

/// An answer.
#[derive(Clone, Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-case.
    pub headers: Vec<(String, String)>,
    /// Body text.
    pub body: String,
}

impl Reply {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (Null when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// One connection, opened on first use and reopened when the server closed it.
pub struct Conn {
    addr: SocketAddr,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Conn {
    /// A connection to `addr`.
    pub fn new(addr: SocketAddr) -> Conn {
        Conn { addr, sender: None }
    }

    /// Send one request and read its answer.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> io::Result<Reply> {
        let result = self.exchange(method, path, headers, body).await;
        if result.is_err() {
            self.sender = None;
        }
        result
    }

    async fn exchange(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> io::Result<Reply> {
        fn err(e: impl std::fmt::Display) -> io::Error {
            io::Error::other(e.to_string())
        }
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let stream = tokio::net::TcpStream::connect(self.addr).await?;
            let _ = stream.set_nodelay(true);
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(err)?;
            tokio::spawn(conn);
            self.sender = Some(sender);
        }
        let sender = self.sender.as_mut().ok_or_else(|| err("no connection"))?;
        sender.ready().await.map_err(err)?;
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.addr.to_string());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(err)?;
        let resp = sender.send_request(req).await.map_err(err)?;
        let (parts, body) = resp.into_parts();
        let bytes = body.collect().await.map_err(err)?.to_bytes();
        Ok(Reply {
            status: parts.status.as_u16(),
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }
}

/// A valid `reach-us/v1` body for `id`.
pub fn sample_report(id: &str, message: &str) -> String {
    serde_json::json!({
        "schema": "reach-us/v1", "id": id, "reference": format!("LOAD-{}", &id[..6.min(id.len())]),
        "created_at": reach_us_core::time::iso_utc(reach_us_inbox::util::now_ms()), "category": "problem", "message": message,
        "contact": {"email": "load@example.com"}, "promise": null,
        "page": {"url": "http://127.0.0.1/load", "title": "load", "referrer": ""}, "locale": "en", "timezone": "UTC",
        "client": {"widget_version": "0.0.0"}
    })
    .to_string()
}
