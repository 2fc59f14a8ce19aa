//! Diagnosis rules, one per file, registered in catalogue order.
//!
//! The order of [`RULES`] is the order of `docs/rules.md` and the tie-break order of
//! findings with the same severity. Each rule file's `//!` documentation is the text of
//! its `docs/rules.md` section ([`catalogue_doc`]).

pub mod catalogue_doc;

pub mod dispatch_lost;
pub mod executor_alive_no_progress;
pub mod executor_capacity_exhausted;
pub mod executor_deleted_by_cleanup;
pub mod executor_exited;
pub mod executor_exited_without_callback;
pub mod executor_missing;
pub mod executor_oom_killed;
pub mod executor_start_failed;
pub mod heartbeat_lost;
pub mod never_dispatched;
pub mod no_executor_expected;
pub mod orphan_executor;
pub mod stuck_cancelling;

pub mod callback_failed;
pub mod callback_rejected_by_backend;
pub mod clock_skew;
pub mod collection_incomplete;
pub mod errors_in_logs;
pub mod executor_manager_unreachable;
pub mod git_clone_failed;
pub mod model_gateway_unavailable;
pub mod model_not_configured;
pub mod model_request_rejected;
pub mod schema_drift;
pub mod stale_completed_at;
pub mod stale_error_message;
pub mod task_subtask_status_mismatch;
pub mod workspace_has_unreported_work;

mod current_run;
#[cfg(test)]
mod test_support;

#[cfg(test)]
mod catalogue_tests;

use crate::engine::Rule;

/// The rule catalogue, in catalogue order.
pub static RULES: &[&dyn Rule] = &[
    &executor_missing::ExecutorMissing,
    &executor_exited::ExecutorExited,
    &executor_exited_without_callback::ExecutorExitedWithoutCallback,
    &executor_oom_killed::ExecutorOomKilled,
    &executor_alive_no_progress::ExecutorAliveNoProgress,
    &heartbeat_lost::HeartbeatLost,
    &dispatch_lost::DispatchLost,
    &never_dispatched::NeverDispatched,
    &executor_capacity_exhausted::ExecutorCapacityExhausted,
    &executor_start_failed::ExecutorStartFailed,
    &orphan_executor::OrphanExecutor,
    &executor_deleted_by_cleanup::ExecutorDeletedByCleanup,
    &callback_failed::CallbackFailed,
    &callback_rejected_by_backend::CallbackRejectedByBackend,
    &stuck_cancelling::StuckCancelling,
    &model_gateway_unavailable::ModelGatewayUnavailable,
    &model_request_rejected::ModelRequestRejected,
    &model_not_configured::ModelNotConfigured,
    &git_clone_failed::GitCloneFailed,
    &stale_completed_at::StaleCompletedAt,
    &stale_error_message::StaleErrorMessage,
    &task_subtask_status_mismatch::TaskSubtaskStatusMismatch,
    &no_executor_expected::NoExecutorExpected,
    &executor_manager_unreachable::ExecutorManagerUnreachable,
    &workspace_has_unreported_work::WorkspaceHasUnreportedWork,
    &errors_in_logs::ErrorsInLogs,
    &schema_drift::SchemaDrift,
    &clock_skew::ClockSkew,
    &collection_incomplete::CollectionIncomplete,
];
