//! `policy_spec!`: the serde and conversion wiring every policy shares.

/// Wires a policy to its spec, the one way every policy is built
/// (`Policy::try_from(Spec)`, `to_spec()` the inverse):
///
/// - serde reads the spec, then builds the policy with its hand-written
///   `TryFrom<Spec, Error = PolicyError>`, so reading a policy validates it
///   and a refusal reads as the `PolicyError`'s message (what serde's
///   `try_from` attribute does);
/// - serde writes the spec (what its `into` attribute does, without
///   cloning the policy first);
/// - `From<Policy> for Spec` gives the spec back.
///
/// Two forms, by what the policy keeps:
///
/// - `policy_spec!(Policy => Spec, kept in field)`: the policy keeps the
///   checked spec in `field`; the macro also writes `Policy::to_spec`, a
///   copy of it. Use it when the rules read the spec's fields as they are.
/// - `policy_spec!(Policy => Spec)`: the policy holds what it derived from
///   the spec (money in its currency, a built tier table) and writes its
///   own `to_spec`, which rebuilds the spec.
///
/// The policy derives neither `Serialize` nor `Deserialize`; the spec
/// derives both.
macro_rules! policy_spec {
    ($policy:ident => $spec:ident, kept in $field:ident) => {
        impl $policy {
            #[doc = concat!(
                "The spec of this policy; `", stringify!($policy),
                "::try_from(p.to_spec())` gives back `p`."
            )]
            pub fn to_spec(&self) -> $spec {
                self.$field.clone()
            }
        }

        impl ::std::convert::From<$policy> for $spec {
            fn from(policy: $policy) -> $spec {
                policy.$field
            }
        }

        impl ::serde::Serialize for $policy {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                ::serde::Serialize::serialize(&self.$field, serializer)
            }
        }

        $crate::policy::policy_spec!(@read $policy => $spec);
    };
    ($policy:ident => $spec:ident) => {
        impl ::std::convert::From<$policy> for $spec {
            fn from(policy: $policy) -> $spec {
                policy.to_spec()
            }
        }

        impl ::serde::Serialize for $policy {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                ::serde::Serialize::serialize(&self.to_spec(), serializer)
            }
        }

        $crate::policy::policy_spec!(@read $policy => $spec);
    };
    (@read $policy:ident => $spec:ident) => {
        impl<'de> ::serde::Deserialize<'de> for $policy {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<$policy, D::Error> {
                let spec = <$spec as ::serde::Deserialize>::deserialize(deserializer)?;
                <$policy as ::std::convert::TryFrom<$spec>>::try_from(spec)
                    .map_err(::serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use policy_spec;
