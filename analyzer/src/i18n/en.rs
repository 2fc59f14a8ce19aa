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
    // Clock calibration: how each offset was found.
    (
        "clock.db-session-zone",
        "DB session clock is UTC{offset}: the collector's session time zone is {zone}.",
    ),
    (
        "clock.db-session-measured",
        "DB session clock is UTC{offset}: session zone {zone}, NOW() {now} against UTC_TIMESTAMP() {utc_now}.",
    ),
    (
        "clock.db-session-collected",
        "DB session clock is UTC{offset}: session zone {zone}, NOW() {now} against the collection start {collected_at}.",
    ),
    (
        "clock.db-session-assumed",
        "DB session clock is assumed UTC{offset}, the zone the backend sets on its own connections.",
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
