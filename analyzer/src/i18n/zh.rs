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
    ("evidence.no-container-named", "没有此名称的容器"),
    ("evidence.no-container-labelled", "没有带此标签的容器"),
    ("evidence.no-answer", "无响应"),
    ("evidence.heartbeat-key-missing", "心跳键不存在"),
    // 时钟校准：每个偏移的来源。
    (
        "clock.db-session-zone",
        "数据库会话时钟为 UTC{offset}：采集器会话的时区为 {zone}。",
    ),
    (
        "clock.db-session-measured",
        "数据库会话时钟为 UTC{offset}：会话时区 {zone}，NOW() {now} 对比 UTC_TIMESTAMP() {utc_now}。",
    ),
    (
        "clock.db-session-collected",
        "数据库会话时钟为 UTC{offset}：会话时区 {zone}，NOW() {now} 对比采集开始时间 {collected_at}。",
    ),
    (
        "clock.db-session-assumed",
        "假定数据库会话时钟为 UTC{offset}，即后端为自身连接设置的时区。",
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
