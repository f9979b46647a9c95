#!/usr/bin/env python3
"""Writes a deterministic synthetic Rust ecosystem for scripts/bench.sh.

N repositories, each a Cargo workspace of M crates (members = ["crates/*"], shared
[workspace.dependencies], a Cargo.lock of format 3), each crate with K .rs files of about L
lines: OpenTelemetry pipeline set-up (the OTLP builder of 0.27/0.28, the 0.21 new_pipeline()
style, the Jaeger agent pipeline), spans and #[instrument] attributes, env var reads, service
names, propagators, plus ordinary code (structs, impls, matches, tests, comments, raw strings)
around them. The same arguments always give byte-identical output (fixed seed), so figures of
two runs compare the same input.

The OpenTelemetry crate versions come from the line packs rules/otel-LINE.toml, so the audit sees
the lines it knows; the other crates and their versions are made up but shaped like real ones.

Usage: gen-ecosystem.py OUT_DIR [--repos N] [--crates M] [--files K] [--lines L] [--seed S]
Prints the number of repositories, crates, .rs files and lines of Rust written.
"""

import argparse
import hashlib
import os
import random
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Line profiles a repository can be on, with weights: mostly the target line, some behind, some
# ahead, a few on the deprecated Jaeger exporter, a few mixing two lines.
PROFILES = [("0.27", 50), ("0.21", 15), ("jaeger", 10), ("0.28", 10), ("mixed", 15)]

WORDS = ("order invoice ledger route policy quota token cache shard tenant model prompt "
         "budget metric alert rule window batch stream queue worker session user account "
         "price usage limit score signal event trace record index store frame packet").split()

REGISTRY = "registry+https://github.com/rust-lang/crates.io-index"

# Crates besides OpenTelemetry's that a tokio/tonic service locks (name, version, deps).
THIRD_PARTY = [
    ("tokio", "1.41.1", ["bytes", "libc", "mio", "pin-project-lite", "socket2"]),
    ("tokio-macros", "2.4.0", ["proc-macro2", "quote", "syn"]),
    ("tokio-stream", "0.1.16", ["futures-core", "pin-project-lite", "tokio"]),
    ("tonic", "0.12.3", ["async-trait", "base64", "bytes", "http", "hyper", "prost", "tokio"]),
    ("prost", "0.13.3", ["bytes", "prost-derive"]),
    ("prost-derive", "0.13.3", ["anyhow", "itertools", "proc-macro2", "quote", "syn"]),
    ("hyper", "1.5.0", ["bytes", "futures-channel", "http", "http-body", "tokio"]),
    ("http", "1.1.0", ["bytes", "fnv", "itoa"]),
    ("http-body", "1.0.1", ["bytes", "http"]),
    ("bytes", "1.8.0", []),
    ("serde", "1.0.215", ["serde_derive"]),
    ("serde_derive", "1.0.215", ["proc-macro2", "quote", "syn"]),
    ("serde_json", "1.0.133", ["itoa", "memchr", "ryu", "serde"]),
    ("tracing", "0.1.40", ["pin-project-lite", "tracing-attributes", "tracing-core"]),
    ("tracing-attributes", "0.1.27", ["proc-macro2", "quote", "syn"]),
    ("tracing-core", "0.1.32", ["once_cell"]),
    ("tracing-subscriber", "0.3.18", ["matchers", "once_cell", "regex", "sharded-slab",
                                      "thread_local", "tracing", "tracing-core"]),
    ("anyhow", "1.0.93", []),
    ("thiserror", "1.0.69", ["thiserror-impl"]),
    ("thiserror-impl", "1.0.69", ["proc-macro2", "quote", "syn"]),
    ("async-trait", "0.1.83", ["proc-macro2", "quote", "syn"]),
    ("futures-core", "0.3.31", []),
    ("futures-channel", "0.3.31", ["futures-core"]),
    ("futures-util", "0.3.31", ["futures-core", "pin-project-lite", "pin-utils", "slab"]),
    ("pin-project-lite", "0.2.15", []),
    ("pin-utils", "0.1.0", []),
    ("proc-macro2", "1.0.89", ["unicode-ident"]),
    ("quote", "1.0.37", ["proc-macro2"]),
    ("syn", "2.0.87", ["proc-macro2", "quote", "unicode-ident"]),
    ("unicode-ident", "1.0.13", []),
    ("once_cell", "1.20.2", []),
    ("regex", "1.11.1", ["aho-corasick", "memchr", "regex-automata", "regex-syntax"]),
    ("regex-automata", "0.4.9", ["aho-corasick", "memchr", "regex-syntax"]),
    ("regex-syntax", "0.8.5", []),
    ("aho-corasick", "1.1.3", ["memchr"]),
    ("memchr", "2.7.4", []),
    ("itoa", "1.0.11", []),
    ("ryu", "1.0.18", []),
    ("libc", "0.2.164", []),
    ("mio", "1.0.2", ["libc", "wasi"]),
    ("wasi", "0.11.0+wasi-snapshot-preview1", []),
    ("socket2", "0.5.7", ["libc"]),
    ("slab", "0.4.9", ["autocfg"]),
    ("autocfg", "1.4.0", []),
    ("fnv", "1.0.7", []),
    ("base64", "0.22.1", []),
    ("itertools", "0.13.0", ["either"]),
    ("either", "1.13.0", []),
    ("matchers", "0.1.0", ["regex-automata"]),
    ("sharded-slab", "0.1.7", ["lazy_static"]),
    ("lazy_static", "1.5.0", []),
    ("thread_local", "1.1.8", ["cfg-if", "once_cell"]),
    ("cfg-if", "1.0.0", []),
    ("uuid", "1.11.0", ["getrandom"]),
    ("getrandom", "0.2.15", ["cfg-if", "libc", "wasi"]),
    ("chrono", "0.4.38", ["num-traits"]),
    ("num-traits", "0.2.19", ["autocfg"]),
    ("reqwest", "0.12.9", ["bytes", "http", "hyper", "serde", "serde_json", "tokio"]),
    ("axum", "0.7.9", ["async-trait", "bytes", "http", "hyper", "serde", "tokio", "tracing"]),
]


