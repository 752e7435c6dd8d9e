//! Per-use charges, resource packages, the package wallet and planner,
//! traffic and add-ons (R-USE-01..10).
