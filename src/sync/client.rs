//! The HTTP client of webhook deliveries: no redirects, short timeouts, a small cap on what
//! is read back, and a resolver that refuses private addresses at connection time (so a
//! name that resolved to a public address at subscription cannot be rebound to an internal one).

use std::io::Read;
use std::time::Duration;

use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

use crate::domain::webhook::is_public;

/// What a receiver may send back that is read (the rest is dropped).
const RESPONSE_CAP: u64 = 64 * 1024;

#[derive(Debug)]
struct GuardedResolver {
    inner: DefaultResolver,
    allow_private: bool,
}

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = self.inner.resolve(uri, config, timeout)?;
        if !self.allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "the target resolves to a loopback, private, link-local or unspecified address",
            )));
        }
        Ok(addrs)
    }
}

/// Sends deliveries.
pub struct WebhookClient {
    agent: ureq::Agent,
}

/// What came of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver answered with this status.
    Status(u16),
    /// No answer: connection refused, timeout, refused target…
    Failed(String),
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        matches!(self, Outcome::Status(code) if (200..300).contains(code))
    }
}

impl WebhookClient {
    pub fn new(timeout: Duration, allow_private: bool) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .user_agent("consultation-hub-webhooks/1")
            .build();
        let agent = ureq::Agent::with_parts(
            config,
            DefaultConnector::new(),
            GuardedResolver { inner: DefaultResolver::default(), allow_private },
        );
        WebhookClient { agent }
    }

    pub fn send(&self, url: &str, headers: &[(&str, String)], body: &str) -> Outcome {
        let mut request = self.agent.post(url).header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        match request.send(body) {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let mut sink = Vec::new();
                let _ = response.body_mut().as_reader().take(RESPONSE_CAP).read_to_end(&mut sink);
                Outcome::Status(status)
            }
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}
