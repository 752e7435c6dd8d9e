//! The store conformance suite (feature `conformance`) on MemoryStore,
//! through both contracts (issue 13).

use billing_rules::engine::MemoryStore;
use billing_rules::engine::conformance::{check_async_store, check_store};

#[test]
fn memory_store_passes_the_sync_conformance_suite() {
    check_store(MemoryStore::new).unwrap();
}

#[tokio::test]
async fn memory_store_passes_the_async_conformance_suite() {
    check_async_store(|| async { MemoryStore::new() })
        .await
        .unwrap();
}
