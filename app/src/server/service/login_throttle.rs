//! Failed sign-ins per email and per client address, in a sliding one-minute window. Kept in
//! memory: the app runs as one process, and a restart forgetting the window is harmless.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: usize = 10;
pub const WINDOW: Duration = Duration::from_secs(60);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Email(String),
    Ip(IpAddr),
}

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<Key, Vec<Instant>>>,
}

impl LoginThrottle {
    fn keys(email: &str, ip: Option<IpAddr>) -> Vec<Key> {
        let mut keys = vec![Key::Email(email.trim().to_lowercase())];
        keys.extend(ip.map(Key::Ip));
        keys
    }

    /// `Some(seconds to wait)` when either key has used up its failures in the window.
    pub fn check(&self, email: &str, ip: Option<IpAddr>) -> Option<u64> {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        Self::keys(email, ip)
            .into_iter()
            .filter_map(|key| {
                let times = failures.get_mut(&key)?;
                times.retain(|t| now.duration_since(*t) < WINDOW);
                (times.len() >= MAX_FAILURES).then(|| {
                    let oldest = times[times.len() - MAX_FAILURES];
                    WINDOW
                        .saturating_sub(now.duration_since(oldest))
                        .as_secs()
                        .max(1)
                })
            })
            .max()
    }

    pub fn record_failure(&self, email: &str, ip: Option<IpAddr>) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() > 100_000 {
            failures.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
        for key in Self::keys(email, ip) {
            failures.entry(key).or_default().push(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_ten_failures_per_email_or_address() {
        let throttle = LoginThrottle::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..MAX_FAILURES {
            assert_eq!(throttle.check("a@b.co", Some(ip)), None);
            throttle.record_failure("A@b.co", Some(ip));
        }
        assert!(
            throttle.check("a@b.co", None).is_some(),
            "email key is case-insensitive"
        );
        assert!(
            throttle.check("other@b.co", Some(ip)).is_some(),
            "address key applies to any email"
        );
        assert_eq!(
            throttle.check("other@b.co", Some("10.0.0.2".parse().unwrap())),
            None
        );
    }
}
