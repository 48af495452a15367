//! Polls each page request with its render's reactive owner as the thread's current owner.
//!
//! After rendering a page, Leptos names the WASM chunks of its lazily loaded routes in the head as
//! preloads. It looks up the chunk manifest, the CSP nonce and the head's collector through the
//! worker thread's *current* owner, which at that point is whichever render the thread ran
//! last: often another request's, or one already dropped. So some renders lacked their preloads
//! (a fifth of them one at a time, half under concurrent load) and some could have sent theirs to
//! another page's head. The render notes its owner as it starts (`remember_render_owner`, from
//! the render's context function); every later poll of the request runs inside that owner, so the
//! lookup finds this render's own.
//!
//! The owner must be the render's own, not one made here: each root owner has its own arena of
//! reactive values, and polling the render in another's made its signals unreachable.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use leptos::prelude::Owner;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

type Slot = Arc<Mutex<Option<Owner>>>;

tokio::task_local! {
    /// Where the current page request's render notes its owner.
    static RENDER_OWNER: Slot;
}

/// Middleware around the page routes.
pub async fn scope(req: Request, next: Next) -> Response {
    let slot = Slot::default();
    WithRenderOwner {
        slot: slot.clone(),
        inner: Box::pin(RENDER_OWNER.scope(slot, next.run(req))),
    }
    .await
}

/// Called with the render's owner current (from the render's context function).
pub fn remember_render_owner() {
    let _ = RENDER_OWNER.try_with(|slot| {
        *slot.lock().unwrap_or_else(|e| e.into_inner()) = Owner::current();
    });
}

/// A future polled inside the render's owner once the render has named it.
struct WithRenderOwner<F> {
    slot: Slot,
    inner: Pin<Box<F>>,
}

impl<F: Future> Future for WithRenderOwner<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        let owner = this.slot.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match owner {
            Some(owner) => owner.with(|| this.inner.as_mut().poll(cx)),
            None => this.inner.as_mut().poll(cx),
        }
    }
}
