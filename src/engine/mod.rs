//! The engine: the one place that touches an injected clock and store.
