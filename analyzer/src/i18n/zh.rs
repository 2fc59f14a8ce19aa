//! Simplified Chinese message catalogue of the engine: verdicts, summaries, clock
//! calibration, timeline events and collection state. Rule texts live in each rule's file.

pub static MESSAGES: &[(&str, &str)] = &[
    ("verdict.completed", "已完成"),
    ("verdict.failed", "已失败"),
    ("verdict.cancelled", "已取消"),
    ("verdict.running", "运行中"),
    ("verdict.stuck", "已卡住"),
    ("verdict.not_found", "不存在"),
    ("verdict.inconclusive", "无法判断"),
    // 摘要：每条一句话。
    (
        "summary.inconclusive-db-failed",
        "无法判断任务 {task}：采集时数据库来源失败。",
    ),
    (
        "summary.inconclusive-no-task-member",
        "无法判断任务 {task}：包中没有任务记录（缺少 db/task.json）。",
    ),
    (
        "summary.inconclusive-no-status",
        "无法判断任务 {task}：任务记录和子任务都没有给出状态。",
    ),
    ("summary.not-found", "tasks 表中不存在任务 {task}。"),
    (
        "summary.stuck",
        "任务 {task} 显示为 {status}，但无法继续推进；主要发现是 {rule}。",
    ),
    (
        "summary.stuck-no-rule",
        "任务 {task} 显示为 {status}，但无法继续推进。",
    ),
    (
        "summary.running",
        "任务 {task} 处于 {status}，没有卡住的迹象。",
    ),
    (
        "summary.running-with-warning",
        "任务 {task} 处于 {status}，没有卡住，但 {rule} 需要关注。",
    ),
    (
        "summary.failed",
        "任务 {task} 已失败；除错误信息外，没有规则找到其他原因。",
    ),
    (
        "summary.failed-with-error",
        "任务 {task} 已失败，错误信息为“{error}”；没有规则找到更具体的原因。",
    ),
    (
        "summary.failed-explained",
        "任务 {task} 已失败；{rule} 解释了失败原因。",
    ),
    ("summary.cancelled", "任务 {task} 已被取消或删除。"),
    ("summary.completed", "任务 {task} 已完成。"),
    (
        "summary.completed-with-warning",
        "任务 {task} 已完成，但 {rule} 需要关注。",
    ),
    // 证据注释：分析器在摘录之外观察到的情况。
    // 由运维人员手工执行的状态修正。
    (
        "manual.mark-failed",
        "如需手工结束该任务，可在 Wegent 界面中取消它，或在数据库中将其标记为 FAILED。这是手工写操作：请先备份这两张表\
         （`mysqldump <database> tasks subtasks > wegent-task-{task}-backup.sql`），然后执行 \
         `UPDATE subtasks SET status = 'FAILED', error_message = 'marked failed by hand: {reason}' WHERE id = {subtask};` \
         和 `UPDATE tasks SET json = JSON_SET(json, '$.status.status', 'FAILED') WHERE id = {task};`。之后用户可以重新发送消息。",
    ),
    // 数据库中不存在的任务的后续步骤。
    (
        "verdict.not-found-next-id",
        "检查任务 ID {task}：它是 Wegent 网页中任务地址里的数字，而不是子任务或消息的 ID。",
    ),
    (
        "verdict.not-found-next-deleted",
        "检查任务是否已被删除：collect 读取记录时不看 is_active，因此在界面中软删除（is_active = 0）的任务也会被找到；没有记录说明它已从数据库中移除，或从未存在于该数据库。可用 `SELECT id, is_active, updated_at FROM tasks WHERE id = {task};` 确认。",
    ),
    (
        "verdict.not-found-next-database",
        "确认 collect 读取的是本部署的数据库：将 manifest.json 中的 MySQL 选项（`options`）与显示该任务的部署对照，并用正确的 --mysql-container 重新采集。",
    ),
    ("evidence.no-container-named", "没有此名称的容器"),
    ("evidence.no-container-labelled", "没有带此标签的容器"),
    ("evidence.no-answer", "无响应"),
    ("evidence.heartbeat-key-missing", "心跳键不存在"),
    // 其原因已由另一项发现说明的症状。
    (
        "finding.next-see-cause",
        "{rule} 这项发现说明了本项的原因：请先按其后续步骤处理。",
    ),
    // 时钟校准：每个偏移的来源。
    (
        "clock.db-session-backend",
        "后端连接的数据库会话时钟为 UTC{offset}：后端在打开的每个连接上都设置此时区，与 MySQL 服务器的默认时区及采集器会话的时区无关。",
    ),
    (
        "clock.db-server-in-step",
        "MySQL 服务器时钟与采集主机一致：UTC_TIMESTAMP() 为 {utc_now}，采集开始时间为 {collected_at}。",
    ),
    (
        "clock.db-server-behind",
        "MySQL 服务器时钟比采集主机慢 {drift}：UTC_TIMESTAMP() 为 {utc_now}，采集开始时间为 {collected_at}。",
    ),
    (
        "clock.db-server-ahead",
        "MySQL 服务器时钟比采集主机快 {drift}：UTC_TIMESTAMP() 为 {utc_now}，采集开始时间为 {collected_at}。",
    ),
    (
        "clock.backend-calibrated",
        "后端时钟为 UTC{offset}：子任务 {subtask} 的 created_at 为 {created_at}（数据库会话时钟，UTC{session}），\
         同一时刻写入的 completed_at 为 {completed_at}（后端时钟）。",
    ),
    (
        "clock.backend-from-logs",
        "后端时钟为 UTC{offset}，依据 {member} 中 {lines} 行同时带有 Docker UTC 时间和应用自身时间的日志测得。",
    ),
    (
        "clock.backend-assumed",
        "假定后端时钟为 UTC{offset}：没有等待中或运行中的子任务，也没有可用于测量的后端日志。",
    ),
    (
        "clock.em-measured",
        "executor-manager 与执行器日志为 UTC{offset}，依据 {member} 中 {lines} 行同时带有 Docker UTC 时间和应用自身时间的日志测得。",
    ),
    (
        "clock.em-assumed",
        "假定 executor-manager 与执行器日志为 UTC{offset}（其配置的时区 Asia/Shanghai）。",
    ),
    // 时间线事件。
    ("timeline.task-created", "任务 {task} 创建"),
    (
        "timeline.task-updated",
        "任务 {task} 最后更新，状态 {status}",
    ),
    ("timeline.subtask-created", "子任务 {id}（{role}）创建"),
    (
        "timeline.subtask-updated",
        "子任务 {id} 最后更新，状态 {status}，进度 {progress}",
    ),
    ("timeline.subtask-completed", "子任务 {id} 以 {status} 结束"),
    ("timeline.container-created", "容器 {name} 创建"),
    ("timeline.container-started", "容器 {name} 启动"),
    (
        "timeline.container-finished",
        "容器 {name} 退出，退出码 {code}",
    ),
    (
        "timeline.container-oom-killed",
        "容器 {name} 因内存耗尽被杀死（退出码 {code}）",
    ),
    ("timeline.log-line", "第 {line} 行：{text}"),
    ("timeline.collected", "采集诊断包"),
    // 采集状态。
    ("collection.complete", "所有来源均已完整采集。"),
    (
        "collection.incomplete",
        "部分来源失败或被截断：{sources}。依赖这些来源的发现可能缺失。",
    ),
];
