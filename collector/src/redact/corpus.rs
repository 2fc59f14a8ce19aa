//! Test data for redaction: planted secrets, ordinary values, and synthetic logs.
//!
//! This module is test data, kept in the library so that the redaction tests, the
//! benchmark, and end-to-end tests against a real deployment share one list:
//!
//! - [`planted_secrets`]: at least 60 secret shapes, each planted in a realistic Wegent
//!   context (DB JSON columns, container environment and `TASK_INFO`, executor-manager
//!   log lines in Python repr and escaped JSON, git remotes, HTTP bodies, file names,
//!   error messages). After redaction none of them may survive ([`leak_in`]).
//! - [`ordinary_documents`]: Wegent data that must pass unchanged (ids, hashes, digests,
//!   ports, versions, executor names, config key names such as `api_key_name`).
//! - [`sample_log`]: deterministic executor-manager, backend and executor log text.
//!
//! Secret values are generated at run time from a fixed seed, so no complete token is
//! written in the source and every run plants the same values. None of them is real.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};

use super::known::{base64_fragments, json_escape, percent_encode};
use super::mask::mask_end;

/// A secret planted in a document.
#[derive(Debug, Clone)]
pub struct PlantedSecret {
    /// Name of the secret's shape, unique in the list.
    pub shape: &'static str,
    /// The secret itself.
    pub value: String,
    /// Bundle member path the document belongs to.
    pub member: String,
    /// The document text with the secret (or an encoding of it) inside.
    pub document: String,
    /// Set when the collector reads this secret in structured form and would pass it to
    /// `Redactor::remember` under this rule before redacting: the value has no shape of
    /// its own where it is planted.
    pub remembered: Option<&'static str>,
}

/// A document of ordinary Wegent data that redaction must leave byte-identical.
#[derive(Debug, Clone)]
pub struct OrdinaryDocument {
    /// Description of the document, for failure messages.
    pub what: &'static str,
    pub member: &'static str,
    pub document: String,
}

/// Small deterministic generator (SplitMix64), so the corpus is the same on every run.
#[derive(Debug, Clone)]
pub struct CorpusRng(u64);

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const HEX: &[u8] = b"0123456789abcdef";
const URL_SAFE_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE64_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const PASSWORD_CHARS: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%^*-_+";

