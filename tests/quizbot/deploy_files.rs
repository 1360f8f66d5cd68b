//! The files in `deploy/` read against the binary they run: every setting
//! they name is one quizbot reads (`quizbot::config::variables`, the list
//! its loader asks for, not listed here), every probe asks a path the ops listener serves on the port the
//! container exposes, and the Kubernetes and ECS definitions hold together
//! (one shard per replica, the governing Service, the disruption budget, the
//! secrets). Each failure names the file and the field.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use quizbot::config::{self, Config};
use quizbot::ops::{HEALTH_PATH, METRICS_PATH, READY_PATH};
use serde_json::Value;

use crate::support::root;

/// The shortest stop allowance that lets the bot drain in-flight work on
/// SIGTERM (answers being recorded, a daily post being sent).
const MIN_GRACE_SECONDS: u64 = 20;

/// Names that look like quizbot settings: these prefixes, and these names.
const SETTING_PREFIXES: [&str; 3] = ["QUIZBOT_", "DISCORD_", "SLACK_"];
const SETTING_NAMES: [&str; 1] = ["DATABASE_URL"];

/// One YAML document or JSON file under `deploy/`.
struct Document {
    /// The file, relative to the repository root, for messages.
    file: String,
    value: Value,
}

/// What a document is, which decides what is checked in it.
#[derive(Debug, PartialEq)]
enum Kind {
    /// A Kubernetes object: its `kind`.
    Kubernetes(String),
    /// A Docker Compose file.
    Compose,
    /// An ECS task definition.
    EcsTask,
    /// The Slack app manifest: parsed, nothing run from it.
    SlackManifest,
}

impl Document {
    fn kind(&self) -> Option<Kind> {
        let v = &self.value;
        if v.get("apiVersion").is_some() {
            return v["kind"].as_str().map(|k| Kind::Kubernetes(k.to_string()));
        }
        if v.get("services").is_some() {
            return Some(Kind::Compose);
        }
        if v.get("containerDefinitions").is_some() {
            return Some(Kind::EcsTask);
        }
        if v.get("display_information").is_some() {
            return Some(Kind::SlackManifest);
        }
        None
    }

    fn is_k8s(&self, kind: &str) -> bool {
        self.kind() == Some(Kind::Kubernetes(kind.to_string()))
    }

    fn name(&self) -> &str {
        self.value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// "file (Kind name)", for messages.
    fn label(&self) -> String {
        match self.kind() {
            Some(Kind::Kubernetes(kind)) => format!("{} ({kind} {})", self.file, self.name()),
            _ => self.file.clone(),
        }
    }
}

/// Every document of every `.yaml`, `.yml` and `.json` file under `deploy/`.
fn documents() -> Vec<Document> {
    let mut files = Vec::new();
    collect_files(&root().join("deploy"), &mut files);
    files.sort();
    let mut documents = Vec::new();
    for path in files {
        let file = path
            .strip_prefix(root())
            .unwrap_or(&path)
            .display()
            .to_string();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{file}: cannot read: {err}"));
        if file.ends_with(".json") {
            let value = serde_json::from_str(&text)
                .unwrap_or_else(|err| panic!("{file}: not valid JSON: {err}"));
            documents.push(Document { file, value });
            continue;
        }
        for yaml in serde_norway::Deserializer::from_str(&text) {
            let value: Value = serde::Deserialize::deserialize(yaml)
                .unwrap_or_else(|err| panic!("{file}: not valid YAML: {err}"));
            // A `---` with nothing after it is an empty document, not an object.
            if !value.is_null() {
                documents.push(Document {
                    file: file.clone(),
                    value,
                });
            }
        }
    }
    documents
}

fn collect_files(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect_files(&path, files);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            files.push(path);
        }
    }
}

/// The settings the binary reads: the log filter and every variable
/// `Config::load` asks for.
fn settings_read() -> BTreeSet<&'static str> {
    config::variables().collect()
}

fn looks_like_a_setting(name: &str) -> bool {
    SETTING_PREFIXES.iter().any(|p| name.starts_with(p)) || SETTING_NAMES.contains(&name)
}

/// Problems found, each naming its file; the test fails listing them all.
#[derive(Default)]
struct Findings(Vec<String>);

impl Findings {
    fn check(&mut self, ok: bool, message: String) {
        if !ok {
            self.0.push(message);
        }
    }

    /// A stop allowance (`what`, in `place`) long enough to drain.
    fn check_grace(&mut self, place: &str, what: &str, seconds: Option<u64>) {
        self.check(
            seconds.is_some_and(|s| s >= MIN_GRACE_SECONDS),
            format!("{place}: {what} {seconds:?} leaves under {MIN_GRACE_SECONDS}s to drain"),
        );
    }

