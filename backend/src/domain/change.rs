//! One change a sync job derived for one contact (DESIGN.md §7), as the change log records it.

use std::str::FromStr;

/// What a job did (or, in a dry run, would do) to one contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeAction {
    /// In the filter, not a member: imported into the list.
    Added,
    /// A member whose mapped attributes differ: imported again.
    Updated,
    /// A member no longer in the filter: removed from the list (mirror mode).
    Removed,
    /// Nothing written: no valid address, an address taken, or blocklisted in Brevo.
    Skipped,
    /// A removal the brake held back.
    Held,
}

impl ChangeAction {
    pub const ALL: [ChangeAction; 5] = [
        Self::Added,
        Self::Updated,
        Self::Removed,
        Self::Skipped,
        Self::Held,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Updated => "updated",
            Self::Removed => "removed",
            Self::Skipped => "skipped",
            Self::Held => "held",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown change action {0:?}: expected added, updated, removed, skipped or held")]
pub struct UnknownChangeAction(pub String);

impl FromStr for ChangeAction {
    type Err = UnknownChangeAction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|action| action.as_str() == s)
            .ok_or_else(|| UnknownChangeAction(s.to_owned()))
    }
}

/// One row of the change log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub action: ChangeAction,
    /// Lower-cased; `None` for a person without a valid address.
    pub email: Option<String>,
    /// `None` for a removal (the member is not in the filter).
    pub person_id: Option<i64>,
    /// Why, for `skipped` and `held`; which attributes, for `updated`.
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_through_their_names() {
        for action in ChangeAction::ALL {
            assert_eq!(action.as_str().parse::<ChangeAction>().unwrap(), action);
        }
        assert!("deleted".parse::<ChangeAction>().is_err());
    }
}
