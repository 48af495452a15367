//! Sign-ups per client: each costs a password hash and creates a workspace, so one place may
//! create only a few a minute. Kept in memory, bounded like the sign-in throttle.

use super::login_throttle::ClientKey;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Sign-ups per client per minute, unless configured otherwise (`LEADS_SIGNUPS_PER_MINUTE`).
pub const MAX_SIGNUPS: usize = 20;
pub const WINDOW: Duration = Duration::from_secs(60);
const MAX_CLIENTS: usize = 50_000;

pub struct SignupThrottle {
    per_minute: usize,
    recent: Mutex<HashMap<ClientKey, Vec<Instant>>>,
}

impl Default for SignupThrottle {
    fn default() -> Self {
        Self::new(MAX_SIGNUPS)
    }
}

impl SignupThrottle {
    pub fn new(per_minute: usize) -> Self {
        Self {
            per_minute,
            recent: Mutex::default(),
        }
    }

    /// Counts a sign-up, or says how many seconds to wait first.
    pub fn admit(&self, ip: Option<IpAddr>) -> Result<(), u64> {
        let now = Instant::now();
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if recent.len() >= MAX_CLIENTS {
            recent.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < WINDOW));
            if recent.len() >= MAX_CLIENTS {
                recent.clear();
            }
        }
        let times = recent.entry(ClientKey::of(ip)).or_default();
        times.retain(|t| now.duration_since(*t) < WINDOW);
        if times.len() >= self.per_minute {
            let wait = WINDOW.saturating_sub(now.duration_since(times[0]));
            return Err(wait.as_secs().max(1));
        }
        times.push(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_a_few_a_minute_per_client() {
        let throttle = SignupThrottle::default();
        let ip = Some("203.0.113.20".parse().unwrap());
        for _ in 0..MAX_SIGNUPS {
            throttle.admit(ip).unwrap();
        }
        assert!(throttle.admit(ip).is_err());
        assert!(
            throttle
                .admit(Some("203.0.113.21".parse().unwrap()))
                .is_ok()
        );
    }
}