    /// A container health check command that fetches `HEALTH_PATH` on `port`.
    fn check_health_command(&mut self, place: &str, command: Option<&Value>, port: u64) {
        let asked = command.and_then(url_in);
        self.check(
            asked == Some((port, HEALTH_PATH.to_string())),
            format!(
                "{place}: the health check asks {asked:?}, expected port {port} and {HEALTH_PATH}"
            ),
        );
    }

    fn assert_none(self, what: &str) {
        assert!(self.0.is_empty(), "{what}:\n  {}", self.0.join("\n  "));
    }
}

fn items(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn text(value: Option<&Value>) -> &str {
    value.and_then(Value::as_str).unwrap_or("")
}

/// The containers of a workload's pod template.
fn containers(doc: &Document) -> &[Value] {
    items(doc.value.pointer("/spec/template/spec/containers"))
}

/// Every environment variable name a document gives the binary, and every
/// secret key that ends up as one, each with where it was found.
fn setting_names(doc: &Document) -> Vec<(String, String)> {
    let mut names = Vec::new();
    match doc.kind() {
        Some(Kind::Kubernetes(kind)) if kind == "Secret" || kind == "ConfigMap" => {
            for field in ["data", "stringData"] {
                if let Some(map) = doc.value.get(field).and_then(Value::as_object) {
                    names.extend(map.keys().map(|k| (format!("{field} key"), k.clone())));
                }
            }
        }
        Some(Kind::Kubernetes(_)) => {
            for container in containers(doc) {
                for env in items(container.get("env")) {
                    names.push(("env".into(), text(env.get("name")).to_string()));
                    if let Some(key) = env.pointer("/valueFrom/secretKeyRef/key") {
                        names.push(("secretKeyRef key".into(), text(Some(key)).to_string()));
                    }
                }
            }
        }
        Some(Kind::Compose) => {
            let services = doc.value["services"].as_object().into_iter().flatten();
            for (service, spec) in services {
                let place = format!("services.{service}.environment");
                match spec.get("environment") {
                    Some(Value::Object(map)) => {
                        names.extend(map.keys().map(|k| (place.clone(), k.clone())))
                    }
                    Some(Value::Array(list)) => names.extend(list.iter().map(|item| {
                        let entry = text(Some(item));
                        let key = entry.split_once('=').map_or(entry, |(k, _)| k);
                        (place.clone(), key.to_string())
                    })),
                    _ => {}
                }
            }
        }
        Some(Kind::EcsTask) => {
            for container in items(doc.value.get("containerDefinitions")) {
                for field in ["environment", "secrets"] {
                    for entry in items(container.get(field)) {
                        names.push((field.into(), text(entry.get("name")).to_string()));
                    }
                }
            }
        }
        Some(Kind::SlackManifest) | None => {}
    }
    names
}

/// The value a workload container or ECS container sets for `name`.
fn env_value<'a>(entries: &'a [Value], name: &str) -> Option<&'a str> {
    entries
        .iter()
        .find(|e| text(e.get("name")) == name)
        .and_then(|e| e.get("value"))
        .and_then(Value::as_str)
}

/// The port the ops listener binds, given `QUIZBOT_HTTP_ADDR` when `place`
/// sets it.
fn listen_port(place: &str, http_addr: Option<&str>) -> u64 {
    let addr = http_addr.map_or_else(|| Config::default().http_addr, str::to_string);
    let port = addr
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse().ok());
    port.unwrap_or_else(|| panic!("{place}: QUIZBOT_HTTP_ADDR={addr} has no port"))
}

/// Port and path of the first `http://` URL in a health check command.
fn url_in(command: &Value) -> Option<(u64, String)> {
    let words: Vec<&str> = match command {
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_str)
            .flat_map(str::split_whitespace)
            .collect(),
        Value::String(line) => line.split_whitespace().collect(),
        _ => return None,
    };
    let url = words.iter().find_map(|w| w.strip_prefix("http://"))?;
    let (authority, path) = url.split_once('/').unwrap_or((url, ""));
    let port = match authority.rsplit_once(':') {
        Some((_, port)) => port.parse().ok()?,
        None => 80,
    };
    let path = format!("/{}", path.split(['?', '#']).next().unwrap_or(""));
    Some((port, path))
}