def requirement(entry):
    """The requirement to write for a pack entry: its `matches` prefix that covers `latest`."""
    covering = [m for m in entry["matches"]
                if entry["latest"] == m or entry["latest"].startswith(m + ".")]
    return min(covering, key=len) if covering else entry["latest"]


def load_lines():
    """Every line pack (rules/otel-LINE.toml) as {line: {"crates": {crate: req}, "bridge": req}}."""
    lines = {}
    for name in sorted(os.listdir(os.path.join(ROOT, "rules"))):
        if not (name.startswith("otel-") and name.endswith(".toml")):
            continue
        with open(os.path.join(ROOT, "rules", name), "rb") as f:
            pack = tomllib.load(f)
        entry = {"crates": {c["name"]: requirement(c) for c in pack.get("crate", [])}}
        if "bridge" in pack:
            entry["bridge"] = requirement(pack["bridge"])
        lines[pack["line"]] = entry
    return lines


def checksum(name, version):
    return hashlib.sha256(f"{name}-{version}".encode()).hexdigest()


def full_version(v, rng):
    """A concrete release for a requirement line such as "0.14" or "0.29.1"."""
    return v if v.count(".") == 2 else f"{v}.{rng.choice([0, 0, 1, 2])}"


class Repo:
    def __init__(self, index, lines, rng):
        self.rng = rng
        self.name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{index:03d}"
        self.prefix = self.name.rsplit("-", 1)[0]
        choices = [p for p, _ in PROFILES]
        weights = [w for _, w in PROFILES]
        self.profile = rng.choices(choices, weights)[0]
        line = {"jaeger": "0.20", "mixed": "0.27"}.get(self.profile, self.profile)
        self.line = line
        self.crates_of_line = lines[line]["crates"]
        self.bridge = lines[line].get("bridge")
        # A mixed repository declares its SDK one line behind.
        self.sdk_line = lines["0.24"]["crates"] if self.profile == "mixed" else self.crates_of_line
        self.versions = {}  # crate -> locked version

    def otel_deps(self):
        c = self.crates_of_line
        deps = [("opentelemetry", c["opentelemetry"], ["trace", "metrics"]),
                ("opentelemetry_sdk", self.sdk_line["opentelemetry_sdk"], ["rt-tokio", "trace"])]
        if self.profile == "jaeger":
            # opentelemetry-jaeger 0.19 goes with opentelemetry 0.20: the release before it, 0.18,
            # came with opentelemetry 0.19 (apollographql/router changeset "update opentelemetry
            # to 0.19.0": "opentelemetry-jaeger 0.17.0 -> 0.18.0"), and public manifests pair
            # `opentelemetry = "0.20"` with `opentelemetry-jaeger = { version = "0.19",
            # features = ["rt-tokio"] }`.
            deps.append(("opentelemetry-jaeger", "0.19", ["rt-tokio"]))
        elif "opentelemetry-otlp" in c:
            deps.append(("opentelemetry-otlp", c["opentelemetry-otlp"], ["grpc-tonic", "trace"]))
        if "opentelemetry-semantic-conventions" in c:
            deps.append(("opentelemetry-semantic-conventions",
                         c["opentelemetry-semantic-conventions"], []))
        if self.bridge:
            deps.append(("tracing-opentelemetry", self.bridge, []))
        return deps