impl CorpusRng {
    pub fn new(seed: u64) -> CorpusRng {
        CorpusRng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Returns a number in `0..bound`.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    /// Returns `len` characters drawn from `alphabet`; the result always has a digit and a letter
    /// when the alphabet has both, as real tokens do.
    pub fn chars(&mut self, alphabet: &[u8], len: usize) -> String {
        let mut out: Vec<u8> = (0..len)
            .map(|_| alphabet[self.below(alphabet.len() as u64) as usize])
            .collect();
        if len >= 2 {
            if alphabet.iter().any(u8::is_ascii_digit) && !out.iter().any(u8::is_ascii_digit) {
                out[len - 1] = b'7';
            }
            if alphabet.iter().any(u8::is_ascii_alphabetic)
                && !out.iter().any(u8::is_ascii_alphabetic)
            {
                out[0] = alphabet
                    .iter()
                    .copied()
                    .find(u8::is_ascii_alphabetic)
                    .unwrap_or(b'a');
            }
        }
        String::from_utf8(out).unwrap_or_default()
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}

/// A secret shape: its name and how to make one value of it.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub name: &'static str,
    pub make: fn(&mut CorpusRng) -> String,
}

/// Returns the shapes recognisable on their own, wherever they appear (pattern rules). Used by the
/// property test, which puts them into random text.
pub fn standalone_shapes() -> Vec<Shape> {
    vec![
        Shape {
            name: "openai-key",
            make: |r| format!("sk-{}", r.chars(ALNUM, 48)),
        },
        Shape {
            name: "openai-project-key",
            make: |r| format!("sk-proj-{}", r.chars(URL_SAFE_CHARS, 64)),
        },
        Shape {
            name: "anthropic-key",
            make: |r| format!("sk-ant-api03-{}AA", r.chars(URL_SAFE_CHARS, 93)),
        },
        Shape {
            name: "deepseek-key",
            make: |r| format!("sk-{}", r.chars(HEX, 32)),
        },
        Shape {
            name: "github-classic-token",
            make: |r| format!("ghp_{}", r.chars(ALNUM, 36)),
        },
        Shape {
            name: "github-oauth-token",
            make: |r| format!("gho_{}", r.chars(ALNUM, 36)),
        },
        Shape {
            name: "github-user-token",
            make: |r| format!("ghu_{}", r.chars(ALNUM, 36)),
        },
        Shape {
            name: "github-app-installation-token",
            make: |r| format!("ghs_{}", r.chars(ALNUM, 36)),
        },
        Shape {
            name: "github-refresh-token",
            make: |r| format!("ghr_{}", r.chars(ALNUM, 76)),
        },
        Shape {
            name: "github-fine-grained-token",
            make: |r| format!("github_pat_{}_{}", r.chars(ALNUM, 22), r.chars(ALNUM, 59)),
        },
        Shape {
            name: "github-app-legacy-token",
            make: |r| format!("v1.{}", r.chars(HEX, 40)),
        },
        Shape {
            name: "gitlab-personal-token",
            make: |r| format!("glpat-{}", r.chars(URL_SAFE_CHARS, 20)),
        },
        Shape {
            name: "gitlab-deploy-token",
            make: |r| format!("gldt-{}", r.chars(ALNUM, 20)),
        },
        Shape {
            name: "aws-access-key-id",
            make: |r| format!("AKIA{}", r.chars(UPPER_ALNUM, 16)),
        },
        Shape {
            name: "aws-temporary-key-id",
            make: |r| format!("ASIA{}", r.chars(UPPER_ALNUM, 16)),
        },
        Shape {
            name: "google-api-key",
            make: |r| format!("AIza{}", r.chars(URL_SAFE_CHARS, 35)),
        },
        Shape {
            name: "slack-bot-token",
            make: |r| {
                format!(
                    "xoxb-{}-{}-{}",
                    r.chars(b"0123456789", 12),
                    r.chars(b"0123456789", 13),
                    r.chars(ALNUM, 24)
                )
            },
        },
        Shape {
            name: "slack-user-token",
            make: |r| format!("xoxp-{}-{}", r.chars(b"0123456789", 12), r.chars(ALNUM, 32)),
        },
        Shape {
            name: "jwt",
            make: jwt,
        },
        Shape {
            name: "huggingface-token",
            make: |r| format!("hf_{}", r.chars(ALNUM, 34)),
        },
        Shape {
            name: "npm-token",
            make: |r| format!("npm_{}", r.chars(ALNUM, 36)),
        },
        Shape {
            name: "pypi-token",
            make: |r| format!("pypi-AgEIcHlwaS5vcmc{}", r.chars(URL_SAFE_CHARS, 70)),
        },
        Shape {
            name: "stripe-live-key",
            make: |r| format!("sk_live_{}", r.chars(ALNUM, 24)),
        },
        Shape {
            name: "docker-hub-token",
            make: |r| format!("dckr_pat_{}", r.chars(URL_SAFE_CHARS, 27)),
        },
        Shape {
            name: "sendgrid-key",
            make: |r| {
                format!(
                    "SG.{}.{}",
                    r.chars(URL_SAFE_CHARS, 22),
                    r.chars(URL_SAFE_CHARS, 43)
                )
            },
        },
        Shape {
            name: "alibaba-access-key-id",
            make: |r| format!("LTAI{}", r.chars(ALNUM, 20)),
        },
        Shape {
            name: "tencent-secret-id",
            make: |r| format!("AKID{}", r.chars(ALNUM, 32)),
        },
        Shape {
            name: "groq-key",
            make: |r| format!("gsk_{}", r.chars(ALNUM, 52)),
        },
        Shape {
            name: "pem-rsa-private-key",
            make: |r| pem(r, "RSA PRIVATE KEY", "\n"),
        },
        Shape {
            name: "pem-openssh-private-key",
            make: |r| pem(r, "OPENSSH PRIVATE KEY", "\n"),
        },
    ]
}

fn jwt(r: &mut CorpusRng) -> String {
    let header = URL_SAFE
        .encode(br#"{"alg":"HS256","typ":"JWT"}"#)
        .trim_end_matches('=')
        .to_string();
    let claims = format!(
        r#"{{"sub":"admin","user_id":{},"exp":{}}}"#,
        r.below(1000),
        1_760_000_000 + r.below(10_000_000)
    );
    let claims = URL_SAFE.encode(claims).trim_end_matches('=').to_string();
    format!("{header}.{claims}.{}", r.chars(URL_SAFE_CHARS, 43))
}

fn pem(r: &mut CorpusRng, label: &str, newline: &str) -> String {
    let mut lines = vec![format!("-----BEGIN {label}-----")];
    for _ in 0..6 {
        lines.push(r.chars(BASE64_CHARS, 64));
    }
    lines.push(format!("{}==", r.chars(BASE64_CHARS, 30)));
    lines.push(format!("-----END {label}-----"));
    lines.join(newline)
}

fn password(r: &mut CorpusRng) -> String {
    r.chars(PASSWORD_CHARS, 16)
}

fn opaque(r: &mut CorpusRng) -> String {
    r.chars(ALNUM, 40)
}

fn aes_ciphertext(r: &mut CorpusRng) -> String {
    STANDARD.encode(r.bytes(48))
}

/// One entry of the planted-secret table: shape, member, document template with `{v}`
/// where the value goes, and the rule under which the collector remembers it.
struct Plant {
    shape: &'static str,
    make: fn(&mut CorpusRng) -> String,
    member: &'static str,
    template: &'static str,
    remembered: Option<&'static str>,
    /// Encoding of the value in the template.
    form: Form,
}

#[derive(Clone, Copy)]
enum Form {
    Raw,
    JsonEscaped,
    DoubleJsonEscaped,
    PercentEncoded,
    /// base64 of `prefix + value + suffix`, so the value sits at an odd alignment.
    InsideBase64,
    /// base64 of `user:value`, as in an `Authorization: Basic` header.
    BasicAuth,
}

const DB_SERVER_DOC: &str = "db/server.json";
const TASK_JSON: &str = "db/task.json";
const SUBTASKS: &str = "db/subtasks.json";
const KINDS: &str = "db/models.json";
const OWNER: &str = "db/owner.json";
const INSPECT: &str = "executors/wegent-task-admin-e47497646f4e26c/inspect.json";
const EXECUTOR_LOG: &str = "executors/wegent-task-admin-e47497646f4e26c/logs.txt";
const EM_LOG: &str = "logs/executor-manager.txt";
const BACKEND_LOG: &str = "logs/backend.txt";
const CONTAINERS: &str = "services/containers.json";
const EM_JSON: &str = "services/executor-manager.json";
const REDIS: &str = "services/redis.json";
const WORKSPACE: &str = "workspace/git.json";
const LLM: &str = "llm/probe.json";
const MANIFEST: &str = "manifest.json";

fn plants() -> Vec<Plant> {
    let shape = |name: &'static str| -> fn(&mut CorpusRng) -> String {
        standalone_shapes()
            .into_iter()
            .find(|s| s.name == name)
            .map(|s| s.make)
            .unwrap_or(opaque)
    };
    let p = |shape_name: &'static str,
             make: fn(&mut CorpusRng) -> String,
             member: &'static str,
             template: &'static str| Plant {
        shape: shape_name,
        make,
        member,
        template,
        remembered: None,
        form: Form::Raw,
    };

