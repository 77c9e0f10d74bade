//! Per-client-IP rate limit: a token bucket (`burst` at once, refilled at `per_min`), with
//! the wait until the next token for `Retry-After`.
//!
//! Memory is bounded and no request scans the whole map under a lock: the buckets live in
//! [`SHARDS`] independently locked shards of at most `capacity / SHARDS` entries each. A
//! shard that fills up first forgets the buckets that have refilled completely (exactly
//! like a client never seen), and if it is still full, its oldest-touched quarter; it then
//! has room for a quarter of its size before it is swept again, so the sweep's cost is
//! spread over that many requests (O(1) amortised).
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::{IpAddr, Ipv6Addr};

/// The bucket an address counts in: itself for IPv4 (and IPv4-mapped IPv6), its /64 for
/// IPv6.
pub fn bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}
use std::sync::Mutex;

/// Independently locked parts of the map.
pub const SHARDS: usize = 16;
/// Default bound on remembered client addresses (all shards together).
pub const DEFAULT_CAPACITY: usize = 100_000;

/// The limiter.
pub struct Limiter {
    per_min: u32,
    burst: u32,
    shard_cap: usize,
    hasher: RandomState,
    shards: Vec<Mutex<HashMap<IpAddr, (f64, i64)>>>,
}

impl Limiter {
    /// `per_min == 0`: no limit. Remembers at most [`DEFAULT_CAPACITY`] addresses.
    pub fn new(per_min: u32, burst: u32) -> Limiter {
        Limiter::with_capacity(per_min, burst, DEFAULT_CAPACITY)
    }

    /// A limiter that remembers at most about `capacity` addresses.
    pub fn with_capacity(per_min: u32, burst: u32, capacity: usize) -> Limiter {
        Limiter {
            per_min,
            burst: burst.max(1),
            shard_cap: (capacity / SHARDS).max(4),
            hasher: RandomState::new(),
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }

    /// How many addresses are remembered now.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).len())
            .sum()
    }

    /// Nothing remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Take a token for `ip` at `now` (ms): Ok, or Err(seconds to wait). IPv6 clients
    /// share one bucket per /64 (a host is given a whole /64 and may use any address in it).
    pub fn take(&self, ip: IpAddr, now: i64) -> Result<(), u64> {
        if self.per_min == 0 {
            return Ok(());
        }
        let ip = bucket(ip);
        let rate = f64::from(self.per_min) / 60_000.0; // tokens per ms
        let burst = f64::from(self.burst);
        let shard = &self.shards[self.hasher.hash_one(ip) as usize % SHARDS];
        let mut map = shard.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= self.shard_cap && !map.contains_key(&ip) {
            // Full buckets are the same as unknown clients: forget them.
            let full_after = (burst / rate) as i64;
            map.retain(|_, (tokens, t)| {
                *tokens + ((now - *t).max(0) as f64) * rate < burst && now - *t < full_after
            });
            if map.len() > self.shard_cap * 3 / 4 {
                // Still full (a flood of fresh addresses): forget the least recently seen.
                let mut times: Vec<i64> = map.values().map(|(_, t)| *t).collect();
                let cut = map.len() - self.shard_cap * 3 / 4;
                times.select_nth_unstable(cut - 1);
                let oldest = times[cut - 1];
                map.retain(|_, (_, t)| *t > oldest);
            }
        }
        let (tokens, last) = map.entry(ip).or_insert((burst, now));
        *tokens = (*tokens + (now - *last).max(0) as f64 * rate).min(burst);
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

    /// One IPv6 host owns a whole /64: rotating through it is one bucket, not millions.
    #[test]
    fn ipv6_counts_per_slash_64() {
        let l = Limiter::new(60, 3);
        for n in 0..3u16 {
            let ip = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 7, 9, n, 1, 2, n));
            assert_eq!(l.take(ip, 0), Ok(()));
        }
        assert!(l.take("2001:db8:7:9:ffff::1".parse().unwrap(), 0).is_err());
        assert_eq!(
            l.take("2001:db8:7:a::1".parse().unwrap(), 0),
            Ok(()),
            "the next /64"
        );
        assert_eq!(
            bucket("::ffff:192.0.2.1".parse().unwrap()),
            "192.0.2.1".parse::<IpAddr>().unwrap()
        );
    }

    /// Defect 5: 300k addresses in a burst grew the map without bound and made every request
    /// past 100k scan all of it under one lock (5.9k → 0.9k req/s).
    #[test]
    fn three_hundred_thousand_addresses_stay_bounded_and_fast() {
        let l = Limiter::new(30, 10);
        let start = std::time::Instant::now();
        for n in 0..300_000u32 {
            let ip = IpAddr::from((0x0a00_0000u32 + n).to_be_bytes());
            assert_eq!(l.take(ip, i64::from(n / 100)), Ok(()));
        }
        let spent = start.elapsed();
        assert!(l.len() <= DEFAULT_CAPACITY, "{} remembered", l.len());
        // A client being limited right now is not forgotten by the flood: it was touched last.
        let me: IpAddr = "192.0.2.9".parse().unwrap();
        for _ in 0..10 {
            l.take(me, 3_000).unwrap();
        }
        assert!(l.take(me, 3_000).is_err());
        for n in 0..1_000u32 {
            let _ = l.take(IpAddr::from((0x0b00_0000u32 + n).to_be_bytes()), 3_000);
        }
        assert!(l.take(me, 3_000).is_err(), "still limited");
        println!("300k addresses: {spent:?}, {} remembered", l.len());
        assert!(spent < std::time::Duration::from_secs(20), "{spent:?}");
    }
}
