//! The scopes of the contract.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    ConsultationRead,
    ContributionsRead,
    ContributionsWrite,
    SyncRead,
    Review,
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::ConsultationRead,
        Scope::ContributionsRead,
        Scope::ContributionsWrite,
        Scope::SyncRead,
        Scope::Review,
        Scope::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ConsultationRead => "consultation:read",
            Scope::ContributionsRead => "contributions:read",
            Scope::ContributionsWrite => "contributions:write",
            Scope::SyncRead => "sync:read",
            Scope::Review => "review",
            Scope::Admin => "admin",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s).ok_or_else(|| format!("unknown scope `{s}`"))
    }
}