def dep_line(name, version, features):
    if not features:
        return f'{name} = "{version}"'
    feats = ", ".join(f'"{f}"' for f in features)
    return f'{name} = {{ version = "{version}", features = [{feats}] }}'


def workspace_manifest(repo):
    out = ["[workspace]", 'resolver = "2"', 'members = ["crates/*"]', "",
           "[workspace.package]", 'version = "0.4.2"', 'edition = "2021"',
           'license = "Apache-2.0"', f'repository = "https://git.example.com/platform/{repo.name}"',
           "", "[workspace.dependencies]"]
    for name, version, features in repo.otel_deps():
        out.append(dep_line(name, version, features))
    out += [dep_line("tokio", "1.41", ["full"]), dep_line("tonic", "0.12", []),
            dep_line("tracing", "0.1", []),
            dep_line("tracing-subscriber", "0.3", ["env-filter", "json"]),
            dep_line("serde", "1", ["derive"]), dep_line("serde_json", "1", []),
            dep_line("anyhow", "1", []), dep_line("thiserror", "1", []),
            dep_line("async-trait", "0.1", []), dep_line("uuid", "1", ["v4"]), "",
            "[profile.release]", "lto = \"thin\"", "codegen-units = 1", ""]
    return "\n".join(out)


def crate_manifest(repo, crate, is_bin, core):
    out = ["[package]", f'name = "{crate}"', "version.workspace = true",
           "edition.workspace = true", "license.workspace = true",
           f'description = "{crate.replace("-", " ")} service component"', ""]
    if is_bin:
        out += ["[[bin]]", f'name = "{crate}"', 'path = "src/main.rs"', ""]
    out.append("[dependencies]")
    for name, _, _ in repo.otel_deps():
        out.append(f"{name}.workspace = true")
    out += ["tokio.workspace = true", "tracing.workspace = true",
            "tracing-subscriber.workspace = true", "serde.workspace = true",
            "serde_json.workspace = true", "anyhow.workspace = true",
            "thiserror.workspace = true", "async-trait.workspace = true"]
    if crate != core:
        out.append(f'{core} = {{ path = "../{core}" }}')
    out += ["", "[dev-dependencies]", 'tokio = { workspace = true, features = ["test-util"] }', ""]
    return "\n".join(out)


def lockfile(repo, crates, core):
    rng = repo.rng
    entries = []
    otel = []
    for name, version, _ in repo.otel_deps():
        v = full_version(version, rng)
        repo.versions[name] = v
        otel.append(name)
        entries.append((name, v, REGISTRY, ["once_cell", "pin-project-lite", "thiserror"]))
    for name, version, deps in THIRD_PARTY:
        entries.append((name, version, REGISTRY, deps))
    direct = otel + ["tokio", "tracing", "tracing-subscriber", "serde", "serde_json", "anyhow",
                     "thiserror", "async-trait"]
    for crate in crates:
        entries.append((crate, "0.4.2", None, direct + ([core] if crate != core else [])))
    entries.sort(key=lambda e: (e[0], e[1]))
    out = ["# This file is automatically @generated by Cargo.", "# It is not intended for manual editing.",
           "version = 3", ""]
    for name, version, source, deps in entries:
        out += ["[[package]]", f'name = "{name}"', f'version = "{version}"']
        if source:
            out += [f'source = "{source}"', f'checksum = "{checksum(name, version)}"']
        if deps:
            out.append("dependencies = [")
            out += [f' "{d}",' for d in sorted(set(deps))]
            out.append("]")
        out.append("")
    return "\n".join(out)


