//! The postpaid (pay-as-you-go) account (R-LIFE-08, R-LIFE-09), one job a
//! file: the policy, the types, how events move the state, the status at
//! an instant, what time brings, and the decider. Each file imports only
//! those before it in that list (the decider imports them all).

mod decider;
mod evolve;
mod policy;
mod schedule;
mod state;
mod status;

pub use decider::PostpaidAccount;
pub use policy::{ArrearsReminderSpec, ArrearsTrigger, PostpaidPolicy, PostpaidPolicySpec};
pub use state::{
    Arrears, ArrearsCause, ArrearsReminder, PostpaidCommand, PostpaidEvent, PostpaidState, Standing,
};
pub use status::PostpaidStatus;