/// A duration in seconds from Kubernetes/ECS numbers or Compose's `30s`.
fn seconds(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => humantime::parse_duration(s).ok().map(|d| d.as_secs()),
        _ => None,
    }
}

#[test]
fn every_deploy_file_parses_and_is_one_the_tests_know() {
    // Arrange / Act
    let documents = documents();

    // Assert
    let mut findings = Findings::default();
    for doc in &documents {
        findings.check(
            doc.kind().is_some(),
            format!(
                "{}: a document these tests do not recognise; teach \
                 tests/quizbot/deploy_files.rs what to check in it",
                doc.file
            ),
        );
    }
    let has = |wanted: Kind| documents.iter().any(|d| d.kind().as_ref() == Some(&wanted));
    for (what, kind) in [
        ("a StatefulSet", Kind::Kubernetes("StatefulSet".into())),
        (
            "a PodDisruptionBudget",
            Kind::Kubernetes("PodDisruptionBudget".into()),
        ),
        ("a Secret", Kind::Kubernetes("Secret".into())),
        ("a compose file", Kind::Compose),
        ("an ECS task definition", Kind::EcsTask),
    ] {
        findings.check(has(kind), format!("deploy/ should hold {what}"));
    }
    findings.assert_none("deploy/ is not what these tests expect");
}

#[test]
fn deploy_files_name_only_settings_quizbot_reads() {
    // Arrange
    let read = settings_read();
    let documents = documents();

    // Act
    let mut findings = Findings::default();
    for doc in &documents {
        let names = setting_names(doc);
        let runs_the_bot = doc.is_k8s("StatefulSet")
            || doc.is_k8s("Secret")
            || matches!(doc.kind(), Some(Kind::Compose | Kind::EcsTask));
        findings.check(
            !runs_the_bot || !names.is_empty(),
            format!("{}: found no settings to check", doc.label()),
        );
        for (place, name) in names {
            findings.check(
                !looks_like_a_setting(&name) || read.contains(name.as_str()),
                format!(
                    "{}: {place} {name} is not a setting quizbot reads",
                    doc.label()
                ),
            );
        }
    }

    // Assert
    let read: Vec<&str> = read.into_iter().collect();
    findings.assert_none(&format!(
        "settings quizbot does not read (it reads {})",
        read.join(", ")
    ));
}

#[test]
fn kubernetes_probes_ask_the_ops_paths_on_the_listening_port() {
    // Arrange
    let documents = documents();
    let mut findings = Findings::default();

    // Act / Assert
    for set in documents.iter().filter(|d| d.is_k8s("StatefulSet")) {
        let label = set.label();
        for container in containers(set) {
            let env = items(container.get("env"));
            let listen = listen_port(&label, env_value(env, "QUIZBOT_HTTP_ADDR"));
            let ports = items(container.get("ports"));
            // A probe's port is a number or the name of a container port.
            let resolve = |port: &Value| match port {
                Value::String(name) => ports
                    .iter()
                    .find(|p| text(p.get("name")) == name)
                    .and_then(|p| p["containerPort"].as_u64()),
                other => other.as_u64(),
            };
            let http = resolve(&Value::from("http"));
            findings.check(
                http == Some(listen),
                format!("{label}: container port `http` is {http:?}, quizbot listens on {listen}"),
            );
            for (probe, paths) in [
                ("livenessProbe", &[HEALTH_PATH][..]),
                ("readinessProbe", &[READY_PATH][..]),
                ("startupProbe", &[HEALTH_PATH, READY_PATH][..]),
            ] {
                let Some(get) = container.get(probe).map(|p| &p["httpGet"]) else {
                    findings.check(probe == "startupProbe", format!("{label}: no {probe}"));
                    continue;
                };
                let path = text(get.get("path"));
                findings.check(
                    paths.contains(&path),
                    format!("{label}: {probe} asks {path:?}, expected one of {paths:?}"),
                );
                let port = get.get("port").and_then(resolve);
                findings.check(
                    port == Some(listen),
                    format!("{label}: {probe} asks port {port:?}, quizbot listens on {listen}"),
                );
            }
            let annotations = set.value.pointer("/spec/template/metadata/annotations");
            let annotation = |key: &str| text(annotations.and_then(|a| a.get(key)));
            findings.check(
                annotation("prometheus.io/scrape") == "true",
                format!("{label}: pods should carry prometheus.io/scrape: \"true\""),
            );
            findings.check(
                annotation("prometheus.io/path") == METRICS_PATH,
                format!("{label}: prometheus.io/path should be {METRICS_PATH}"),
            );
            let scraped = annotation("prometheus.io/port");
            findings.check(
                scraped.parse() == Ok(listen),
                format!("{label}: prometheus.io/port is {scraped:?}, quizbot listens on {listen}"),
            );
        }
    }

    findings.assert_none("Kubernetes probes that miss the ops listener");
}

