-- Wegent schema of the upstream project (August 2026, alembic head f82c5d1a9e37), as
-- SQLAlchemy's create_all() builds it on a fresh install. It has BIGINT task and subtask ids,
-- tasks.client_origin and tasks.is_group_chat, a seven-value subtask status ENUM and a
-- NOT NULL completed_at without a server default. create_all() emits no ON UPDATE clauses
-- because the models update timestamps on the client side.
-- Only the tables that wegent-inspect reads are created. MariaDB stores JSON columns as
-- LONGTEXT with a json_valid() check, unlike MySQL's native JSON type.

CREATE TABLE users (
  id INT NOT NULL AUTO_INCREMENT,
  user_name VARCHAR(50) NOT NULL,
  password_hash VARCHAR(256) NOT NULL,
  email VARCHAR(100) NULL,
  git_info JSON NULL,
  is_active BOOLEAN NULL DEFAULT TRUE,
  role VARCHAR(20) NOT NULL DEFAULT 'user',
  auth_source VARCHAR(20) NOT NULL DEFAULT 'unknown',
  preferences VARCHAR(4096) NOT NULL DEFAULT '{}',
  created_at DATETIME NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY ix_users_user_name (user_name),
  KEY ix_users_id (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- user_id 0 marks public resources.
CREATE TABLE kinds (
  id INT NOT NULL AUTO_INCREMENT,
  user_id INT NOT NULL,
  kind VARCHAR(50) NOT NULL,
  name VARCHAR(100) NOT NULL,
  namespace VARCHAR(100) NOT NULL DEFAULT 'default',
  json JSON NOT NULL,
  is_active BOOLEAN NULL DEFAULT TRUE,
  created_at DATETIME NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY ix_kinds_id (id),
  KEY ix_kinds_kind (kind),
  KEY ix_kinds_user_kind_ns_active (user_id, kind, namespace, is_active),
  KEY ix_kinds_kind_ns_active (kind, namespace, is_active)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Contains Task, Workspace and Placeholder rows. There is no status column: the task status is
-- $.status.status inside json. is_active is a state: 0 deleted, 1 active, 2 subscription,
-- 3 archived.
CREATE TABLE tasks (
  id BIGINT NOT NULL AUTO_INCREMENT,
  user_id INT NOT NULL DEFAULT 0,
  kind VARCHAR(50) NOT NULL DEFAULT '',
  name VARCHAR(100) NOT NULL DEFAULT '',
  namespace VARCHAR(100) NOT NULL DEFAULT 'default',
  json JSON NOT NULL,
  is_active INT NOT NULL DEFAULT 1,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  project_id INT NOT NULL DEFAULT 0,
  client_origin VARCHAR(32) NOT NULL DEFAULT 'frontend',
  is_group_chat BOOL NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY uniq_user_kind_name_namespace (user_id, kind, name, namespace),
  KEY ix_tasks_id (id),
  KEY ix_tasks_user_id (user_id),
  KEY ix_tasks_kind (kind),
  KEY ix_tasks_created_at (created_at),
  KEY idx_tasks_project_id (project_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per chat message. executor_deleted_at is a flag (1 = executor deleted), not a time.
-- completed_at is written at row creation (1970-01-01 00:00:00 or the creation time) and
-- overwritten on a terminal status.
CREATE TABLE subtasks (
  id BIGINT NOT NULL AUTO_INCREMENT,
  user_id INT NOT NULL,
  task_id BIGINT NOT NULL,
  team_id INT NOT NULL,
  title VARCHAR(256) NOT NULL,
  bot_ids JSON NOT NULL,
  role ENUM('USER','ASSISTANT') NOT NULL DEFAULT 'ASSISTANT',
  executor_namespace VARCHAR(100) NULL,
  executor_name VARCHAR(100) NULL,
  executor_deleted_at BOOLEAN NOT NULL DEFAULT FALSE,
  prompt TEXT NULL,
  message_id INT NOT NULL DEFAULT 1,
  parent_id BIGINT NULL,
  status ENUM('PENDING','RUNNING','COMPLETED','FAILED','CANCELLED','DELETE','PENDING_CONFIRMATION') NOT NULL DEFAULT 'PENDING',
  progress INT NOT NULL DEFAULT 0,
  result JSON NULL,
  error_message TEXT NULL,
  created_at DATETIME NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NULL DEFAULT CURRENT_TIMESTAMP,
  completed_at DATETIME NOT NULL,
  sender_type VARCHAR(20) NOT NULL DEFAULT '',
  sender_user_id INT NOT NULL DEFAULT 0,
  reply_to_subtask_id BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  KEY ix_subtasks_id (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE alembic_version (
  version_num VARCHAR(32) NOT NULL,
  PRIMARY KEY (version_num)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO alembic_version (version_num) VALUES ('f82c5d1a9e37');
