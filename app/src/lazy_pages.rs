//! The pages behind sign-in and the rarely visited ones, compiled into WASM chunks that the
//! browser fetches when such a page is first shown. The main bundle keeps only the shell, the
//! router and the pages a visitor sees first (home, sign-in, not found), so a first visit
//! downloads a fraction of the client. On the server every route renders as before.
//!
//! Pages are grouped into five loads (contacts, one contact, import, settings, account flows):
//! every load point multiplies the chunks the build cuts and optimises one by one, and the pages
//! of a group are small and visited together.

use leptos::lazy;
use leptos::prelude::*;
use leptos_router::LazyRoute;

#[lazy]
fn contacts_page() -> AnyView {
    crate::pages::contacts::ContactsPage().into_any()
}

#[lazy]
fn contact_page() -> AnyView {
    crate::pages::contact::ContactPage().into_any()
}

#[lazy]
fn import_page() -> AnyView {
    crate::pages::import::ImportPage().into_any()
}

#[derive(Clone, Copy)]
enum Settings {
    Members,
    Tokens,
    Account,
}

#[lazy]
fn settings_page(page: Settings) -> AnyView {
    use crate::pages::{settings_account, settings_members, settings_tokens};
    match page {
        Settings::Members => settings_members::MembersPage().into_any(),
        Settings::Tokens => settings_tokens::TokensPage().into_any(),
        Settings::Account => settings_account::AccountPage().into_any(),
    }
}

#[derive(Clone, Copy)]
enum AccountFlow {
    Signup,
    ForgotPassword,
    ResetPassword,
    Invite,
}

#[lazy]
fn account_flow_page(page: AccountFlow) -> AnyView {
    use crate::pages::{invite, password_reset, signup};
    match page {
        AccountFlow::Signup => signup::SignupPage().into_any(),
        AccountFlow::ForgotPassword => password_reset::ForgotPasswordPage().into_any(),
        AccountFlow::ResetPassword => password_reset::ResetPasswordPage().into_any(),
        AccountFlow::Invite => invite::InvitePage().into_any(),
    }
}

/// The WASM chunks of each `#[lazy]` load, from the build's split manifest, which the server
/// provides to every render.
///
/// Each route names its load's chunks in the page's head as the router chooses it, so the browser
/// fetches them beside the main bundle rather than after it. (Leptos adds such links itself only
/// when it finds the manifest through whichever reactive owner its thread ran last, after the
/// render: on some renders, not all.)
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Default)]
pub struct ChunkManifest(std::sync::Arc<std::collections::HashMap<String, Vec<String>>>);

#[cfg(feature = "ssr")]
impl ChunkManifest {
    /// The loader of the chunks, under this name while file hashing is off (the default).
    const LOADER: &str = "__wasm_split.______________________.js";

    /// `__wasm_split_manifest.json`: each load's name to the chunks it needs.
    pub fn parse(json: &[u8]) -> Result<Self, serde_json::Error> {
        Ok(Self(std::sync::Arc::new(serde_json::from_slice(json)?)))
    }

    /// The chunks of the load `load`, which the manifest names `<load>_<hash of its place>`.
    pub fn chunks_of(&self, load: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(name, _)| {
                name.strip_prefix(load)
                    .and_then(|rest| rest.strip_prefix('_'))
                    .is_some_and(|hash| {
                        !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_digit())
                    })
            })
            .flat_map(|(_, chunks)| chunks.iter().map(String::as_str))
            .collect()
    }
}

/// Adds preload links for `load`'s chunks (and their loader) to the page's head.
#[cfg(feature = "ssr")]
fn preload_chunks_of(load: &str) {
    use leptos_meta::Link;
    let Some(manifest) = use_context::<ChunkManifest>() else {
        return;
    };
    let chunks = manifest.chunks_of(load);
    if chunks.is_empty() {
        return;
    }
    // Rendering a head tag registers it with the page's head (leptos_meta); the HTML is unused.
    for chunk in chunks {
        let _ = view! {
            <Link
                rel="preload"
                href=format!("/pkg/{chunk}.wasm")
                as_="fetch"
                type_="application/wasm"
                crossorigin="anonymous"
            />
        }
        .to_html();
    }
    let _ = view! {
        <Link rel="modulepreload" href=format!("/pkg/{}", ChunkManifest::LOADER) crossorigin="anonymous"/>
    }
    .to_html();
}

/// A route whose page is loaded on demand: `lazy_route!(Route, load(argument), preload function)`.
///
/// `data()` holds nothing (every page starts its own requests as it renders); on the server it
/// names the load's chunks in the head (`#[lazy]` names the preload function `__preload_<load>`).
/// `preload` fetches the chunk before the router renders the page: when the browser takes over a
/// server-rendered page, the view must be ready at once to match the HTML (`#[lazy]` writes the
/// preload function, in the browser build only).
///
/// One call per route: one call declaring all ten made the split leave 88 KB more in the main
/// bundle (836 against 748 KB raw, same code otherwise).
macro_rules! lazy_route {
    ($route:ident, $load:expr, $preload:ident) => {
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                #[cfg(feature = "ssr")]
                preload_chunks_of(stringify!($preload).trim_start_matches("__preload_"));
                $route
            }

            async fn view(_this: Self) -> AnyView {
                $load.await
            }

            async fn preload() {
                #[cfg(target_arch = "wasm32")]
                $preload().await;
            }
        }
    };
}

lazy_route!(ContactsRoute, contacts_page(), __preload_contacts_page);
lazy_route!(ContactRoute, contact_page(), __preload_contact_page);
lazy_route!(ImportRoute, import_page(), __preload_import_page);
lazy_route!(
    MembersRoute,
    settings_page(Settings::Members),
    __preload_settings_page
);
lazy_route!(
    TokensRoute,
    settings_page(Settings::Tokens),
    __preload_settings_page
);
lazy_route!(
    AccountRoute,
    settings_page(Settings::Account),
    __preload_settings_page
);
lazy_route!(
    SignupRoute,
    account_flow_page(AccountFlow::Signup),
    __preload_account_flow_page
);
lazy_route!(
    ForgotPasswordRoute,
    account_flow_page(AccountFlow::ForgotPassword),
    __preload_account_flow_page
);
lazy_route!(
    ResetPasswordRoute,
    account_flow_page(AccountFlow::ResetPassword),
    __preload_account_flow_page
);
lazy_route!(
    InviteRoute,
    account_flow_page(AccountFlow::Invite),
    __preload_account_flow_page
);

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::ChunkManifest;

    #[test]
    fn a_load_gets_its_own_chunks_and_no_other_loads() {
        let manifest = ChunkManifest::parse(
            br#"{"contact_page_11":["chunk_1","split_contact_page_11"],
                 "contacts_page_22":["chunk_1","split_contacts_page_22"],
                 "contacts_page_extra_3":["split_other"]}"#,
        )
        .unwrap();
        assert_eq!(
            manifest.chunks_of("contacts_page"),
            ["chunk_1", "split_contacts_page_22"]
        );
        assert_eq!(
            manifest.chunks_of("contact_page"),
            ["chunk_1", "split_contact_page_11"]
        );
        assert!(manifest.chunks_of("import_page").is_empty());
    }
}
