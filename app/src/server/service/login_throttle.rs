//! Slows down password guessing without letting anyone lock a chosen user out.
//!
//! Two limits, both in memory (a restart forgetting them is harmless):
//! - per (email, client): a few free failures, then an exponential back-off, so guessing one
//!   account from one place crawls while its owner, signing in from elsewhere, is unaffected;
//! - per client: a cap on failures a minute across all emails, so one place cannot spray guesses.
//!
//! An attempt reserves its failure *before* the slow password check and gives it back on
//! success, so concurrent guesses cannot all slip through while the first is being verified.
//! Memory is bounded: keys are capped in length and number.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures per (email, client) before the back-off starts.
pub const FREE_FAILURES: usize = 3;
/// The back-off doubles per further failure, up to this.
pub const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);
/// Failures of one client, across all emails, per minute.
pub const MAX_CLIENT_FAILURES: usize = 30;
pub const CLIENT_WINDOW: Duration = Duration::from_secs(60);
/// Failures older than this are forgotten.
const PAIR_MEMORY: Duration = Duration::from_secs(30 * 60);
/// Keys kept at most; past it, the stalest are dropped first.
pub const MAX_KEYS: usize = 50_000;
const MAX_EMAIL_KEY: usize = 255;

/// Where a request comes from, for throttling: IPv6 clients are grouped by their /64, which
/// one subscriber usually holds whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientKey(Option<IpAddr>);

impl ClientKey {
    pub fn of(ip: Option<IpAddr>) -> Self {
        Self(ip.map(|ip| match ip {
            IpAddr::V6(v6) => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(bits.into())
            }
            v4 => v4,
        }))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Pair(String, ClientKey),
    Client(ClientKey),
}

/// A sign-in attempt that holds a reserved failure until it is known to have succeeded.
#[derive(Debug)]
#[must_use = "call `LoginThrottle::succeeded` when the password was right"]
pub struct Attempt {
    pair: Key,
    client: Key,
    at: Instant,
}

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<Key, Vec<Instant>>>,
}

fn pair_wait(times: &[Instant], now: Instant) -> Option<Duration> {
    let extra = times.len().checked_sub(FREE_FAILURES)?;
    let last = *times.last()?;
    let backoff = Duration::from_secs(1u64 << extra.min(20)).min(MAX_BACKOFF);
    backoff.checked_sub(now.duration_since(last))
}

fn client_wait(times: &[Instant], now: Instant) -> Option<Duration> {
    if times.len() < MAX_CLIENT_FAILURES {
        return None;
    }
    let oldest = times[times.len() - MAX_CLIENT_FAILURES];
    CLIENT_WINDOW.checked_sub(now.duration_since(oldest))
}

fn whole_seconds(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

impl LoginThrottle {
    /// Starts an attempt, or says how many seconds to wait before the next one.
    pub fn begin(&self, email: &str, ip: Option<IpAddr>) -> Result<Attempt, u64> {
        let now = Instant::now();
        let client = ClientKey::of(ip);
        let email: String = email
            .trim()
            .to_lowercase()
            .chars()
            .take(MAX_EMAIL_KEY)
            .collect();
        let pair = Key::Pair(email, client);
        let client = Key::Client(client);

        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut recent = |key: &Key, keep: Duration| -> Vec<Instant> {
            let Some(times) = failures.get_mut(key) else {
                return Vec::new();
            };
            times.retain(|t| now.duration_since(*t) < keep);
            times.clone()
        };
        let pair_times = recent(&pair, PAIR_MEMORY);
        let client_times = recent(&client, CLIENT_WINDOW);
        let wait = [pair_wait(&pair_times, now), client_wait(&client_times, now)]
            .into_iter()
            .flatten()
            .max();
        if let Some(wait) = wait {
            return Err(whole_seconds(wait));
        }
        Self::make_room(&mut failures, now);
        for key in [&pair, &client] {
            failures.entry(key.clone()).or_default().push(now);
        }
        Ok(Attempt {
            pair,
            client,
            at: now,
        })
    }

    /// The password was right: the reserved failure is given back and the pair starts afresh.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&attempt.pair);
        if let Some(times) = failures.get_mut(&attempt.client)
            && let Some(i) = times.iter().rposition(|t| *t == attempt.at)
        {
            times.remove(i);
        }
    }

    /// Keeps the map under `MAX_KEYS`: first forgets what has expired, then the stalest keys.
    fn make_room(failures: &mut HashMap<Key, Vec<Instant>>, now: Instant) {
        if failures.len() < MAX_KEYS {
            return;
        }
        failures.retain(|_, times| {
            times
                .last()
                .is_some_and(|t| now.duration_since(*t) < PAIR_MEMORY)
        });
        if failures.len() < MAX_KEYS {
            return;
        }
        let mut by_age: Vec<(Instant, Key)> = failures
            .iter()
            .map(|(k, times)| (times.last().copied().unwrap_or(now), k.clone()))
            .collect();
        by_age.sort_by_key(|(t, _)| *t);
        for (_, key) in by_age.into_iter().take(MAX_KEYS / 10) {
            failures.remove(&key);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.failures.lock().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn backs_off_per_email_and_client_without_locking_the_owner_out() {
        let throttle = LoginThrottle::default();
        let attacker = ip("203.0.113.9");
        for _ in 0..FREE_FAILURES {
            let _failed = throttle.begin("Owner@b.co", attacker).unwrap();
        }
        assert!(
            throttle.begin("owner@b.co", attacker).is_err(),
            "the back-off applies case-insensitively"
        );
        // The owner, elsewhere, still gets in and is not slowed down.
        let owner = throttle.begin("owner@b.co", ip("198.51.100.1")).unwrap();
        throttle.succeeded(owner);
        assert!(throttle.begin("owner@b.co", ip("198.51.100.1")).is_ok());
    }

    #[test]
    fn concurrent_attempts_hold_their_slots() {
        let throttle = LoginThrottle::default();
        let client = ip("203.0.113.10");
        // Nothing has failed yet, but attempts in flight count: after the free ones, the next
        // must wait for the back-off.
        let in_flight: Vec<Attempt> = (0..FREE_FAILURES)
            .map(|_| throttle.begin("a@b.co", client).unwrap())
            .collect();
        assert!(throttle.begin("a@b.co", client).is_err());
        drop(in_flight);
    }

    #[test]
    fn caps_failures_per_client_across_emails() {
        let throttle = LoginThrottle::default();
        let client = ip("203.0.113.11");
        for i in 0..MAX_CLIENT_FAILURES {
            let _failed = throttle.begin(&format!("user{i}@b.co"), client).unwrap();
        }
        let wait = throttle.begin("fresh@b.co", client).unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(throttle.begin("fresh@b.co", ip("203.0.113.12")).is_ok());
    }

    #[test]
    fn ipv6_clients_are_grouped_by_their_64() {
        assert_eq!(
            ClientKey::of(ip("2001:db8:1:2:aaaa::1")),
            ClientKey::of(ip("2001:db8:1:2:bbbb::2"))
        );
        assert_ne!(
            ClientKey::of(ip("2001:db8:1:2::1")),
            ClientKey::of(ip("2001:db8:1:3::1"))
        );
    }

    #[test]
    fn memory_stays_bounded() {
        let throttle = LoginThrottle::default();
        let long = "x".repeat(10_000);
        for i in 0..(MAX_KEYS + 100) {
            let octets = (i as u32).to_be_bytes();
            let client = Some(IpAddr::from(octets));
            let _failed = throttle.begin(&format!("{i}{long}"), client);
        }
        assert!(throttle.len() <= MAX_KEYS + 2);
    }
}