# ---- Rust text -------------------------------------------------------------------------------

def telemetry_init(repo, service):
    """The pipeline set-up of the repository's line, as code on that line writes it."""
    if repo.profile == "jaeger":
        return f'''/// Installs the Jaeger agent pipeline (UDP to the local agent).
pub fn init_tracer() -> Result<opentelemetry_sdk::trace::Tracer, opentelemetry::trace::TraceError> {{
    global::set_text_map_propagator(opentelemetry_jaeger::Propagator::new());
    let agent = std::env::var("JAEGER_AGENT_ENDPOINT").unwrap_or_else(|_| "localhost:6831".into());
    opentelemetry_jaeger::new_agent_pipeline()
        .with_endpoint(agent)
        .with_service_name("{service}")
        .with_max_packet_size(65_000)
        .install_batch(opentelemetry_sdk::runtime::Tokio)
}}
'''
    if repo.profile == "0.21":
        return f'''/// Installs the OTLP pipeline over gRPC.
pub fn init_tracer() -> Result<opentelemetry_sdk::trace::Tracer, opentelemetry::trace::TraceError> {{
    global::set_text_map_propagator(TraceContextPropagator::new());
    let endpoint = std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT")
        .unwrap_or_else(|_| "http://localhost:4317".to_string());
    opentelemetry_otlp::new_pipeline()
        .tracing()
        .with_exporter(opentelemetry_otlp::new_exporter().tonic().with_endpoint(endpoint))
        .with_trace_config(opentelemetry_sdk::trace::config().with_resource(Resource::new(vec![
            KeyValue::new("service.name", "{service}"),
            KeyValue::new("deployment.environment", env_or("DEPLOY_ENV", "dev")),
        ])))
        .install_batch(opentelemetry_sdk::runtime::Tokio)
}}
'''
    return f'''/// Builds the tracer provider: OTLP over gRPC, batch export on the Tokio runtime.
pub fn init_tracer_provider() -> anyhow::Result<TracerProvider> {{
    global::set_text_map_propagator(TraceContextPropagator::new());
    let endpoint = std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT")
        .unwrap_or_else(|_| "http://localhost:4317".to_string());
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .build()?;
    let provider = TracerProvider::builder()
        .with_batch_exporter(exporter, opentelemetry_sdk::runtime::Tokio)
        .with_resource(Resource::new(vec![
            KeyValue::new("service.name", "{service}"),
            KeyValue::new("service.version", env!("CARGO_PKG_VERSION")),
        ]))
        .build();
    global::set_tracer_provider(provider.clone());
    Ok(provider)
}}
'''


def telemetry_uses(repo):
    if repo.profile == "jaeger":
        return ["use opentelemetry::global;"]
    if repo.profile == "0.21":
        return ["use opentelemetry::{global, KeyValue};",
                "use opentelemetry_sdk::{propagation::TraceContextPropagator, Resource};"]
    return ["use opentelemetry::{global, KeyValue};",
            "use opentelemetry_sdk::{propagation::TraceContextPropagator, trace::TracerProvider, Resource};"]


def chunk_struct(rng, w):
    name = w.title().replace("-", "")
    fields = rng.sample(WORDS, 4)
    body = "\n".join(f"    pub {f}_{i}: {rng.choice(['u64', 'String', 'Option<u32>', 'Vec<u8>', 'bool'])},"
                     for i, f in enumerate(fields))
    return f'''/// A {w} as the {rng.choice(WORDS)} service stores it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct {name}Record {{
{body}
}}

impl {name}Record {{
    /// Checks the record before it is stored; `'a` keeps the borrow of the label.
    pub fn label<'a>(&'a self, prefix: &'a str) -> std::borrow::Cow<'a, str> {{
        if prefix.is_empty() {{
            std::borrow::Cow::Borrowed("{w}")
        }} else {{
            std::borrow::Cow::Owned(format!("{{prefix}}/{w}/{{}}", {rng.randint(1, 999)}))
        }}
    }}
}}
'''


