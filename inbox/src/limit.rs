//! Per-client-IP rate limit: a token bucket (`burst` at once, refilled at `per_min`), with
//! the wait until the next token for `Retry-After`.
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// The limiter.
pub struct Limiter {
    per_min: u32,
    burst: u32,
    buckets: Mutex<HashMap<IpAddr, (f64, i64)>>,
}

impl Limiter {
    /// `per_min == 0`: no limit.
    pub fn new(per_min: u32, burst: u32) -> Limiter {
        Limiter {
            per_min,
            burst: burst.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Take a token for `ip` at `now` (ms): Ok, or Err(seconds to wait).
    pub fn take(&self, ip: IpAddr, now: i64) -> Result<(), u64> {
        if self.per_min == 0 {
            return Ok(());
        }
        let rate = f64::from(self.per_min) / 60_000.0; // tokens per ms
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, t)| now - *t < 600_000); // forget idle clients
        }
        let (tokens, last) = map.entry(ip).or_insert((f64::from(self.burst), now));
        *tokens = (*tokens + (now - *last).max(0) as f64 * rate).min(f64::from(self.burst));
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / rate / 1000.0).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill_with_retry_after() {
        let l = Limiter::new(60, 3);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(l.take(ip, 0), Ok(()));
        }
        assert_eq!(l.take(ip, 0), Err(1));
        assert_eq!(l.take(ip, 1_000), Ok(()), "one token a second");
        assert_eq!(l.take("10.0.0.2".parse().unwrap(), 0), Ok(()), "per IP");
        assert_eq!(Limiter::new(0, 1).take(ip, 0), Ok(()));
    }
}
