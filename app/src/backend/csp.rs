//! The Content-Security-Policy of the app's pages.

use leptos::prelude::*;

/// Sends a Content-Security-Policy with this response's nonce: only our own scripts
/// (and the inline hydration scripts Leptos marks with the nonce) run, no inline styles,
/// no framing. `wasm-unsafe-eval` lets the browser compile our WebAssembly.
/// Without a nonce (none was made for this render) the policy is the same but for the
/// nonce: no inline script runs, rather than no policy at all.
pub fn content_security_policy() {
    let Some(res) = use_context::<leptos_axum::ResponseOptions>() else { return };
    let nonce = leptos::nonce::use_nonce().map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; \
         object-src 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