    let mut plants = vec![
        // DB JSON columns.
        p(
            "model-api-key-openai",
            shape("openai-key"),
            KINDS,
            r#"{"spec": {"modelConfig": {"env": {"model": "openai", "model_id": "gpt-4o", "api_key": "{v}", "base_url": "https://api.openai.com/v1"}}}}"#,
        ),
        p(
            "subtask-result-openai-project-key",
            shape("openai-project-key"),
            SUBTASKS,
            r#"{"subtasks": [{"id": 312, "result": {"value": "I called the API with {v} and it answered 200"}}]}"#,
        ),
        p(
            "ghost-mcp-anthropic-key",
            shape("anthropic-key"),
            TASK_JSON,
            r#"{"spec": {"mcpServers": {"claude": {"env": {"ANTHROPIC_API_KEY": "{v}"}}}}}"#,
        ),
        p(
            "prompt-deepseek-key",
            shape("deepseek-key"),
            SUBTASKS,
            r#"{"subtasks": [{"id": 311, "role": "USER", "prompt": "use key {v} for the deepseek provider"}]}"#,
        ),
        p(
            "model-api-key-aes-ciphertext",
            aes_ciphertext,
            KINDS,
            r#"{"models": [{"id": 7, "name": "claude-sonnet", "json": {"spec": {"modelConfig": {"env": {"api_key": "{v}"}}}}}]}"#,
        ),
        p(
            "git-info-github-token",
            shape("github-classic-token"),
            OWNER,
            r#"{"user_id": 1, "git_info": [{"git_domain": "github.com", "git_token": "{v}", "type": "github"}]}"#,
        ),
        p(
            "task-label-oauth-token",
            shape("github-oauth-token"),
            TASK_JSON,
            r#"{"metadata": {"labels": {"oauthToken": "{v}", "modelId": "claude"}}}"#,
        ),
        p(
            "subtask-error-fine-grained-token",
            shape("github-fine-grained-token"),
            SUBTASKS,
            r#"{"subtasks": [{"id": 312, "error_message": "fatal: repository access denied for token {v}"}]}"#,
        ),
        p(
            "git-info-gitlab-token",
            shape("gitlab-personal-token"),
            OWNER,
            r#"{"git_info": [{"git_domain": "gitlab.example.com", "git_token": "{v}", "type": "gitlab"}]}"#,
        ),
        p(
            "subtask-result-jwt",
            shape("jwt"),
            SUBTASKS,
            r#"{"subtasks": [{"id": 312, "result": {"workbench": {"auth": "{v}"}}}]}"#,
        ),
        p(
            "system-config-smtp-password",
            password,
            TASK_JSON,
            r#"{"config_key": "notify", "config_value": "{\"smtp_host\": \"mail\", \"smtp_password\": \"{v}\"}"}"#,
        ),
        p(
            "model-default-headers-bearer",
            opaque,
            KINDS,
            r#"{"env": {"default_headers": {"Authorization": "Bearer {v}", "X-Trace": "1"}}}"#,
        ),
        p(
            "model-custom-headers-api-key",
            |r| r.chars(HEX, 32),
            KINDS,
            r#"{"env": {"custom_headers": {"X-API-Key": "{v}"}}}"#,
        ),
        p(
            "model-dify-api-key",
            |r| format!("app-{}", r.chars(ALNUM, 24)),
            KINDS,
            r#"{"env": {"DIFY_API_KEY": "{v}", "DIFY_BASE_URL": "http://dify.internal/v1"}}"#,
        ),
        p(
            "model-codex-config-toml-token",
            opaque,
            KINDS,
            r#"{"env": {"CODEX_CONFIG_TOML": "model = \"o3\"\n[model_providers.gw]\nexperimental_bearer_token = \"{v}\"\n"}}"#,
        ),
        p(
            "ghost-mcp-authorization-header",
            |r| r.chars(HEX, 40),
            TASK_JSON,
            r#"{"mcpServers": {"github": {"headers": {"Authorization": "token {v}"}}}}"#,
        ),
        p(
            "user-password-hash",
            |r| format!("$2b$12${}", r.chars(ALNUM, 53)),
            OWNER,
            r#"{"user_name": "admin", "password_hash": "{v}"}"#,
        ),
        // Container environment.
        p(
            "task-info-git-token",
            opaque,
            INSPECT,
            r#"{"env": {"TASK_INFO": "{\"user\": {\"name\": \"admin\", \"git_token\": \"{v}\"}, \"task_id\": 89}"}}"#,
        ),
        p(
            "task-info-decrypted-api-key",
            shape("anthropic-key"),
            INSPECT,
            r#"{"env": {"TASK_INFO": "{\"bot\": [{\"agent_config\": {\"env\": {\"api_key\": \"{v}\", \"model\": \"claude\"}}}]}"}}"#,
        ),
        p(
            "task-info-auth-token",
            shape("jwt"),
            INSPECT,
            r#"{"env": {"TASK_INFO": "{\"auth_token\": \"{v}\", \"executor_name\": \"wegent-task-admin-e47497646f4e26c\"}"}}"#,
        ),
        p(
            "env-git-token-aes-key",
            |r| r.chars(ALNUM, 32),
            INSPECT,
            r#"{"env": {"GIT_TOKEN_AES_KEY": "{v}", "EXECUTOR_NAME": "wegent-task-admin-e47497646f4e26c"}}"#,
        ),
        p(
            "env-git-token-aes-iv",
            |r| r.chars(ALNUM, 16),
            INSPECT,
            r#"{"env": {"GIT_TOKEN_AES_IV": "{v}", "TZ": "Asia/Shanghai"}}"#,
        ),
        p(
            "env-skill-identity-token",
            opaque,
            INSPECT,
            r#"{"env": {"WEGENT_SKILL_IDENTITY_TOKEN": "{v}", "WEGENT_SKILL_USER_NAME": "admin"}}"#,
        ),
        p(
            "env-list-auth-token",
            opaque,
            CONTAINERS,
            r#"{"Config": {"Env": ["PATH=/usr/local/bin:/usr/bin", "AUTH_TOKEN={v}", "PORT=10001"]}}"#,
        ),
        p(
            "env-executor-env-header",
            |r| r.chars(HEX, 48),
            INSPECT,
            r#"{"env": {"EXECUTOR_ENV": "{\"DEFAULT_HEADERS\": {\"x-api-key\": \"{v}\"}}"}}"#,
        ),
        p(
            "env-jwt-secret-key",
            |r| r.chars(URL_SAFE_CHARS, 43),
            CONTAINERS,
            r#"{"Config": {"Env": ["JWT_SECRET_KEY={v}", "EXECUTOR_PORT_RANGE_MIN=10001"]}}"#,
        ),
        p(
            "env-redis-url-password",
            password,
            CONTAINERS,
            r#"{"Config": {"Env": ["REDIS_URL=redis://:{v}@redis:6379/0"]}}"#,
        ),
        p(
            "env-database-url-password",
            password,
            CONTAINERS,
            r#"{"Config": {"Env": ["DATABASE_URL=mysql+pymysql://task_user:{v}@mysql:3306/task_manager"]}}"#,
        ),
        p(
            "env-mysql-root-password",
            password,
            CONTAINERS,
            r#"{"Config": {"Env": ["MYSQL_ROOT_PASSWORD={v}", "MYSQL_DATABASE=task_manager"]}}"#,
        ),
        p(
            "env-internal-service-token",
            opaque,
            CONTAINERS,
            r#"{"env": {"INTERNAL_SERVICE_TOKEN": "{v}"}}"#,
        ),
        p(
            "env-s3-secret-key",
            |r| r.chars(BASE64_CHARS, 40),
            CONTAINERS,
            r#"{"Config": {"Env": ["WORKER_CONVERSION_S3_SECRET_KEY={v}", "WORKER_CONVERSION_S3_BUCKET=docs"]}}"#,
        ),
        p(
            "env-aws-access-key-id",
            shape("aws-access-key-id"),
            CONTAINERS,
            r#"{"Config": {"Env": ["AWS_ACCESS_KEY_ID={v}", "AWS_REGION=cn-north-1"]}}"#,
        ),
        p(
            "env-github-private-key",
            |r| pem(r, "RSA PRIVATE KEY", "\n"),
            CONTAINERS,
            r#"{"Config": {"Env": ["GITHUB_APP_ID=12345", "GITHUB_PRIVATE_KEY={v}"]}}"#,
        ),
        p(
            "claude-settings-auth-token",
            opaque,
            EXECUTOR_LOG,
            r#"cat ~/.claude/settings.json: {"env": {"ANTHROPIC_AUTH_TOKEN": "{v}", "ANTHROPIC_BASE_URL": "http://gw:3000"}}"#,
        ),
        // Executor-manager and executor log lines.
        p(
            "em-python-repr-git-token",
            opaque,
            EM_LOG,
            "2026-01-20 14:03:12 - [a1b2c3d4] - [in /app/executor_manager/clients/task_api_client.py:88] - INFO - Online tasks fetch result: success=True, data={'tasks': [{'subtask_id': 312, 'user': {'id': 1, 'name': 'admin', 'git_token': '{v}', 'git_domain': 'github.com'}}]}",
        ),
        p(
            "em-python-repr-api-key",
            shape("openai-key"),
            EM_LOG,
            "2026-01-20 14:03:12 - [a1b2c3d4] - [in /app/executor_manager/clients/task_api_client.py:88] - INFO - Online tasks fetch result: success=True, data={'tasks': [{'bot': [{'agent_config': {'env': {'api_key': '{v}', 'model': 'openai'}}}]}]}",
        ),
        p(
            "em-json-response-auth-token",
            shape("jwt"),
            EM_LOG,
            r#"2026-01-20 14:03:11 - [a1b2c3d4] - [in /app/executor_manager/clients/task_api_client.py:80] - INFO - Received response: 200, {"tasks": [{"task_id": 89, "auth_token": "{v}"}]}"#,
        ),
        p(
            "em-status-dict-github-token",
            shape("github-classic-token"),
            EM_LOG,
            "2026-01-20 14:05:40 - [5e6f7a8b] - [in /app/executor_manager/routers/routers.py:212] - INFO - Updating task status with dict: {'result': {'value': 'export GITHUB_TOKEN={v} && git push'}, 'status': 'RUNNING'}",
        ),
        p(
            "em-pydantic-callback-token",
            opaque,
            EM_LOG,
            "2026-01-20 14:05:40 - [5e6f7a8b] - [in /app/executor_manager/routers/routers.py:190] - INFO - Received callback: body=task_id=89 subtask_id=312 status='RUNNING' progress=50 callback_token='{v}' from 172.18.0.9",
        ),
        p(
            "docker-log-escaped-api-key",
            |r| r.chars(HEX, 32),
            EXECUTOR_LOG,
            r#"{"log":"2026-01-20 14:04:02 - [-] - INFO - agent config loaded: {\"api_key\": \"{v}\", \"model_id\": \"glm-4\"}\n","stream":"stderr","time":"2026-01-20T06:04:02.1Z"}"#,
        ),
        p(
            "docker-log-double-escaped-git-token",
            opaque,
            EXECUTOR_LOG,
            r#"{"log":"TASK_INFO={\\\"user\\\": {\\\"git_token\\\": \\\"{v}\\\"}}\n","stream":"stdout"}"#,
        ),
        p(
            "rust-executor-callback-url-token",
            opaque,
            EXECUTOR_LOG,
            "2026-08-20 10:00:05 callback request finished task_id=89 subtask_id=312 event_type=response.completed callback_url=http://executor_manager:8001/executor-manager/callback?token={v} attempt=1 status=200 elapsed_ms=35",
        ),
        p(
            "uvicorn-access-token-query",
            opaque,
            EM_LOG,
            r#"INFO:     172.18.0.9:53312 - "GET /executor-manager/executor/status?executor_name=wegent-task-admin-e47497646f4e26c&access_token={v} HTTP/1.1" 200 OK"#,
        ),
        p(
            "presigned-url-signature",
            |r| r.chars(HEX, 64),
            EXECUTOR_LOG,
            "2026-01-20 14:04:09 downloading attachment https://oss.example.com/att/5.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20260120T060409Z&X-Amz-Signature={v}",
        ),
        p(
            "log-google-api-key",
            shape("google-api-key"),
            BACKEND_LOG,
            "2026-01-20 14:04:10 INFO [-] : translate request failed for key={v}: 403",
        ),
        p(
            "log-slack-bot-token",
            shape("slack-bot-token"),
            BACKEND_LOG,
            "2026-01-20 14:06:00 INFO [-] : Webhook notification scheduled for task 89 with status COMPLETED via slack {v}",
        ),
        p(
            "log-slack-webhook",
            |r| {
                format!(
                    "T{}/B{}/{}",
                    r.chars(UPPER_ALNUM, 8),
                    r.chars(UPPER_ALNUM, 10),
                    r.chars(ALNUM, 24)
                )
            },
            BACKEND_LOG,
            "2026-01-20 14:06:00 INFO [-] : posting to https://hooks.slack.com/services/{v}",
        ),
        p(
            "log-repr-bearer-header",
            opaque,
            EXECUTOR_LOG,
            "2026-01-20 14:04:03 - [-] - INFO - Sending callback to http://executor_manager:8001/executor-manager/callback, headers={'Authorization': 'Bearer {v}', 'Content-Type': 'application/json'}",
        ),
        Plant {
            form: Form::BasicAuth,
            ..p(
                "log-basic-auth-header",
                password,
                EXECUTOR_LOG,
                "curl -sS -H 'Authorization: Basic {v}' http://registry.internal/v2/_catalog",
            )
        },
        p(
            "log-cookie-header",
            |r| r.chars(LOWER_ALNUM, 32),
            BACKEND_LOG,
            "2026-01-20 14:06:01 DEBUG [-] : request headers: Cookie: sessionid={v}; csrftoken=abc",
        ),
        p(
            "log-aws-temporary-key",
            shape("aws-temporary-key-id"),
            EXECUTOR_LOG,
            "2026-01-20 14:04:11 uploading artifacts with credentials {v} to s3://bucket/89",
        ),
        p(
            "log-github-app-token",
            shape("github-app-installation-token"),
            EXECUTOR_LOG,
            "Agent[ClaudeCode][89] start download code for git url: https://x-access-token:{v}@github.com/org/repo.git, branch name: main",
        ),
        // Git remotes.
        p(
            "git-remote-gitlab-oauth2",
            |r| r.chars(URL_SAFE_CHARS, 20),
            WORKSPACE,
            r#"{"repositories": [{"path": "/workspace/89/repo", "remotes": {"origin": "https://oauth2:{v}@gitlab.example.com/team/repo.git"}}]}"#,
        ),
        p(
            "git-remote-token-as-user",
            |r| r.chars(HEX, 40),
            WORKSPACE,
            r#"{"repositories": [{"remotes": {"origin": "https://{v}@github.com/org/repo.git"}}]}"#,
        ),
        p(
            "git-remote-user-password",
            password,
            WORKSPACE,
            r#"{"repositories": [{"remotes": {"upstream": "https://bob:{v}@git.example.com/x/y.git"}}]}"#,
        ),
        p(
            "git-clone-error-password",
            password,
            SUBTASKS,
            r#"{"subtasks": [{"id": 312, "error_message": "git clone failed: fatal: Authentication failed for 'https://bob:{v}@git.example.com/x.git/'"}]}"#,
        ),
        // HTTP bodies.
        p(
            "llm-probe-echoed-key",
            shape("openai-key"),
            LLM,
            r#"{"model": "gpt-4o", "probe": {"url": "https://api.openai.com/v1/models", "status": 401, "body": {"error": {"message": "Incorrect API key provided: {v}."}}}, "reachable": true}"#,
        ),
        p(
            "http-body-set-cookie",
            |r| r.chars(ALNUM, 32),
            EM_JSON,
            r#"{"health": {"url": "http://localhost:8001/health", "status": 200, "body": {"headers": {"set-cookie": "session={v}; Path=/; HttpOnly"}}}}"#,
        ),
        p(
            "redis-meta-callback-token",
            opaque,
            REDIS,
            r#"{"running_task_meta": {"executor_name": "wegent-task-admin-e47497646f4e26c", "callback_token": "{v}"}}"#,
        ),
        p(
            "http-body-refresh-token",
            opaque,
            EM_JSON,
            r#"{"load": {"status": 200, "body": {"access_token": "{v}", "token_type": "bearer", "expires_in": 3600}}}"#,
        ),
        // File names and error messages.
        p(
            "dirty-path-token-file-name",
            shape("github-classic-token"),
            WORKSPACE,
            r#"{"repositories": [{"dirty": ["?? secrets/{v}.txt", " M src/main.rs"]}]}"#,
        ),
        p(
            "sqlx-error-dsn-password",
            password,
            MANIFEST,
            r#"{"sources": [{"name": "db", "status": "failed", "error": "error connecting to mysql://root:{v}@127.0.0.1:3306/task_manager: Access denied for user 'root'"}]}"#,
        ),
        p(
            "mysql-cli-password",
            |r| r.chars(ALNUM, 12),
            EM_LOG,
            "running: docker exec -i wegent-mysql mysql -uroot -p{v} -D task_manager -N -B -e \"select 1\"",
        ),
        p(
            "redis-cli-password",
            password,
            EM_LOG,
            "running: redis-cli -h 127.0.0.1 -a {v} LLEN wegent:task_queue:online:default",
        ),
        p(
            "cli-flag-password",
            password,
            MANIFEST,
            r#"{"options": {"command": "collect --task-id 89 --mysql-password {v}"}}"#,
        ),
        p(
            "yaml-password",
            password,
            BACKEND_LOG,
            "loaded config:\n  database:\n    password: {v}\n    host: mysql\n",
        ),
        p(
            "wegent-default-aes-key",
            |_| "12345678901234567890123456789012".into(),
            CONTAINERS,
            r#"{"Config": {"Env": ["SOME_CRYPTO_SETTING={v}"]}}"#,
        ),
        p(
            "wegent-default-aes-iv",
            |_| "1234567890123456".into(),
            BACKEND_LOG,
            "2026-01-20 14:00:00 WARNING [-] : using iv {v} for attachments",
        ),
        p(
            "wegent-default-jwt-key",
            |_| "your-secret-key-here".into(),
            BACKEND_LOG,
            "2026-01-20 14:00:00 WARNING [-] : jwt signing uses {v}, change it",
        ),
        p(
            "wegent-default-admin-password",
            |_| "Wegent2025!".into(),
            BACKEND_LOG,
            "2026-01-20 14:00:00 INFO [-] : created default user admin / Wegent2025!",
        ),
        p(
            "log-huggingface-token",
            shape("huggingface-token"),
            EXECUTOR_LOG,
            "downloading model with HF token {v}",
        ),
        p(
            "log-npm-token",
            shape("npm-token"),
            EXECUTOR_LOG,
            "//registry.npmjs.org/:_authToken={v}",
        ),
        p(
            "log-stripe-key",
            shape("stripe-live-key"),
            SUBTASKS,
            r#"{"subtasks": [{"id": 313, "result": {"value": "billing configured with {v}"}}]}"#,
        ),
        p(
            "log-alibaba-key-id",
            shape("alibaba-access-key-id"),
            EXECUTOR_LOG,
            "oss upload with access key id {v} failed: InvalidAccessKeyId",
        ),
        p(
            "log-tencent-secret-id",
            shape("tencent-secret-id"),
            EXECUTOR_LOG,
            "cos client created secret id {v}",
        ),
        p(
            "log-docker-hub-token",
            shape("docker-hub-token"),
            EM_LOG,
            "=== Pulling executor image: registry/wegent-executor:1.2 === login with {v}",
        ),
        p(
            "log-sendgrid-key",
            shape("sendgrid-key"),
            BACKEND_LOG,
            "mail provider configured: {v}",
        ),
        p(
            "log-pypi-token",
            shape("pypi-token"),
            EXECUTOR_LOG,
            "twine upload -u __token__ -p {v} dist/*",
        ),
        p(
            "log-groq-key",
            shape("groq-key"),
            EXECUTOR_LOG,
            "export GROQ={v}",
        ),
        p(
            "log-gitlab-deploy-token",
            shape("gitlab-deploy-token"),
            EXECUTOR_LOG,
            "cloning with deploy credentials {v}",
        ),
        p(
            "log-github-refresh-token",
            shape("github-refresh-token"),
            EXECUTOR_LOG,
            "oauth refresh returned {v}",
        ),
        p(
            "log-github-legacy-app-token",
            shape("github-app-legacy-token"),
            EXECUTOR_LOG,
            "git credential fill -> {v}",
        ),
        p(
            "log-openssh-private-key",
            shape("pem-openssh-private-key"),
            EXECUTOR_LOG,
            "cat ~/.ssh/id_ed25519\n{v}\n",
        ),
        p(
            "json-escaped-pem-private-key",
            |r| pem(r, "PRIVATE KEY", "\n"),
            TASK_JSON,
            r#"{"spec": {"deploy": {"signing_material": "{v}"}}}"#,
        ),
    ];

