//! Jobs as the API and the UI see them: long work with its progress, counts and outcome.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum JobState {
    Queued,
    Running,
    /// Asked to stop; it stops after the chunk in hand.
    Cancelling,
    Done,
    Failed,
    Cancelled,
    /// The server stopped while it ran: what was committed before stays, counted.
    Interrupted,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Cancelling => "cancelling",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Interrupted => "interrupted",
        }
    }

    pub fn parse(raw: &str) -> Self {
        match raw {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "cancelling" => Self::Cancelling,
            "done" => Self::Done,
            "cancelled" => Self::Cancelled,
            "interrupted" => Self::Interrupted,
            _ => Self::Failed,
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(
            self,
            Self::Done | Self::Failed | Self::Cancelled | Self::Interrupted
        )
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct JobProgress {
    pub done: u64,
    pub total: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct JobCounts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub failed: u64,
    pub deleted: u64,
}

impl Job {
    /// How people call the job: "Set status", "Delete"…
    pub fn title(&self) -> &'static str {
        match self.kind.as_str() {
            "bulk.delete" => "Delete",
            "import" => "Import",
            "import.revert" => "Undo import",
            "bulk.setStatus" => "Set status",
            "bulk.setAttribute" => "Set attribute",
            "bulk.removeAttribute" => "Remove attribute",
            _ => "Job",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Job {
    pub id: Uuid,
    /// What it does, e.g. `bulk.setStatus`.
    pub kind: String,
    pub state: JobState,
    pub progress: JobProgress,
    pub counts: JobCounts,
    /// Why it failed, or a short summary.
    pub message: String,
    pub created: DateTime<Utc>,
    pub finished: Option<DateTime<Utc>>,
}
