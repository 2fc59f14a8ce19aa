//! English message catalogue of the engine: verdicts, summaries, clock calibration,
//! timeline events and collection state. Rule texts live in each rule's file.

pub static MESSAGES: &[(&str, &str)] = &[
    ("verdict.completed", "completed"),
    ("verdict.failed", "failed"),
    ("verdict.cancelled", "cancelled"),
    ("verdict.running", "running"),
    ("verdict.stuck", "stuck"),
    ("verdict.not_found", "not found"),
    ("verdict.inconclusive", "inconclusive"),
    // Summaries: one sentence each.
    (
        "summary.inconclusive-db-failed",
        "Task {task} cannot be judged because the database source failed during collection.",
    ),
    (
        "summary.inconclusive-no-task-member",
        "Task {task} cannot be judged because the bundle holds no task row (db/task.json is missing).",
    ),
    (
        "summary.inconclusive-no-status",
        "Task {task} cannot be judged because neither the task row nor a subtask states a status.",
    ),
    (
        "summary.not-found",
        "Task {task} does not exist in the tasks table.",
    ),
    (
        "summary.stuck",
        "Task {task} claims {status} but cannot progress; the primary finding is {rule}.",
    ),
    (
        "summary.stuck-no-rule",
        "Task {task} claims {status} but cannot progress.",
    ),
    (
        "summary.running",
        "Task {task} is {status} and shows no sign of being stuck.",
    ),
    (
        "summary.running-with-warning",
        "Task {task} is {status} and not stuck, but {rule} needs attention.",
    ),
    (
        "summary.failed",
        "Task {task} failed; no rule found a cause beyond its error message.",
    ),
    (
        "summary.failed-with-error",
        "Task {task} failed with the error \"{error}\"; no rule found a more specific cause.",
    ),
    (
        "summary.failed-explained",
        "Task {task} failed; {rule} explains the failure.",
    ),
    ("summary.cancelled", "Task {task} was cancelled or deleted."),
    ("summary.completed", "Task {task} completed."),
    (
        "summary.completed-with-warning",
        "Task {task} completed, but {rule} needs attention.",
    ),
    // A manual status fix that the operator runs by hand.
    (
        "manual.mark-failed",
        "To end the task by hand, either cancel it in the Wegent UI, or mark it FAILED in the database. This is a manual \
         write: back up both tables first (`mysqldump <database> tasks subtasks > wegent-task-{task}-backup.sql`), then run \
         `UPDATE subtasks SET status = 'FAILED', error_message = 'marked failed by hand: {reason}' WHERE id = {subtask};` \
         and `UPDATE tasks SET json = JSON_SET(json, '$.status.status', 'FAILED') WHERE id = {task};`. The user can then \
         send the message again.",
    ),
    // Next steps of a task that the database does not hold.
    (
        "verdict.not-found-next-id",
        "Check the task id {task}: it is the number in the task's address in the Wegent web UI, not a subtask or message id.",
    ),
    (
        "verdict.not-found-next-deleted",
        "Check whether the task was deleted: collect reads the row whatever its is_active, so a task soft-deleted in the UI (is_active = 0) would have been found, and a missing row means it was removed from the database or never existed there. Confirm with `SELECT id, is_active, updated_at FROM tasks WHERE id = {task};`.",
    ),
    (
        "verdict.not-found-next-database",
        "Check that collect read this deployment's database: compare the MySQL options in manifest.json (`options`) with the deployment that shows the task, and collect again with the right --mysql-container.",
    ),
    // Evidence notes: what the analyzer observed beyond an excerpt.
    ("evidence.no-container-named", "no container with this name"),
    (
        "evidence.no-container-labelled",
        "no container carries this label",
    ),
    ("evidence.no-answer", "no response"),
    (
        "evidence.heartbeat-key-missing",
        "the heartbeat key is missing",
    ),
    // A symptom whose cause another finding states.
    (
        "finding.next-see-cause",
        "The {rule} finding states the cause of this one: follow its next steps first.",
    ),
    // Clock calibration: how each offset was found.
    (
        "clock.db-session-backend",
        "DB session clock of backend connections is UTC{offset}: the backend sets this zone on every connection it \
         opens, whatever the MySQL server's default zone or the collector's session shows.",
    ),
    (
        "clock.db-server-in-step",
        "The MySQL server clock agrees with the collecting host: UTC_TIMESTAMP() {utc_now} against the collection \
         start {collected_at}.",
    ),
    (
        "clock.db-server-behind",
        "The MySQL server clock is {drift} behind the collecting host: UTC_TIMESTAMP() {utc_now} against the \
         collection start {collected_at}.",
    ),
    (
        "clock.db-server-ahead",
        "The MySQL server clock is {drift} ahead of the collecting host: UTC_TIMESTAMP() {utc_now} against the \
         collection start {collected_at}.",
    ),
    (
        "clock.backend-calibrated",
        "Backend clock is UTC{offset}: subtask {subtask} was created at {created_at} (DB session clock, UTC{session}) and got \
         completed_at {completed_at} (backend clock) in the same instant.",
    ),
    (
        "clock.backend-from-logs",
        "Backend clock is UTC{offset}, measured from {lines} lines of {member} that carry both Docker's UTC time and the \
         application's own time.",
    ),
    (
        "clock.backend-assumed",
        "Backend clock is assumed UTC{offset}: no pending or running subtask and no backend log allowed a measurement.",
    ),
    (
        "clock.em-measured",
        "Executor-manager and executor logs are UTC{offset}, measured from {lines} lines of {member} that carry both Docker's \
         UTC time and the application's own time.",
    ),
    (
        "clock.em-assumed",
        "Executor-manager and executor logs are assumed UTC{offset} (Asia/Shanghai, their configured zone).",
    ),
    // Timeline events.
    ("timeline.task-created", "task {task} created"),
    (
        "timeline.task-updated",
        "task {task} last updated, status {status}",
    ),
    ("timeline.subtask-created", "subtask {id} ({role}) created"),
    (
        "timeline.subtask-updated",
        "subtask {id} last updated, status {status}, progress {progress}",
    ),
    (
        "timeline.subtask-completed",
        "subtask {id} finished as {status}",
    ),
    ("timeline.container-created", "container {name} created"),
    ("timeline.container-started", "container {name} started"),
    (
        "timeline.container-finished",
        "container {name} exited with code {code}",
    ),
    (
        "timeline.container-oom-killed",
        "container {name} killed for memory (exit code {code})",
    ),
    ("timeline.log-line", "line {line}: {text}"),
    ("timeline.collected", "bundle collected"),
    // Collection state.
    (
        "collection.complete",
        "Every source was collected completely.",
    ),
    (
        "collection.incomplete",
        "Some sources failed or were cut short: {sources}. Findings that need them may be missing.",
    ),
];
