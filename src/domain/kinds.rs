//! Closed vocabularies of the contract, stored as their snake_case names.

/// Declares a closed vocabulary: serde, GraphQL and OpenAPI see the same snake_case names.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema, async_graphql::Enum)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the contract's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::domain::kinds::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(crate::domain::kinds::UnknownValue {
                        value: s.to_owned(),
                        allowed: &[$($text),+],
                    }),
                }
            }
        }
    };
}

pub(crate) use vocabulary;

/// A value outside a closed vocabulary, with the values that are allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value `{value}`; expected one of: {}", allowed.join(", "))]
pub struct UnknownValue {
    pub value: String,
    pub allowed: &'static [&'static str],
}

vocabulary! {
    /// How a part of a session is held.
    SegmentKind {
        Discussion => "discussion",
        Breakout => "breakout",
        Plenary => "plenary",
    }
}

vocabulary! {
    /// The regions used as a facet on organisations, groups and contributions.
    Region {
        Africa => "africa",
        Americas => "americas",
        Asia => "asia",
        Europe => "europe",
        Oceania => "oceania",
        MiddleEast => "middle_east",
        Global => "global",
    }
}

vocabulary! {
    /// What kind of partner an organisation is.
    OrgKind {
        UnRegionalCommission => "un_regional_commission",
        RegionalIgo => "regional_igo",
        Ngo => "ngo",
        Academia => "academia",
        PrivateSector => "private_sector",
        Rcp => "rcp",
        InterregionalForum => "interregional_forum",
        GlobalProcess => "global_process",
        MemberState => "member_state",
        UnAgency => "un_agency",
        Secretariat => "secretariat",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_serde() {
        for kind in OrgKind::ALL {
            assert_eq!(kind.as_str().parse::<OrgKind>(), Ok(*kind));
            assert_eq!(serde_json::to_value(kind).ok(), Some(serde_json::json!(kind.as_str())));
        }
        let err = "planet".parse::<Region>().err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "unknown value `planet`; expected one of: africa, americas, asia, europe, oceania, middle_east, global"
            )
        );
    }
}
