//! What every request handler and server function reaches: the database, the throttles and
//! which proxies to believe about client addresses.

use crate::server::client_ip::TrustedProxies;
use crate::server::service::auth_cache::AuthCache;
use crate::server::service::login_throttle::LoginThrottle;
use crate::server::service::mailer::Mailer;
use crate::server::service::signup_throttle::SignupThrottle;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Cheap to clone, as axum clones the state for every middleware and handler of every request:
/// one shared `SharedState`. Cloned whole, with the Leptos options (a dozen strings) and the
/// database handle, copying and freeing it took 7% of the server's time under a load of creates.
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

#[derive(Clone)]
pub struct SharedState {
    pub db: DatabaseConnection,
    pub leptos_options: LeptosOptions,
    pub login_throttle: Arc<LoginThrottle>,
    pub signup_throttle: Arc<SignupThrottle>,
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Resolved credentials, briefly (see `auth_cache`).
    pub auth_cache: Arc<AuthCache>,
    /// The largest CSV file an import takes (every other request body stays small).
    pub import_max_bytes: usize,
    /// Sends invitations when SMTP is configured.
    pub mailer: Arc<Mailer>,
    /// The app's address as people reach it (`LEADS_PUBLIC_URL`), for links in mail; when
    /// unset, taken from each request's Host.
    pub public_url: Option<String>,
}

/// 256 MiB: a few million contacts.
pub const DEFAULT_IMPORT_MAX_BYTES: usize = 256 * 1024 * 1024;

impl AppState {
    pub fn new(db: DatabaseConnection, leptos_options: LeptosOptions) -> Self {
        Self(Arc::new(SharedState {
            db,
            leptos_options,
            login_throttle: Arc::new(LoginThrottle::default()),
            signup_throttle: Arc::new(SignupThrottle::default()),
            trusted_proxies: Arc::new(TrustedProxies::default()),
            auth_cache: Arc::new(AuthCache::default()),
            import_max_bytes: DEFAULT_IMPORT_MAX_BYTES,
            mailer: Arc::new(Mailer::disabled()),
            public_url: None,
        }))
    }

    /// Changes a setting while the server is being put together (copies the shared state if
    /// it is already shared, which it is not then).
    fn edit(mut self, change: impl FnOnce(&mut SharedState)) -> Self {
        change(Arc::make_mut(&mut self.0));
        self
    }

    pub fn with_mailer(self, mailer: Mailer) -> Self {
        self.edit(|s| s.mailer = Arc::new(mailer))
    }

    pub fn with_public_url(self, url: Option<String>) -> Self {
        self.edit(|s| s.public_url = url.map(|u| u.trim_end_matches('/').to_owned()))
    }

    /// The base of links the app hands out: the configured address, else the request's own
    /// (its Host, and https when the request came over TLS or a proxy says so).
    pub fn base_url(&self, headers: &axum::http::HeaderMap) -> String {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
            .unwrap_or("localhost");
        let scheme = if crate::server::session_cookie::is_https(headers) {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{host}")
    }

    pub fn with_signups_per_minute(self, per_minute: usize) -> Self {
        self.edit(|s| s.signup_throttle = Arc::new(SignupThrottle::new(per_minute)))
    }

    pub fn with_import_max_bytes(self, bytes: usize) -> Self {
        self.edit(|s| s.import_max_bytes = bytes)
    }

    pub fn with_trusted_proxies(self, proxies: TrustedProxies) -> Self {
        self.edit(|s| s.trusted_proxies = Arc::new(proxies))
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