def chunk_span_fn(rng, w, service):
    other = rng.choice(WORDS)
    n = rng.randint(2, 64)
    return f'''#[tracing::instrument(name = "{service}.{w}", skip(payload), fields({other}_id = %id))]
pub async fn handle_{w}_{n}(id: u64, payload: &[u8]) -> anyhow::Result<usize> {{
    let span = tracing::info_span!("{w}.decode", size = payload.len());
    let _guard = span.enter();
    let limit: usize = std::env::var("{w.upper()}_LIMIT_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or({n * 1024});
    if payload.len() > limit {{
        tracing::warn!(limit, got = payload.len(), "payload over limit");
        return Err(anyhow::anyhow!("{w} payload of {{}} bytes is over {{limit}}", payload.len()));
    }}
    /* Decoding is done in place: /* nested */ no copy of the payload. */
    let count = payload.iter().filter(|b| **b == b'\\n').count();
    tracing::debug!(count, "{w} decoded");
    Ok(count + {n})
}}
'''


def chunk_match(rng, w):
    arms = "\n".join(f'        {i} => "{rng.choice(WORDS)}-{i}",' for i in range(rng.randint(3, 7)))
    return f'''/// Maps a {w} code to its label (codes are stable across releases).
pub fn {w}_label(code: u16) -> &'static str {{
    match code {{
{arms}
        0x100..=0x1FF => "reserved",
        _ => "unknown",
    }}
}}
'''


def chunk_consts(rng, w, service):
    port = rng.choice([4317, 4318, 8080, 9090, 6831, 14268])
    return f'''pub const {w.upper()}_SERVICE: &str = "{service}";
pub const {w.upper()}_PORT: u16 = {port};
static {w.upper()}_BANNER: &str = r#"{{"service": "{service}", "component": "{w}"}}"#;
const {w.upper()}_HEADER: &[u8] = b"x-{w}-id";
'''


def chunk_env(rng, w):
    var = rng.choice(["OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT", "RUST_LOG",
                      f"{w.upper()}_URL", "OTEL_TRACES_SAMPLER", "DEPLOY_ENV"])
    return f'''/// Reads a setting from the environment with a default.
pub fn {w}_setting() -> String {{
    // The variable is documented in the runbook; keep the name stable.
    match std::env::var("{var}") {{
        Ok(value) if !value.trim().is_empty() => value,
        _ => String::from("{rng.choice(WORDS)}"),
    }}
}}
'''


def chunk_trait(rng, w):
    return f'''#[async_trait::async_trait]
pub trait {w.title()}Store: Send + Sync {{
    async fn load(&self, id: u64) -> Option<Vec<u8>>;
    async fn save(&self, id: u64, data: &[u8]) -> anyhow::Result<()>;
    fn name(&self) -> &'static str {{
        "{w}-store"
    }}
}}

pub struct Memory{w.title()}Store {{
    inner: std::sync::Mutex<std::collections::HashMap<u64, Vec<u8>>>,
}}

#[async_trait::async_trait]
impl {w.title()}Store for Memory{w.title()}Store {{
    async fn load(&self, id: u64) -> Option<Vec<u8>> {{
        self.inner.lock().ok()?.get(&id).cloned()
    }}
    async fn save(&self, id: u64, data: &[u8]) -> anyhow::Result<()> {{
        let mut map = self.inner.lock().map_err(|e| anyhow::anyhow!("poisoned: {{e}}"))?;
        map.insert(id, data.to_vec());
        Ok(())
    }}
}}
'''


def chunk_tests(rng, w):
    return f'''#[cfg(test)]
mod {w}_tests {{
    use super::*;

    #[test]
    fn {w}_label_is_stable() {{
        assert_eq!({w}_label(0x1A0), "reserved");
        assert_eq!({w}_label(9999), "unknown");
        let s = "tests may name \\"service.name\\" freely";
        assert!(s.contains("service.name"));
    }}
}}
'''


