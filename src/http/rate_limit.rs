//! Per-client rate limiting (GCRA, from the governor crate) with the `RateLimit-*` headers
//! of the IETF draft on every answer and 429 + `Retry-After` past the limit. Each node
//! counts on its own: behind a load balancer of n nodes a client may get up to n times the
//! limit.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter as Gcra};

/// What one check says, ready to become headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the full quota is available again.
    pub reset: u64,
    /// Seconds until the next request is allowed (refused requests only).
    pub retry_after: u64,
}

pub struct RateLimiter {
    limiter: Gcra<String, DashMapStateStore<String>, DefaultClock, StateInformationMiddleware>,
    limit: u32,
    checks: AtomicU64,
}

impl RateLimiter {
    /// `per_minute` requests per minute per key, all of which may come in one burst.
    pub fn new(per_minute: u32) -> Self {
        let limit = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(limit);
        RateLimiter {
            limiter: Gcra::dashmap(quota).with_middleware::<StateInformationMiddleware>(),
            limit: limit.get(),
            checks: AtomicU64::new(0),
        }
    }

    fn seconds_per_request(&self) -> f64 {
        60.0 / f64::from(self.limit)
    }

    pub fn check(&self, key: &str) -> Decision {
        // Forget idle keys now and then so that the table does not grow without bound.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 10_000 == 9_999 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        match self.limiter.check_key(&key.to_owned()) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let reset =
                    (f64::from(self.limit - remaining.min(self.limit)) * self.seconds_per_request()).ceil() as u64;
                Decision { allowed: true, limit: self.limit, remaining, reset, retry_after: 0 }
            }
            Err(not_until) => {
                let wait: Duration = not_until.wait_time_from(self.limiter.clock().now());
                let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                Decision {
                    allowed: false,
                    limit: self.limit,
                    remaining: 0,
                    reset: (f64::from(self.limit) * self.seconds_per_request()).ceil() as u64,
                    retry_after: retry_after.max(1),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_quota_then_waits() {
        let limiter = RateLimiter::new(3);
        let first = limiter.check("a");
        assert_eq!((first.allowed, first.limit, first.remaining), (true, 3, 2));
        assert!(limiter.check("a").allowed);
        assert!(limiter.check("a").allowed);
        let refused = limiter.check("a");
        assert!(!refused.allowed);
        assert!(refused.retry_after >= 1 && refused.retry_after <= 20, "{refused:?}");
        assert!(limiter.check("b").allowed, "keys are counted apart");
    }
}