    // Values only known because the collector read them in structured form.
    let remembered = [
        Plant {
            remembered: Some("git-token"),
            ..p(
                "remembered-token-bare-in-log",
                opaque,
                EXECUTOR_LOG,
                "Failed to clone project: remote rejected credential {v} (HTTP 403)",
            )
        },
        Plant {
            remembered: Some("container-env"),
            form: Form::PercentEncoded,
            ..p(
                "remembered-value-percent-encoded",
                |r| format!("p@ss/w:rd+{}", r.chars(ALNUM, 8)),
                EM_LOG,
                r#"INFO:     172.18.0.9:53312 - "GET /internal/check?note={v} HTTP/1.1" 200 OK"#,
            )
        },
        Plant {
            remembered: Some("model-api-key"),
            form: Form::InsideBase64,
            ..p(
                "remembered-value-inside-base64",
                opaque,
                SUBTASKS,
                r#"{"subtasks": [{"id": 312, "result": {"attachment": "{v}"}}]}"#,
            )
        },
        Plant {
            remembered: Some("container-env"),
            form: Form::JsonEscaped,
            ..p(
                "remembered-value-json-escaped",
                |r| format!("ab\"cd\\{}", r.chars(ALNUM, 10)),
                TASK_JSON,
                r#"{"spec": {"prompt": "the value was {v} yesterday"}}"#,
            )
        },
        Plant {
            remembered: Some("container-env"),
            form: Form::DoubleJsonEscaped,
            ..p(
                "remembered-value-double-escaped",
                |r| format!("q\"{}", r.chars(ALNUM, 12)),
                EXECUTOR_LOG,
                r#"{"log":"{\"echo\": \"{v}\"}\n"}"#,
            )
        },
    ];
    plants.extend(remembered);
    plants
}

