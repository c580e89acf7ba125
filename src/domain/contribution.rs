//! Contributions: their vocabularies, their lifecycle and who may see them.

use crate::domain::kinds::vocabulary;

vocabulary! {
    /// What a contribution offers the consultation.
    ContributionKind {
        GoodPractice => "good_practice",
        Recommendation => "recommendation",
        InnovativeSolution => "innovative_solution",
        CommonApproach => "common_approach",
        Gap => "gap",
        Partnership => "partnership",
        Commitment => "commitment",
        MeansOfImplementation => "means_of_implementation",
        FollowUpReview => "follow_up_review",
    }
}

vocabulary! {
    /// What kind of good practice (good practices only).
    PracticeCategory {
        Policy => "policy",
        Law => "law",
        Project => "project",
        Institution => "institution",
        Fund => "fund",
        Other => "other",
    }
}

vocabulary! {
    /// The geographic reach of a contribution.
    GeographicScope {
        Local => "local",
        National => "national",
        Regional => "regional",
        Interregional => "interregional",
        Global => "global",
    }
}

vocabulary! {
    /// Where a contribution stands in its review.
    Status {
        Draft => "draft",
        Submitted => "submitted",
        ChangesRequested => "changes_requested",
        Published => "published",
        Rejected => "rejected",
        Withdrawn => "withdrawn",
    }
}

vocabulary! {
    /// A reviewer's decision on a submitted contribution.
    ReviewDecision {
        Publish => "publish",
        RequestChanges => "request_changes",
        Reject => "reject",
    }
}

/// A transition the lifecycle does not allow from the current status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a contribution that is {from}")]
pub struct RefusedTransition {
    pub action: &'static str,
    pub from: Status,
}

impl Status {
    /// The owner may edit while the secretariat has not decided.
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Submitted | Status::ChangesRequested)
    }

    pub fn submit(self) -> Result<Status, RefusedTransition> {
        match self {
            Status::Draft | Status::ChangesRequested => Ok(Status::Submitted),
            from => Err(RefusedTransition { action: "submit", from }),
        }
    }

    pub fn review(self, decision: ReviewDecision) -> Result<Status, RefusedTransition> {
        match self {
            Status::Submitted => Ok(match decision {
                ReviewDecision::Publish => Status::Published,
                ReviewDecision::RequestChanges => Status::ChangesRequested,
                ReviewDecision::Reject => Status::Rejected,
            }),
            from => Err(RefusedTransition { action: "review", from }),
        }
    }

    /// The owner may withdraw from any state.
    pub fn withdraw(self) -> Result<Status, RefusedTransition> {
        match self {
            Status::Withdrawn => Err(RefusedTransition { action: "withdraw", from: self }),
            _ => Ok(Status::Withdrawn),
        }
    }
}

/// Who is looking, as far as visibility is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub organisation_id: String,
    /// Holds the `review` scope: sees everything but other organisations' drafts.
    pub reviewer: bool,
}

impl Viewer {
    /// Drafts only to the owner; submitted, changes_requested, rejected and withdrawn to the
    /// owner and reviewers; published to every reader.
    pub fn can_see(&self, owner: &str, status: Status) -> bool {
        status == Status::Published || owner == self.organisation_id || (self.reviewer && status != Status::Draft)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_allows_exactly_the_contract_transitions() {
        use Status::*;
        for from in Status::ALL.iter().copied() {
            assert_eq!(from.submit().is_ok(), matches!(from, Draft | ChangesRequested), "submit from {from}");
            assert_eq!(from.review(ReviewDecision::Publish).is_ok(), from == Submitted, "review from {from}");
            assert_eq!(from.withdraw().is_ok(), from != Withdrawn, "withdraw from {from}");
            assert_eq!(from.editable(), matches!(from, Draft | Submitted | ChangesRequested));
        }
        assert_eq!(Submitted.review(ReviewDecision::RequestChanges), Ok(ChangesRequested));
        assert_eq!(Submitted.review(ReviewDecision::Reject), Ok(Rejected));
    }

    #[test]
    fn visibility_matrix() {
        let owner = Viewer { organisation_id: "o".into(), reviewer: false };
        let other = Viewer { organisation_id: "x".into(), reviewer: false };
        let reviewer = Viewer { organisation_id: "r".into(), reviewer: true };
        for status in Status::ALL.iter().copied() {
            assert!(owner.can_see("o", status));
            assert_eq!(other.can_see("o", status), status == Status::Published);
            assert_eq!(reviewer.can_see("o", status), status != Status::Draft);
        }
    }
}

/// What a list of contributions is narrowed to; every field is optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub consultation: Option<String>,
    pub kind: Option<ContributionKind>,
    pub status: Option<Status>,
    pub session: Option<i32>,
    pub segment: Option<String>,
    pub group: Option<String>,
    pub question: Option<String>,
    pub organisation: Option<String>,
    pub org_kind: Option<crate::domain::OrgKind>,
    pub region: Option<crate::domain::Region>,
    pub theme: Option<String>,
    /// Stored form (see `clock::to_db`).
    pub updated_since: Option<String>,
    pub q: Option<crate::domain::search::Query>,
}

vocabulary! {
    /// What happened to a contribution: the change feed's and the webhooks' event types.
    Event {
        Created => "contribution.created",
        Updated => "contribution.updated",
        Submitted => "contribution.submitted",
        Published => "contribution.published",
        ChangesRequested => "contribution.changes_requested",
        Rejected => "contribution.rejected",
        Withdrawn => "contribution.withdrawn",
        Endorsed => "contribution.endorsed",
    }
}

impl Event {
    /// The event of a move into `status`.
    pub fn of_status(status: Status) -> Event {
        match status {
            Status::Draft => Event::Updated,
            Status::Submitted => Event::Submitted,
            Status::ChangesRequested => Event::ChangesRequested,
            Status::Published => Event::Published,
            Status::Rejected => Event::Rejected,
            Status::Withdrawn => Event::Withdrawn,
        }
    }
}

/// What a follower of the feed receives for one change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedOp {
    /// The contribution is (still) in view: here is its state.
    Upsert,
    /// It left the view (withdrawn, rejected, unpublished): forget it.
    Delete,
}

impl Viewer {
    /// How a change shows in this viewer's feed, if at all.
    pub fn feed_op(&self, owner: &str, before: Option<Status>, after: Status) -> Option<FeedOp> {
        if self.can_see(owner, after) {
            Some(FeedOp::Upsert)
        } else if before.is_some_and(|b| self.can_see(owner, b)) {
            Some(FeedOp::Delete)
        } else {
            None
        }
    }
}
