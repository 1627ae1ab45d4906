//! What only the browser can tell (the time now, the site's origin, a fresh request key), with the value the server renders in its place.


/// Milliseconds since the epoch in the browser (0 on the server, where nobody types).
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// A fresh key for one confirmed request (the server keeps what it sent under it).
pub fn request_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        format!("{:x}{:x}", (js_sys::Math::random() * 1e15) as u64, js_sys::Date::now() as u64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::from("server-rendered")
    }
}

/// This site's origin (`https://help.example.com`), for links customers open elsewhere.
pub fn origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::window().location().origin().unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}