/// Returns the planted-secret corpus, the same on every call.
pub fn planted_secrets() -> Vec<PlantedSecret> {
    planted_secrets_seeded(0x5eed_0fc0_ffee)
}

/// Returns the planted-secret corpus with values from another seed.
pub fn planted_secrets_seeded(seed: u64) -> Vec<PlantedSecret> {
    let mut rng = CorpusRng::new(seed);
    plants()
        .into_iter()
        .map(|plant| {
            let value = (plant.make)(&mut rng);
            let written = match plant.form {
                Form::Raw => value.clone(),
                Form::JsonEscaped => {
                    String::from_utf8_lossy(&json_escape(value.as_bytes())).into_owned()
                }
                Form::DoubleJsonEscaped => {
                    let once = json_escape(value.as_bytes());
                    String::from_utf8_lossy(&json_escape(&once)).into_owned()
                }
                Form::PercentEncoded => String::from_utf8_lossy(&percent_encode(
                    value.as_bytes(),
                    false,
                    b"0123456789ABCDEF",
                ))
                .into_owned(),
                Form::InsideBase64 => STANDARD.encode(format!("{{\"k\":\"{value}\",\"n\":1}}")),
                Form::BasicAuth => STANDARD.encode(format!("deploy:{value}")),
            };
            let value = match plant.form {
                Form::BasicAuth => written.clone(),
                _ => value,
            };
            let document = plant.template.replace("{v}", &written);
            let member = if plant.shape == "dirty-path-token-file-name" {
                format!("workspace/files/{value}.txt")
            } else {
                plant.member.to_string()
            };
            PlantedSecret {
                shape: plant.shape,
                value,
                member,
                document,
                remembered: plant.remembered,
            }
        })
        .collect()
}

