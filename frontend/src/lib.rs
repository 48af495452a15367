//! The WASM entry point: hydrates the server-rendered page.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panics go to the browser console with their message (a lighter stand-in for
    // console_error_panic_hook, which also captures a JS stack trace).
    std::panic::set_hook(Box::new(|info| {
        leptos::web_sys::console::error_1(&info.to_string().into());
    }));
    leptos::mount::hydrate_body(app::App);
    // A marker for tests (and curious people) that the page is interactive now.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "yes");
    }
}
