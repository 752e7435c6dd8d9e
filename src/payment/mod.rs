//! Payment methods, switching and invoice routing (R-PAY-01..09).
