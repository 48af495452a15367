//! The whole application, compiled twice: with `ssr` into the server, with `hydrate` into the
//! browser. Server-only code lives under `server`, which the WASM build never sees.

pub mod api;
pub mod components;
pub mod domain;
pub mod lazy_pages;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use crate::components::app_header::{AppHeader, provide_current_user};
use crate::lazy_pages::{
    AccountRoute, ContactRoute, ContactsRoute, ForgotPasswordRoute, ImportRoute, InviteRoute,
    MembersRoute, ResetPasswordRoute, SignupRoute, TokensRoute,
};
use crate::pages::home::HomePage;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, SsrMode, path};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    server::page_headers::set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href="/pkg/leads.css"/>
        <Title text="Leads"/>
        <Router>
            <Shell/>
        </Router>
    }
}

/// Everything inside the router: the header needs the location for the signed-in user.
#[component]
fn Shell() -> impl IntoView {
    provide_current_user();
    view! {
        <AppHeader/>
        <main class="page">
            <Routes fallback=NotFound>
                <Route path=path!("") view=HomePage/>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/signup") view={Lazy::<SignupRoute>::new()}/>
                <Route path=path!("/forgot-password") view={Lazy::<ForgotPasswordRoute>::new()}/>
                <Route path=path!("/reset-password/:secret") view={Lazy::<ResetPasswordRoute>::new()}/>
                // Async: the whole page (data, redirect or 404 status) is known before it is sent.
                <Route path=path!("/contacts") view={Lazy::<ContactsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/contacts/import") view={Lazy::<ImportRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/contacts/:id") view={Lazy::<ContactRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/invite/:secret") view={Lazy::<InviteRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/settings/members") view={Lazy::<MembersRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/settings/tokens") view={Lazy::<TokensRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/settings/account") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async/>
            </Routes>
        </main>
    }
}
