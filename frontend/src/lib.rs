//! The WASM entry point: hydrates the server-rendered page.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panics go to the browser console with their message (a lighter stand-in for
    // console_error_panic_hook, which also captures a JS stack trace).
    std::panic::set_hook(Box::new(|info| {
        leptos::web_sys::console::error_1(&info.to_string().into());
    }));
    // Hydration waits for the current page's code chunk (see `app::lazy_pages`) before it walks
    // the server's HTML, so it runs as a task.
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document()
            .body()
            .expect("a page always has a body");
        leptos::mount::hydrate_from_async(body, app::App)
            .await
            .forget();
        // A marker for tests (and curious people) that the page is interactive now.
        if let Some(body) = leptos::prelude::document().body() {
            let _ = body.set_attribute("data-hydrated", "yes");
        }
    });
}