/// Describes the first way `value` survives in `output`: as is, as an 8-character
/// piece, percent-encoded, JSON-escaped, or base64-encoded (whole or at any alignment).
/// Returns `None` when nothing of it is left.
///
/// Masks in `output` are left out of the search: their rule names are ours, not the
/// secret's (`aws-secret-key` shares 8 characters with `your-secret-key-here`).
pub fn leak_in(output: &str, value: &str) -> Option<String> {
    let without_masks = strip_masks(output);
    let output = without_masks.as_str();
    let bytes = value.as_bytes();
    if output.contains(value) {
        return Some("the value itself".into());
    }
    if bytes.len() >= 8 {
        for window in bytes.windows(8) {
            if let Ok(piece) = std::str::from_utf8(window)
                && output.contains(piece)
            {
                return Some(format!("the 8-character piece {piece:?}"));
            }
        }
    }

    let mut encodings: Vec<(String, Vec<u8>)> = vec![
        (
            "percent-encoded".into(),
            percent_encode(bytes, false, b"0123456789ABCDEF"),
        ),
        ("JSON-escaped".into(), json_escape(bytes)),
        (
            "base64".into(),
            STANDARD
                .encode(bytes)
                .trim_end_matches('=')
                .as_bytes()
                .to_vec(),
        ),
        (
            "URL-safe base64".into(),
            URL_SAFE
                .encode(bytes)
                .trim_end_matches('=')
                .as_bytes()
                .to_vec(),
        ),
    ];
    for alignment in 0..3 {
        for fragment in base64_fragments(bytes, alignment) {
            encodings.push((format!("base64 at alignment {alignment}"), fragment));
        }
    }
    for (what, encoded) in encodings {
        if encoded.len() >= 8
            && let Ok(encoded) = std::str::from_utf8(&encoded)
            && output.contains(encoded)
        {
            return Some(format!("the {what} form"));
        }
    }
    None
}

