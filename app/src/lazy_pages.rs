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

/// A route whose page is loaded on demand. `data()` holds nothing: every page starts its own
/// requests as it renders. `preload` fetches the chunk before the router renders the page: when
/// the browser takes over a server-rendered page, the view must be ready at once to match the
/// HTML (`#[lazy]` writes the preload function, in the browser build only).
macro_rules! lazy_route {
    ($route:ident, $load:expr, $preload:ident) => {
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
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
