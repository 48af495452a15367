//! Resolved credentials, kept briefly in memory so that a request does not pay database
//! round trips to learn who it comes from.
//!
//! Keyed by the credential's SHA-256 (what the database stores), never the secret itself.
//! Revoking a token, signing out, changing a member's role or removing them, and changing a
//! password forget the affected entries at once in this process; another process serving the
//! same database notices within `AUTH_CACHE_TTL`, when its entry expires.

use super::tenant_context::TenantContext;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a resolved credential is believed without asking the database again.
pub const AUTH_CACHE_TTL: Duration = Duration::from_secs(10);
/// Entries kept at most: beyond it, expired ones go, and if none had, all go.
const MAX_ENTRIES: usize = 50_000;

#[derive(Clone)]
pub struct Cached {
    pub context: TenantContext,
    /// For a session: when it expires (a refresh due sends the request to the database).
    pub session_expires: Option<DateTime<Utc>>,
    /// For a token with an expiry: when it stops working.
    pub token_expires: Option<DateTime<Utc>>,
}

pub struct AuthCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Cached, Instant)>>,
}

impl Default for AuthCache {
    fn default() -> Self {
        Self::new(AUTH_CACHE_TTL)
    }
}

impl AuthCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, key: &str) -> Option<Cached> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(cached, _)| cached.clone())
    }

    pub fn put(&self, key: String, cached: Cached) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            entries.retain(|_, (_, at)| at.elapsed() < ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (cached, Instant::now()));
    }

    pub fn forget(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }

    /// Forgets every credential of one member of one workspace (role changed, removed).
    pub fn forget_member(&self, tenant_id: uuid::Uuid, user_id: uuid::Uuid) {
        self.forget_where(|c| c.tenant_id() == tenant_id && c.user_id() == user_id);
    }

    /// Forgets every credential of a person, in every workspace (password changed).
    pub fn forget_user(&self, user_id: uuid::Uuid) {
        self.forget_where(|c| c.user_id() == user_id);
    }

    /// Forgets every credential into a workspace (deleted).
    pub fn forget_tenant(&self, tenant_id: uuid::Uuid) {
        self.forget_where(|c| c.tenant_id() == tenant_id);
    }

    fn forget_where(&self, matches: impl Fn(&TenantContext) -> bool) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (cached, _)| !matches(&cached.context));
        }
    }

    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The cache key of a session cookie's or a token's stored hash.
pub fn session_key(secret_hash: &str) -> String {
    format!("s:{secret_hash}")
}

pub fn token_key(secret_hash: &str) -> String {
    format!("b:{secret_hash}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::Role;
    use uuid::Uuid;

    fn cached() -> Cached {
        Cached {
            context: TenantContext::new(Uuid::nil(), Uuid::nil(), Role::Owner),
            session_expires: None,
            token_expires: None,
        }
    }

    #[test]
    fn entries_expire_and_can_be_forgotten() {
        let cache = AuthCache::new(Duration::from_millis(50));
        cache.put(token_key("a"), cached());
        assert!(cache.get(&token_key("a")).is_some());
        assert!(cache.get(&session_key("a")).is_none(), "kinds do not mix");
        cache.forget(&token_key("a"));
        assert!(cache.get(&token_key("a")).is_none());
        cache.put(token_key("b"), cached());
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get(&token_key("b")).is_none(), "expired");
        cache.put(token_key("c"), cached());
        cache.forget_member(Uuid::nil(), Uuid::max());
        assert!(
            cache.get(&token_key("c")).is_some(),
            "another member's entry stays"
        );
        cache.forget_member(Uuid::nil(), Uuid::nil());
        assert!(cache.get(&token_key("c")).is_none());
    }
}
