//! Live updates: the server pushes every committed dialogue event over server-sent
//! events (`/events/queue`), fed by PostgreSQL LISTEN/NOTIFY so every server process
//! sees every change. Pages key their resources on the returned counter.

use leptos::prelude::*;

/// The signed-in shell's one connection, shared by the top bar and the page.
#[derive(Clone, Copy)]
struct LiveEvents(ReadSignal<u64>);

/// Opens the live connection for everything below (the shell calls this once).
pub fn provide_queue_events() {
    provide_context(LiveEvents(open()));
}

/// A counter that goes up with every dialogue event anyone causes, anywhere: the shell's
/// shared one, or a connection of its own outside the shell.
pub fn use_queue_events() -> ReadSignal<u64> {
    use_context::<LiveEvents>().map(|l| l.0).unwrap_or_else(open)
}

fn open() -> ReadSignal<u64> {
    let (events, set_events) = signal(0u64);
    #[cfg(feature = "hydrate")]
    {
        use futures::StreamExt;
        use gloo_net::eventsource::futures::EventSource;
        match EventSource::new("/events/queue") {
            Ok(mut source) => match source.subscribe("message") {
                Ok(mut stream) => {
                    leptos::task::spawn_local(async move {
                        while let Some(Ok(_)) = stream.next().await {
                            set_events.update(|n| *n += 1);
                        }
                    });
                    // Closing the source ends the stream, and with it the task above.
                    let source = send_wrapper::SendWrapper::new(source);
                    on_cleanup(move || source.take().close());
                }
                Err(err) => leptos::logging::warn!("live updates unavailable: {err}"),
            },
            Err(err) => leptos::logging::warn!("live updates unavailable: {err}"),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = set_events;
    events
}