#[test]
fn the_statefulset_runs_one_shard_per_replica_and_its_objects_fit() {
    // Arrange
    let documents = documents();
    let k8s = |kind: &'static str| documents.iter().filter(move |d| d.is_k8s(kind));
    let mut findings = Findings::default();

    // Act / Assert
    for set in k8s("StatefulSet") {
        let label = set.label();
        let spec = &set.value["spec"];
        let pod_labels: BTreeMap<&str, &str> = spec
            .pointer("/template/metadata/labels")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), text(Some(v))))
            .collect();
        let selects_the_pods = |selector: Option<&Value>| {
            selector.and_then(Value::as_object).is_some_and(|s| {
                !s.is_empty()
                    && s.iter()
                        .all(|(k, v)| pod_labels.get(k.as_str()).copied() == v.as_str())
            })
        };
        findings.check(
            selects_the_pods(spec.pointer("/selector/matchLabels")),
            format!("{label}: its selector does not match its pod labels"),
        );

        // Each pod's ordinal is its shard, so the shard count is the replicas.
        let replicas = spec["replicas"].as_u64();
        for container in containers(set) {
            let env = items(container.get("env"));
            let shards = env_value(env, "QUIZBOT_DISCORD_SHARDS").and_then(|s| s.parse().ok());
            findings.check(
                shards.is_some() && shards == replicas,
                format!(
                    "{label}: QUIZBOT_DISCORD_SHARDS is {shards:?}, replicas {replicas:?}; \
                     every shard needs one pod and every pod one shard"
                ),
            );
            findings.check(
                env_value(env, "QUIZBOT_DISCORD_SHARD_ID").is_none(),
                format!(
                    "{label}: QUIZBOT_DISCORD_SHARD_ID would give every pod the same \
                     shard; the pod ordinal sets it"
                ),
            );
            let security = container.get("securityContext");
            let setting = |pointer: &str| security.and_then(|s| s.pointer(pointer));
            findings.check(
                setting("/readOnlyRootFilesystem") == Some(&Value::Bool(true)),
                format!("{label}: the container should have readOnlyRootFilesystem: true"),
            );
            findings.check(
                items(setting("/capabilities/drop")).contains(&Value::from("ALL")),
                format!("{label}: the container should drop ALL capabilities"),
            );
            for figure in ["requests/memory", "requests/cpu", "limits/memory"] {
                findings.check(
                    container.pointer(&format!("/resources/{figure}")).is_some(),
                    format!("{label}: resources {figure} is not set"),
                );
            }
            // Every secret the pod reads is a key of a Secret in deploy/.
            for reference in env
                .iter()
                .filter_map(|e| e.pointer("/valueFrom/secretKeyRef"))
            {
                let (secret, key) = (text(reference.get("name")), text(reference.get("key")));
                let found = k8s("Secret").any(|s| {
                    s.name() == secret
                        && ["stringData", "data"]
                            .iter()
                            .any(|f| s.value.get(f).and_then(|m| m.get(key)).is_some())
                });
                findings.check(
                    found,
                    format!("{label}: secretKeyRef {secret}/{key} is in no Secret under deploy/"),
                );
            }
        }
        let pod = &spec["template"]["spec"];
        findings.check(
            pod.pointer("/securityContext/runAsNonRoot") == Some(&Value::Bool(true)),
            format!("{label}: the pod should set securityContext.runAsNonRoot: true"),
        );
        let grace = seconds(pod.get("terminationGracePeriodSeconds"));
        findings.check_grace(&label, "terminationGracePeriodSeconds", grace);

        // The governing Service exists and is headless; every Service and the
        // disruption budget select these pods.
        let service_name = text(spec.get("serviceName"));
        let governing = k8s("Service").find(|s| s.name() == service_name);
        findings.check(
            governing.is_some_and(|s| text(s.value.pointer("/spec/clusterIP")) == "None"),
            format!(
                "{label}: serviceName {service_name:?} should name a headless Service \
                 (clusterIP: None) in deploy/"
            ),
        );
        for service in k8s("Service") {
            findings.check(
                selects_the_pods(service.value.pointer("/spec/selector")),
                format!("{}: its selector misses {label}'s pods", service.label()),
            );
        }
        for budget in k8s("PodDisruptionBudget") {
            let budget_label = budget.label();
            findings.check(
                selects_the_pods(budget.value.pointer("/spec/selector/matchLabels")),
                format!("{budget_label}: its selector misses {label}'s pods"),
            );
            findings.check(
                budget.value.pointer("/spec/maxUnavailable") == Some(&Value::from(1)),
                format!("{budget_label}: maxUnavailable should be 1 (one shard down at a time)"),
            );
        }
    }

    findings.assert_none("Kubernetes objects that do not fit together");
}

