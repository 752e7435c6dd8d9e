//! [`PolicyRef`]: what the engine takes as a command's policy, a bare
//! policy or one [`Pinned`] to the fingerprint of the spec it was read from.

use serde::Serialize;

use crate::Fingerprint;
use crate::FingerprintError;

/// The policy a command is decided under, and the fingerprint recorded
/// with what it decided ([`Commit::policy`](crate::engine::Commit::policy),
/// [`KeyRecord::policy`](crate::engine::KeyRecord::policy)).
///
/// A bare policy `P` is a `PolicyRef<P>` with [`Fingerprint::ZERO`] ("not
/// fingerprinted"); a [`Pinned<P>`] carries the fingerprint of the spec it
/// was built from, stable across processes, so an audit of a rolling deploy
/// can tell which policy version decided each commit.
pub trait PolicyRef<P> {
    /// The policy.
    fn policy(&self) -> &P;
    /// Its fingerprint.
    fn fingerprint(&self) -> Fingerprint;
}

impl<P> PolicyRef<P> for P {
    fn policy(&self) -> &P {
        self
    }

    fn fingerprint(&self) -> Fingerprint {
        Fingerprint::ZERO
    }
}

/// A policy with the fingerprint of the spec JSON it was built from.
///
/// ```
/// use billing_rules::engine::Pinned;
/// use billing_rules::payment::PaymentPolicy;
/// use billing_rules::{presets, Fingerprint};
///
/// let spec = presets::cloud_payment_spec();
/// let pinned = Pinned::from_spec(&spec, PaymentPolicy::try_from(spec.clone())?)?;
/// assert_eq!(pinned.fingerprint(), Fingerprint::of(&spec)?);
/// assert_ne!(pinned.fingerprint(), Fingerprint::ZERO);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinned<P> {
    policy: P,
    fingerprint: Fingerprint,
}

impl<P> Pinned<P> {
    /// `policy` pinned to the fingerprint of `spec`'s JSON (the spec it was
    /// built from).
    ///
    /// # Errors
    /// The spec could not be serialized.
    pub fn from_spec<S: Serialize + ?Sized>(
        spec: &S,
        policy: P,
    ) -> Result<Pinned<P>, FingerprintError> {
        Ok(Pinned {
            fingerprint: Fingerprint::of(spec)?,
            policy,
        })
    }

    /// `policy` with a fingerprint computed elsewhere (read back from a
    /// config store).
    pub fn new(policy: P, fingerprint: Fingerprint) -> Pinned<P> {
        Pinned {
            policy,
            fingerprint,
        }
    }

    /// The policy.
    pub fn policy(&self) -> &P {
        &self.policy
    }

    /// The fingerprint of its spec.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// The policy, by value.
    pub fn into_policy(self) -> P {
        self.policy
    }
}

impl<P> PolicyRef<P> for Pinned<P> {
    fn policy(&self) -> &P {
        &self.policy
    }

    fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }
}

/// A shared policy (one `Arc` per policy in a service's config) is its
/// policy, not fingerprinted.
impl<P> PolicyRef<P> for std::sync::Arc<P> {
    fn policy(&self) -> &P {
        self
    }

    fn fingerprint(&self) -> Fingerprint {
        Fingerprint::ZERO
    }
}

/// A shared pinned policy keeps its fingerprint.
impl<P> PolicyRef<P> for std::sync::Arc<Pinned<P>> {
    fn policy(&self) -> &P {
        &self.policy
    }

    fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }
}
