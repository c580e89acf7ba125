//! The plenary synthesis and the follow-up of commitments: their vocabularies and lifecycles.

use crate::domain::kinds::vocabulary;

vocabulary! {
    /// What the secretariat records from the discussions.
    OutcomeKind {
        Agreement => "agreement",
        Disagreement => "disagreement",
        ConvergentConclusion => "convergent_conclusion",
        GloballyApplicable => "globally_applicable",
        GeneralRecommendation => "general_recommendation",
    }
}

vocabulary! {
    /// An outcome's way to the co-facilitators of the Global Compact.
    OutcomeStatus {
        Draft => "draft",
        Adopted => "adopted",
        Transmitted => "transmitted",
    }
}

vocabulary! {
    /// Where a commitment stands.
    ProgressStatus {
        Planned => "planned",
        InProgress => "in_progress",
        Achieved => "achieved",
        Discontinued => "discontinued",
    }
}

vocabulary! {
    /// What dashboard counts can be grouped by.
    StatsDimension {
        Kind => "kind",
        Status => "status",
        Region => "region",
        OrgKind => "org_kind",
        Session => "session",
        Segment => "segment",
        Group => "group",
        Theme => "theme",
        Organisation => "organisation",
    }
}

impl OutcomeStatus {
    pub fn adopt(self) -> Option<OutcomeStatus> {
        (self == OutcomeStatus::Draft).then_some(OutcomeStatus::Adopted)
    }

    pub fn transmit(self) -> Option<OutcomeStatus> {
        (self == OutcomeStatus::Adopted).then_some(OutcomeStatus::Transmitted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_go_draft_adopted_transmitted() {
        assert_eq!(OutcomeStatus::Draft.adopt(), Some(OutcomeStatus::Adopted));
        assert_eq!(OutcomeStatus::Adopted.transmit(), Some(OutcomeStatus::Transmitted));
        assert_eq!(OutcomeStatus::Draft.transmit(), None);
        assert_eq!(OutcomeStatus::Transmitted.adopt(), None);
    }
}