def rust_file(repo, rng, service, lines, init, module_names, is_main):
    out = ["//! " + f"{service}: {rng.choice(WORDS)} handling.", "",
           "#![allow(dead_code)]", ""]
    if module_names:
        out += [f"pub mod {m};" for m in module_names] + [""]
    if init:
        out += telemetry_uses(repo)
    out += ["use std::collections::HashMap;", "use tracing::{debug, info, warn};", ""]
    if init:
        out += ["fn env_or(key: &str, default: &str) -> String {",
                "    std::env::var(key).unwrap_or_else(|_| default.to_string())", "}", ""]
        out += telemetry_init(repo, service).split("\n")
    if is_main:
        fn = "init_tracer" if repo.profile in ("jaeger", "0.21") else "init_tracer_provider"
        out += ["#[tokio::main]", "async fn main() -> anyhow::Result<()> {",
                f"    let _telemetry = {fn}()?;",
                f'    info!(service = "{service}", "starting");', "    Ok(())", "}", ""]
    used = set()
    chunks = [chunk_struct, chunk_span_fn, chunk_match, chunk_consts, chunk_env, chunk_trait]
    while len(out) < lines:
        w = rng.choice(WORDS)
        while w in used:
            w = f"{rng.choice(WORDS)}_{rng.randint(0, 9999)}"
        used.add(w)
        gen = rng.choice(chunks)
        text = gen(rng, w, service) if gen in (chunk_span_fn, chunk_consts) else gen(rng, w)
        out += text.split("\n")
        if gen is chunk_match and rng.random() < 0.3:
            out += chunk_tests(rng, w).split("\n")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--repos", type=int, default=20)
    ap.add_argument("--crates", type=int, default=10)
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--lines", type=int, default=500)
    ap.add_argument("--seed", type=int, default=20250101)
    args = ap.parse_args()
    if min(args.repos, args.crates, args.files, args.lines) < 1:
        sys.exit("gen-ecosystem: every count must be at least 1")

    lines = load_lines()
    rng = random.Random(args.seed)
    total_lines = total_files = total_crates = 0
    os.makedirs(args.out, exist_ok=True)
    for r in range(args.repos):
        repo = Repo(r, lines, rng)
        root = os.path.join(args.out, repo.name)
        crates = [f"{repo.prefix}-{w}" for w in ["core"] + rng.sample(WORDS, args.crates - 1)] \
            if args.crates <= len(WORDS) + 1 else \
            [f"{repo.prefix}-core"] + [f"{repo.prefix}-c{i:04d}" for i in range(1, args.crates)]
        core = crates[0]
        for c_index, crate in enumerate(crates):
            is_bin = c_index == 1 or args.crates == 1
            cdir = os.path.join(root, "crates", crate)
            os.makedirs(os.path.join(cdir, "src"), exist_ok=True)
            with open(os.path.join(cdir, "Cargo.toml"), "w") as f:
                f.write(crate_manifest(repo, crate, is_bin, core))
            modules = [f"{rng.choice(WORDS)}_{i}" for i in range(1, args.files)]
            service = crate if rng.random() < 0.8 else crate.replace("-", "_").upper()
            for f_index in range(args.files):
                if f_index == 0:
                    name = "main.rs" if is_bin else "lib.rs"
                    text = rust_file(repo, rng, service, args.lines, init=is_bin,
                                     module_names=modules, is_main=is_bin)
                else:
                    name = modules[f_index - 1] + ".rs"
                    text = rust_file(repo, rng, service, args.lines, init=False,
                                     module_names=[], is_main=False)
                with open(os.path.join(cdir, "src", name), "w") as f:
                    f.write(text)
                total_lines += text.count("\n")
                total_files += 1
            total_crates += 1
        with open(os.path.join(root, "Cargo.toml"), "w") as f:
            f.write(workspace_manifest(repo))
        with open(os.path.join(root, "Cargo.lock"), "w") as f:
            f.write(lockfile(repo, crates, core))
    print(f"repos={args.repos} crates={total_crates} rs_files={total_files} rust_lines={total_lines}")


if __name__ == "__main__":
    main()