#[test]
fn the_ecs_task_runs_on_fargate_health_checked_with_managed_secrets() {
    // Arrange
    let documents = documents();
    let mut findings = Findings::default();

    // Act / Assert
    for task in documents.iter().filter(|d| d.kind() == Some(Kind::EcsTask)) {
        let file = &task.file;
        let v = &task.value;
        findings.check(
            items(v.get("requiresCompatibilities")).contains(&Value::from("FARGATE")),
            format!("{file}: requiresCompatibilities should include FARGATE"),
        );
        findings.check(
            text(v.get("networkMode")) == "awsvpc",
            format!("{file}: Fargate needs networkMode awsvpc"),
        );
        for field in ["cpu", "memory"] {
            findings.check(
                v.get(field).is_some_and(Value::is_string),
                format!("{file}: task-level {field} should be a string such as \"256\""),
            );
        }
        findings.check(
            text(v.get("executionRoleArn")).starts_with("arn:aws:iam::"),
            format!("{file}: executionRoleArn (pulls the image, reads the secrets) is no role ARN"),
        );
        for container in items(v.get("containerDefinitions")) {
            let env = items(container.get("environment"));
            let listen = listen_port(file, env_value(env, "QUIZBOT_HTTP_ADDR"));
            let mapped: Vec<u64> = items(container.get("portMappings"))
                .iter()
                .filter_map(|m| m["containerPort"].as_u64())
                .collect();
            findings.check(
                mapped.contains(&listen),
                format!("{file}: portMappings {mapped:?} miss {listen}, where quizbot listens"),
            );
            findings.check_health_command(file, container.pointer("/healthCheck/command"), listen);
            for secret in items(container.get("secrets")) {
                let from = text(secret.get("valueFrom"));
                findings.check(
                    from.starts_with("arn:aws:secretsmanager:") || from.starts_with("arn:aws:ssm:"),
                    format!(
                        "{file}: secret {} comes from {from:?}, not a Secrets Manager or SSM ARN",
                        text(secret.get("name"))
                    ),
                );
            }
            findings.check_grace(file, "stopTimeout", seconds(container.get("stopTimeout")));
            findings.check(
                text(container.pointer("/logConfiguration/logDriver")) == "awslogs",
                format!("{file}: logs should go to CloudWatch (logDriver awslogs)"),
            );
        }
    }

    findings.assert_none("an ECS task definition Fargate would refuse or run badly");
}

#[test]
fn the_compose_bot_is_health_checked_waits_for_postgres_and_drains() {
    // Arrange
    let documents = documents();
    let mut findings = Findings::default();

    // Act / Assert: the bot's service is the one built from the Dockerfile.
    for doc in documents.iter().filter(|d| d.kind() == Some(Kind::Compose)) {
        let services = doc.value["services"].as_object().into_iter().flatten();
        for (name, service) in services.filter(|(_, s)| s.get("build").is_some()) {
            let place = format!("{}: services.{name}", doc.file);
            let addr = service.pointer("/environment/QUIZBOT_HTTP_ADDR");
            let listen = listen_port(&place, addr.and_then(Value::as_str));
            // "8080:8080" or "127.0.0.1:8080:8080": the container's side is last.
            let published: Vec<u64> = items(service.get("ports"))
                .iter()
                .filter_map(|p| text(Some(p)).rsplit(':').next()?.parse().ok())
                .collect();
            findings.check(
                published.contains(&listen),
                format!("{place}: ports {published:?} miss {listen}, where quizbot listens"),
            );
            findings.check_health_command(&place, service.pointer("/healthcheck/test"), listen);
            let waits = service.get("depends_on").and_then(Value::as_object);
            findings.check(
                waits.is_some_and(|w| {
                    !w.is_empty()
                        && w.values()
                            .all(|d| text(d.get("condition")) == "service_healthy")
                }),
                format!("{place}: depends_on should wait for service_healthy"),
            );
            let grace = seconds(service.get("stop_grace_period"));
            findings.check_grace(&place, "stop_grace_period", grace);
        }
    }

    findings.assert_none("a compose file that runs the bot unchecked or stops it too early");
}
