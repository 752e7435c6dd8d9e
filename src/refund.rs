//! Refund eligibility (R-REF-01..04).
