//! Lifecycle state machines: trials, expiry, grace, suspension, postpaid
//! arrears and licences (R-LIFE-01..10, R-LIC-01..06).