/// Replaces every mask in `text` with a single `#`.
fn strip_masks(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut pos = 0;
    while pos < bytes.len() {
        if bytes[pos] == b'['
            && let Some(end) = mask_end(bytes, pos)
        {
            out.push(b'#');
            pos = end;
            continue;
        }
        out.push(bytes[pos]);
        pos += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Returns documents of ordinary Wegent data that must pass redaction byte-identical.
pub fn ordinary_documents() -> Vec<OrdinaryDocument> {
    let doc = |what, member, document: &str| OrdinaryDocument {
        what,
        member,
        document: document.to_string(),
    };
    vec![
        doc(
            "task row with ids and timestamps",
            TASK_JSON,
            r#"{"id": 89, "user_id": 1, "kind": "Task", "name": "task-89", "namespace": "default", "is_active": 1, "created_at": "2026-01-20 14:03:10", "updated_at": "2026-01-20 14:05:40", "json": {"metadata": {"labels": {"api_key_name": "team-default", "modelId": "claude-sonnet-4"}}, "status": {"status": "RUNNING", "progress": 50, "statusPhase": "executing"}}}"#,
        ),
        doc(
            "subtask with executor name and SHA",
            SUBTASKS,
            r#"{"subtasks": [{"id": 312, "task_id": 89, "role": "ASSISTANT", "status": "RUNNING", "executor_name": "wegent-task-admin-e47497646f4e26c", "executor_namespace": "default", "executor_deleted_at": 0, "message_id": 4, "result": {"value": "committed 4f1c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39"}}]}"#,
        ),
        doc(
            "model info with flags and limits",
            KINDS,
            r#"{"requested": "claude", "resolved_from": "label-modelId", "models": [{"id": 7, "name": "claude", "namespace": "default", "user_id": 0, "is_active": true, "provider": "claude", "model_id": "claude-sonnet-4-20250514", "base_url": "https://gw.example.com/v1", "has_api_key": true, "max_tokens": 4096, "maxOutputTokens": 8192, "contextWindow": 200000}]}"#,
        ),
        doc(
            "database server clocks",
            DB_SERVER_DOC,
            r#"{"version": "10.11.19-MariaDB", "global_time_zone": "SYSTEM", "session_time_zone": "+08:00", "now": "2026-01-20 14:03:12", "utc_now": "2026-01-20 06:03:12", "alembic_version": "b3e4a166ba91"}"#,
        ),
        doc(
            "usage counters",
            SUBTASKS,
            r#"{"usage": {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540, "token_count": 5, "tokens": 99}}"#,
        ),
        doc(
            "session ids",
            SUBTASKS,
            r#"{"session_id": "8a1f0c3e-5b7d-4e2a-9c6f-1d2e3f4a5b6c", "resume_session_id": "c0ffee00-1111-4222-8333-444455556666"}"#,
        ),
        doc(
            "container ids and image digests",
            CONTAINERS,
            r#"{"containers": [{"id": "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa99887766554433221100", "name": "wegent-task-admin-e47497646f4e26c", "role": "executor", "image": "ghcr.io/wecode-ai/wegent-executor@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "state": "exited", "exit_code": 137, "oom_killed": true, "labels": {"owner": "executor_manager", "task_id": "89", "subtask_id": "312", "user": "admin", "aigc.weibo.com/task-type": "online"}, "mounts": [{"source": "/root/wecode-bot/89", "destination": "/workspace", "rw": true}]}]}"#,
        ),
        doc(
            "executor environment without secrets",
            INSPECT,
            r#"{"env": {"EXECUTOR_NAME": "wegent-task-admin-e47497646f4e26c", "TZ": "Asia/Shanghai", "LANG": "en_US.UTF-8", "PORT": "10001", "CALLBACK_URL": "http://executor_manager:8001/executor-manager/callback", "PWD": "/app", "HEARTBEAT_TYPE": "task", "GIT_TOKEN_AES_KEY": "***", "TASK_API_DOMAIN": "http://backend:8000"}}"#,
        ),
        doc(
            "placeholders",
            KINDS,
            r#"{"env": {"api_key": "${OPENAI_API_KEY}", "token": "{{user.git_token}}", "secret": null, "password": "", "auth_token": "***"}}"#,
        ),
        doc(
            "executor-manager log lines",
            EM_LOG,
            "2026-01-20 14:03:12 - [a1b2c3d4] - [in /app/executor_manager/routers/routers.py:201] - INFO - Successfully processed callback for task 89\n\
             2026-01-20 14:03:13 - [-] - [in /app/executor_manager/scheduler/scheduler.py:77] - INFO - Online tasks status: 3 running pods, 10 max concurrent tasks\n\
             2026-01-20 14:03:14 - [-] - [in /app/executor_manager/executors/docker/executor.py:310] - INFO - Started Docker container wegent-task-admin-e47497646f4e26c with ID 3f4e5d6c7b8a\n\
             INFO:     172.18.0.9:53312 - \"POST /executor-manager/callback HTTP/1.1\" 200 OK\n\
             2026-01-20 14:03:15 - [-] - [in /app/executor_manager/executors/docker/executor.py:120] - INFO - Docker ports in use by executor_manager: [10001, 10002]\n",
        ),
        doc(
            "backend log lines",
            BACKEND_LOG,
            "2026-01-20 14:03:12 INFO [-] : update subtask subtask_id=312, subtask_status=SubtaskStatus.COMPLETED, subtask_progress=100\n\
             2026-08-20 02:00:01 INFO [a1b2c3d4] /app/app/services/execution/emitters/status_updating.py:88 : [StatusUpdatingEmitter] Updated subtask 312 and task 89 status to COMPLETED\n\
             2026-01-20 14:03:12 INFO [-] : Task 89 status updated from CANCELLING to CANCELLED (user request)\n",
        ),
        doc(
            "rust executor log line",
            EXECUTOR_LOG,
            "2026-08-20 10:00:05 callback request finished task_id=89 subtask_id=312 event_type=response.completed callback_url=http://executor_manager:8001/executor-manager/callback message_id=4 executor_name=wegent-task-admin-e47497646f4e26c executor_namespace= attempt=1 max_attempts=10 status=200 elapsed_ms=35\n\
             2026-08-20 10:00:06 heartbeat sent heartbeat_id=89 status=200 is_timeout=false is_connect=true\n",
        ),
        doc(
            "prose mentioning secrets without values",
            EXECUTOR_LOG,
            "GIT_TOKEN_AES_KEY is not set, so an encrypted git token cannot be read inside the executor\n\
             token_type=bearer; basic information about the session follows\n\
             Invalid token, please refresh the session\n",
        ),
        doc(
            "docker run with port mapping",
            EM_LOG,
            "docker run -d --name wegent-mysql -p 3306:3306 mysql:9.4.0 && mysql -h 127.0.0.1 -P 3306 -u root --protocol tcp\n",
        ),
        doc(
            "workspace repository",
            WORKSPACE,
            r#"{"searched": ["/root/wecode-bot/89"], "repositories": [{"path": "/root/wecode-bot/89/repo", "branch": "wegent/task-89", "head": "4f1c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39", "commits": [{"id": "4f1c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39", "time": "2026-01-20T14:04:00+08:00", "summary": "fix session handling and token refresh"}], "dirty": [" M src/auth/token.py", "?? notes/private_key_path.md"], "remotes": {"origin": "git@github.com:org/repo.git", "mirror": "https://github.com/org/repo.git"}}]}"#,
        ),
        doc(
            "redis state",
            REDIS,
            r#"{"reachable": true, "server_time": 1768889000.5, "heartbeat": {"key": "task:heartbeat:89", "value": 1768888990.1, "age_seconds": 10.4, "ttl_seconds": 50}, "running_set_score": 1768888000.0, "queue_lengths": {"wegent:task_queue:online:default": 0}}"#,
        ),
        doc(
            "manifest counts and options",
            MANIFEST,
            r#"{"format_version": "1.0", "tool_version": "0.1.0", "task_id": 89, "collected_at": "2026-01-20T06:10:00Z", "host_utc_offset": "+08:00", "options": {"since": "24h", "executor-manager-url": "http://localhost:8001", "redis-url": "redis://127.0.0.1:6379/0"}, "redaction": {"total": 3, "by_rule": {"password": 2, "token": 1}}, "members": {"db/task.json": {"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "size": 812}}}"#,
        ),
        doc(
            "versions and routes",
            EM_JSON,
            r#"{"base_url": "http://localhost:8001", "routes": ["/executor-manager/callback", "/executor-manager/executor/status", "/health"], "health": {"url": "http://localhost:8001/health", "status": 200, "body": {"status": "ok", "version": "1.0.14"}, "elapsed_ms": 3}, "engine_version": "20.10.24+dfsg1", "api": "v1.41"}"#,
        ),
        doc(
            "key names in code",
            EXECUTOR_LOG,
            "Traceback (most recent call last):\n  File \"/app/executor/auth/token.py\", line 12, in load\n    api_key = config[\"api_key\"]\nKeyError: 'api_key'\n",
        ),
    ]
}

/// Generates deterministic log text in Wegent's formats, `lines` lines long, without secrets
/// unless `secret_every` is set (then every n-th line carries one planted secret).
pub fn sample_log(lines: usize, seed: u64, secret_every: Option<usize>) -> String {
    let mut rng = CorpusRng::new(seed);
    let shapes = standalone_shapes();
    let mut out = String::with_capacity(lines * 160);

    for line in 0..lines {
        let task = 80 + rng.below(40);
        let subtask = 300 + rng.below(60);
        let (minute, second) = (rng.below(60), rng.below(60));
        let request_id = rng.chars(HEX, 8);
        let executor = format!("wegent-task-admin-{}", rng.chars(HEX, 15));
        let ip = format!("172.18.0.{}", 2 + rng.below(20));

        let text = match rng.below(8) {
            0 => format!(
                "2026-01-20 14:{minute:02}:{second:02} - [{request_id}] - [in /app/executor_manager/routers/routers.py:201] - INFO - Successfully processed callback for task {task}"
            ),
            1 => format!(
                "2026-01-20 14:{minute:02}:{second:02} - [-] - [in /app/executor_manager/scheduler/scheduler.py:77] - INFO - Online tasks status: {} running pods, 10 max concurrent tasks",
                rng.below(10)
            ),
            2 => format!(
                "INFO:     {ip}:{} - \"POST /executor-manager/callback HTTP/1.1\" 200 OK",
                40000 + rng.below(20000)
            ),
            3 => format!(
                "2026-08-20 10:{minute:02}:{second:02} callback request finished task_id={task} subtask_id={subtask} event_type=response.completed callback_url=http://executor_manager:8001/executor-manager/callback message_id=4 executor_name={executor} executor_namespace= attempt=1 max_attempts=10 status=200 elapsed_ms={}",
                rng.below(90)
            ),
            4 => format!(
                "2026-01-20 14:{minute:02}:{second:02} INFO [-] : update subtask subtask_id={subtask}, subtask_status=SubtaskStatus.RUNNING, subtask_progress={}",
                rng.below(100)
            ),
            5 => format!(
                "2026-01-20 14:{minute:02}:{second:02} - [{request_id}] - [in /app/executor_manager/routers/routers.py:190] - INFO - Updating task status: ID={task}, executor_namespace=default, executor_name={executor}, Progress={}%, status=RUNNING",
                rng.below(100)
            ),
            6 => format!(
                "2026-08-20 02:{minute:02}:{second:02} INFO [{request_id}] /app/app/services/execution/emitters/status_updating.py:88 : [StatusUpdatingEmitter] Updated subtask {subtask} and task {task} status to COMPLETED"
            ),
            _ => format!(
                "2026-01-20 14:{minute:02}:{second:02} - [-] - [in /app/executor_manager/executors/docker/executor.py:310] - INFO - Started Docker container {executor} with ID {}",
                rng.chars(HEX, 12)
            ),
        };
        out.push_str(&text);

        if let Some(every) = secret_every
            && every > 0
            && line % every == every - 1
        {
            let shape = shapes[rng.below(shapes.len() as u64) as usize];
            let secret = (shape.make)(&mut rng).replace('\n', " ");
            out.push_str(" extra=");
            out.push_str(&secret);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_is_deterministic_and_large() {
        let first = planted_secrets();
        let second = planted_secrets();
        assert!(first.len() >= 60, "only {} shapes", first.len());
        for (a, b) in first.iter().zip(&second) {
            assert_eq!(a.value, b.value);
        }
        let mut shapes: Vec<&str> = first.iter().map(|p| p.shape).collect();
        shapes.sort_unstable();
        shapes.dedup();
        assert_eq!(shapes.len(), first.len(), "shape names repeat");
    }

    #[test]
    fn every_document_holds_its_secret() {
        for planted in planted_secrets() {
            assert!(
                leak_in(&planted.document, &planted.value).is_some(),
                "{}: value not planted",
                planted.shape
            );
        }
    }

    #[test]
    fn leak_in_sees_pieces_and_encodings() {
        assert!(leak_in("x abcdefgh y", "0abcdefgh1").is_some());
        assert!(leak_in("x YWJjZGVmZ2hpams y", "abcdefghijk").is_some());
        assert!(leak_in("nothing here", "abcdefghijk").is_none());
        assert!(leak_in("[REDACTED:aws-secret-key:0a1b2c3d]", "your-secret-key-here").is_none());
    }
}
