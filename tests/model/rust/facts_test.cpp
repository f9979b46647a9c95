#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "model/rust/facts.h"

using namespace otelaudit::rust;

namespace {

// Compact one-line renderings, so a failing check shows every fact of a kind at once.
std::string at(const Pos& p) {
  return std::to_string(p.line) + ":" + std::to_string(p.column);
}

std::string render(const Arg& a) {
  std::string out = at(a.pos) + " ";
  if (a.literal) out += "lit='" + a.value + "' ";
  return out + a.text;
}

std::string paths(const FileFacts& f) {
  std::string out;
  for (const PathRef& p : f.paths) {
    out += at(p.pos) + " ";
    for (std::size_t i = 0; i < p.segments.size(); ++i)
      out += (i ? "::" : "") + p.segments[i];
    if (p.in_use) out += " use";
    if (p.glob) out += " glob";
    if (p.extern_crate) out += " extern";
    if (!p.alias.empty()) out += " as " + p.alias;
    if (p.in_test) out += " test";
    if (p.quoted) out += " quoted";
    out += "\n";
  }
  return out;
}

std::string calls(const FileFacts& f) {
  std::string out;
  for (const Call& c : f.calls) {
    out += at(c.pos) + " " + c.callee;
    if (c.method) out += " method";
    if (c.macro) out += " macro";
    if (c.in_test) out += " test";
    if (c.quoted) out += " quoted";
    out += " (";
    for (std::size_t i = 0; i < c.args.size(); ++i)
      out += (i ? " | " : "") + render(c.args[i]);
    out += ")\n";
  }
  return out;
}

std::string fields(const FileFacts& f) {
  std::string out;
  for (const FieldInit& x : f.fields)
    out += x.field + " = " + render(x.value) + (x.in_test ? " test" : "") + "\n";
  return out;
}

std::string items(const FileFacts& f) {
  std::string out;
  for (const StringItem& x : f.items)
    out += x.name + " = " + render(x.value) + (x.in_test ? " test" : "") + "\n";
  return out;
}

std::string attributes(const FileFacts& f) {
  std::string out;
  for (const Attribute& a : f.attributes) {
    out += at(a.pos) + (a.inner ? " #!" : " #") + a.path;
    for (const auto& [key, value] : a.values)
      out += " " + key + "=" + render(value);
    if (a.in_test) out += " test";
    out += "\n";
  }
  return out;
}

std::string mods(const FileFacts& f) {
  std::string out;
  for (const ModDecl& m : f.mods) {
    out += at(m.pos) + " ";
    std::string parents; // the enclosing inline modules, outermost first
    for (int p = m.parent; p >= 0 && p < static_cast<int>(f.mods.size()); p = f.mods[p].parent)
      parents = f.mods[p].name + "/" + parents;
    out += parents + m.name;
    if (m.inline_body) out += " {}";
    if (m.path_attr) out += " path=" + *m.path_attr;
    if (m.cfg_test) out += " cfg(test)";
    out += "\n";
  }
  return out;
}

std::string strings(const FileFacts& f) {
  std::string out;
  for (const Arg& s : f.strings)
    out += render(s) + "\n";
  return out;
}

std::string test_lines(const FileFacts& f) {
  std::string out;
  for (const auto& [first, last] : f.test_lines)
    out += std::to_string(first) + "-" + std::to_string(last) + "\n";
  return out;
}

} // namespace

TEST_CASE("facts: OpenTelemetry 0.26 pipeline init") {
  // The opentelemetry-otlp pipeline builder of the 0.26 line (new_pipeline was removed in
  // 0.27), as an LLM gateway would write it.
  const FileFacts f = extract_facts(R"(use opentelemetry::{global, KeyValue};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::{trace as sdktrace, Resource};

pub fn init_tracer(endpoint: &str) -> Result<sdktrace::Tracer, TraceError> {
    opentelemetry_otlp::new_pipeline()
        .tracing()
        .with_exporter(opentelemetry_otlp::new_exporter().tonic().with_endpoint(endpoint))
        .with_trace_config(opentelemetry_sdk::trace::config().with_resource(Resource::new(vec![KeyValue::new("service.name", "llm-edge-agent")])))
        .install_batch(opentelemetry_sdk::runtime::Tokio)
}
)");
  CHECK(paths(f) == "1:5 opentelemetry::global use\n"
                    "1:5 opentelemetry::KeyValue use\n"
                    "2:5 opentelemetry_otlp::WithExportConfig use\n"
                    "3:5 opentelemetry_sdk::trace use as sdktrace\n"
                    "3:5 opentelemetry_sdk::Resource use\n"
                    "5:46 sdktrace::Tracer\n"
                    "6:5 opentelemetry_otlp::new_pipeline\n"
                    "8:24 opentelemetry_otlp::new_exporter\n"
                    "9:28 opentelemetry_sdk::trace::config\n"
                    "9:77 Resource::new\n"
                    "9:96 KeyValue::new\n"
                    "10:24 opentelemetry_sdk::runtime::Tokio\n");
  CHECK(calls(f) ==
        "6:25 opentelemetry_otlp::new_pipeline ()\n"
        "7:10 tracing method ()\n"
        "8:10 with_exporter method (8:24 "
        "opentelemetry_otlp::new_exporter().tonic().with_endpoint(endpoint))\n"
        "8:44 opentelemetry_otlp::new_exporter ()\n"
        "8:59 tonic method ()\n"
        "8:67 with_endpoint method (8:81 endpoint)\n"
        "9:10 with_trace_config method (9:28 "
        "opentelemetry_sdk::trace::config().with_resource(Resource::new(vec![KeyValue::new("
        "\"service.name\", \"llm-edge-agent\")])))\n"
        "9:54 opentelemetry_sdk::trace::config ()\n"
        "9:63 with_resource method (9:77 Resource::new(vec![KeyValue::new(\"service.name\", "
        "\"llm-edge-agent\")]))\n"
        "9:87 Resource::new (9:91 vec![KeyValue::new(\"service.name\", \"llm-edge-agent\")])\n"
        "9:91 vec macro (9:96 KeyValue::new(\"service.name\", \"llm-edge-agent\"))\n"
        "9:106 KeyValue::new (9:110 lit='service.name' \"service.name\" | 9:126 "
        "lit='llm-edge-agent' \"llm-edge-agent\")\n"
        "10:10 install_batch method (10:24 opentelemetry_sdk::runtime::Tokio)\n");
  CHECK(strings(f) == "9:110 lit='service.name' \"service.name\"\n"
                      "9:126 lit='llm-edge-agent' \"llm-edge-agent\"\n");
  CHECK(f.line_count == 11);
  CHECK(f.lex_diagnostics.empty());
  CHECK(f.test_lines.empty());
}

TEST_CASE("facts: tokens of macro_rules! bodies and quote! arguments are marked quoted") {
  const FileFacts f = extract_facts(R"(macro_rules! init {
    () => { ::tracing_subscriber::fmt::init(); mod gen; };
}
fn expand() {
    let t = quote::quote! { tracing::info!("x"); mod generated {} };
    let u = quote_spanned! {span=> opentelemetry_sdk::trace::Tracer };
    tracing::debug!("own");
}
)");
  CHECK(paths(f) == "2:15 tracing_subscriber::fmt::init quoted\n"
                    "5:13 quote::quote\n"
                    "5:29 tracing::info quoted\n"
                    "6:36 opentelemetry_sdk::trace::Tracer quoted\n"
                    "7:5 tracing::debug\n");
  CHECK(calls(f) == "2:40 tracing_subscriber::fmt::init quoted ()\n"
                    "5:20 quote::quote macro (5:29 tracing::info!(\"x\"); mod generated {})\n"
                    "5:38 tracing::info macro quoted (5:44 lit='x' \"x\")\n"
                    "6:13 quote_spanned macro (6:29 span=> opentelemetry_sdk::trace::Tracer)\n"
                    "7:14 tracing::debug macro (7:21 lit='own' \"own\")\n");
  // A `mod` in quoted tokens declares a module of the crate they end up in.
  CHECK(f.mods.empty());
}

TEST_CASE("facts: a qualified path call is a call of the trait (or type) that qualifies it") {
  const FileFacts f = extract_facts(R"(fn f<P: TracerProvider>(p: &P) {
    <P as TracerProvider>::tracer_builder(p, "a");
    <P as opentelemetry::trace::TracerProvider>::tracer(p, "b");
    <Vec<u8>>::new();
}
)");
  CHECK(calls(f) == "2:28 TracerProvider::tracer_builder (2:43 p | 2:46 lit='a' \"a\")\n"
                    "3:50 opentelemetry::trace::TracerProvider::tracer (3:57 p | 3:60 lit='b' "
                    "\"b\")\n"
                    "4:16 Vec::new ()\n");
}

TEST_CASE("facts: use trees, aliases, self, globs and extern crate") {
  const FileFacts f = extract_facts(R"(use a::{b, c::{d, e as f}, self};
pub use ::g::h::*;
pub(crate) use serde;
use r#type::{self as t, _x as _};
extern crate alloc;
extern crate std as core_std;
use crate::{super_mod::X, self::Y};
)");
  CHECK(paths(f) == "1:5 a::b use\n"
                    "1:5 a::c::d use\n"
                    "1:5 a::c::e use as f\n"
                    "1:5 a use\n"
                    "2:11 g::h use glob\n"
                    "3:16 serde use\n"
                    "4:5 type use as t\n"
                    "4:5 type::_x use as _\n"
                    "5:14 alloc extern\n"
                    "6:14 std extern as core_std\n"
                    "7:5 crate::super_mod::X use\n"
                    "7:5 crate::self::Y use\n");
}

TEST_CASE("facts: a path keeps the position of its last segment, a use leaf its own token") {
  const FileFacts f = extract_facts(R"(use opentelemetry_sdk::{
    runtime,
    trace::{Sampler, TracerProvider as Provider},
};
use a::{self as b, c::*};
extern crate d;
fn f() { x::y::z(); }
)");
  std::string out;
  for (const PathRef& p : f.paths) {
    out += at(p.pos) + " " + at(p.last_pos);
    for (const std::string& s : p.segments)
      out += " " + s;
    out += "\n";
  }
  CHECK(out == "1:5 2:5 opentelemetry_sdk runtime\n"
               "1:5 3:13 opentelemetry_sdk trace Sampler\n"
               "1:5 3:22 opentelemetry_sdk trace TracerProvider\n"
               "5:5 5:9 a\n"
               "5:5 5:20 a c\n"
               "6:14 6:14 d\n"
               "7:10 7:16 x y z\n");
}

TEST_CASE("facts: paths in code are maximal and skip generic arguments") {
  const FileFacts f = extract_facts(R"(fn f() {
    let v = Vec::<u8>::with_capacity(3);
    let n = ::std::mem::size_of::<u64>();
    let m: std::collections::HashMap<String, opentelemetry::Value> = Default::default();
    let x = Self::CONST + crate::a::B;
    let it = xs.iter().map(|x| x.0).collect::<Vec<_>>();
}
)");
  CHECK(paths(f) == "2:13 Vec::with_capacity\n"
                    "3:15 std::mem::size_of\n"
                    "4:12 std::collections::HashMap\n"
                    "4:46 opentelemetry::Value\n"
                    "4:70 Default::default\n"
                    "5:13 Self::CONST\n"
                    "5:27 crate::a::B\n");
  CHECK(calls(f) == "2:24 Vec::with_capacity (2:38 3)\n"
                    "3:25 std::mem::size_of ()\n"
                    "4:79 Default::default ()\n"
                    "6:17 iter method ()\n"
                    "6:24 map method (6:28 |x| x.0)\n"
                    "6:37 collect method ()\n");
}

TEST_CASE("facts: paths inside turbofish arguments are paths, and no call's arguments") {
  const FileFacts f = extract_facts(R"(fn f() {
    let n = std::mem::size_of::<opentelemetry_sdk::trace::Sampler>();
    let l = tracing_opentelemetry::layer::<tracing_subscriber::Registry>().with_tracer(t);
    g(a, Vec::<HashMap<K, opentelemetry::Value>>::new(), b);
    h::<a::B<c::D>, ::e::F>(x);
}
)");
  CHECK(paths(f) == "2:13 std::mem::size_of\n"
                    "2:33 opentelemetry_sdk::trace::Sampler\n"
                    "3:13 tracing_opentelemetry::layer\n"
                    "3:44 tracing_subscriber::Registry\n"
                    "4:10 Vec::new\n"
                    "4:27 opentelemetry::Value\n"
                    "5:9 a::B\n"
                    "5:14 c::D\n"
                    "5:23 e::F\n");
  CHECK(calls(f) == "2:23 std::mem::size_of ()\n"
                    "3:36 tracing_opentelemetry::layer ()\n"
                    "3:76 with_tracer method (3:88 t)\n"
                    "4:5 g (4:7 a | 4:10 Vec::<HashMap<K, opentelemetry::Value>>::new() | 4:58 b)\n"
                    "4:51 Vec::new ()\n"
                    "5:5 h (5:29 x)\n");
}

TEST_CASE("facts: a name imported by use is a one-segment path where it is used alone") {
  const FileFacts f = extract_facts(R"(use opentelemetry_sdk::trace::{Tracer, TracerProvider};
use opentelemetry::global::{self, shutdown_tracer_provider};
use opentelemetry::trace::TracerProvider as _;
pub struct Telemetry {
    pub provider: TracerProvider,
    global: bool,
}
fn keep(p: TracerProvider) -> Option<TracerProvider> { Some(p) }
fn stopper() -> fn() { shutdown_tracer_provider }
fn other(t: Telemetry) -> Telemetry {
    t.global; t.shutdown_tracer_provider();
    let tracer = make::<Tracer>();
    shutdown_tracer_provider();
    Telemetry { provider: t.provider, global: true }
}
enum Kind { Tracer, Other }
#[cfg(test)]
mod tests { use mock::Mocked; fn m() -> Mocked { Mocked } }
fn later() -> Mocked { unimplemented!() }
)");
  CHECK(paths(f) == "1:5 opentelemetry_sdk::trace::Tracer use\n"
                    "1:5 opentelemetry_sdk::trace::TracerProvider use\n"
                    "2:5 opentelemetry::global use\n"
                    "2:5 opentelemetry::global::shutdown_tracer_provider use\n"
                    "3:5 opentelemetry::trace::TracerProvider use as _\n"
                    "5:19 TracerProvider\n"
                    "8:12 TracerProvider\n"
                    "8:38 TracerProvider\n"
                    "9:24 shutdown_tracer_provider\n"
                    "12:25 Tracer\n"
                    "13:5 shutdown_tracer_provider\n"
                    "18:17 mock::Mocked use test\n");
  CHECK(calls(f) == "8:56 Some (8:61 p)\n"
                    "11:17 shutdown_tracer_provider method ()\n"
                    "12:18 make ()\n"
                    "13:5 shutdown_tracer_provider ()\n"
                    "19:24 unimplemented macro ()\n");
}

TEST_CASE("facts: macros, env reads and non-literal arguments") {
  const FileFacts f = extract_facts(R"(fn f(m: &str, c: u8) {
    let span = info_span!("llm.request", model = %m);
    let ep = std::env::var("OTLP_ENDPOINT").unwrap_or_else(|_| "http://localhost:4317".into());
    let x = option_env!("X");
    let name = format!("llm.{}", c);
    tracing::info_span!["a", b];
    my_macro! { x: "y" }
    let raw = env!(r#"RAW"#);
}
)");
  CHECK(calls(f) ==
        "2:16 info_span macro (2:27 lit='llm.request' \"llm.request\" | 2:42 model = %m)\n"
        "3:24 std::env::var (3:28 lit='OTLP_ENDPOINT' \"OTLP_ENDPOINT\")\n"
        "3:45 unwrap_or_else method (3:60 |_| \"http://localhost:4317\".into())\n"
        "3:88 into method ()\n"
        "4:13 option_env macro (4:25 lit='X' \"X\")\n"
        "5:16 format macro (5:24 lit='llm.{}' \"llm.{}\" | 5:34 c)\n"
        "6:14 tracing::info_span macro (6:25 lit='a' \"a\" | 6:30 b)\n"
        "7:5 my_macro macro (7:17 x: \"y\")\n"
        "8:15 env macro (8:20 lit='RAW' r#\"RAW\"#)\n");
  CHECK(fields(f) == "x = 7:20 lit='y' \"y\"\n");
}

TEST_CASE("facts: the commas between a closure's parameter bars separate no argument") {
  const FileFacts f = extract_facts(R"(fn f(x: Builder) {
    x.with_batch_exporter(|a, c| a + c);
    g(move |a, (b, c)| a, d);
    h(|| a, b);
    k(|a| |b, c| a, d | e, f);
}
)");
  CHECK(calls(f) == "2:7 with_batch_exporter method (2:27 |a, c| a + c)\n"
                    "3:5 g (3:7 move |a, (b, c)| a | 3:27 d)\n"
                    "4:5 h (4:7 || a | 4:13 b)\n"
                    "5:5 k (5:7 |a| |b, c| a | 5:21 d | e | 5:28 f)\n");
}

TEST_CASE("facts: struct field literals, const and static items") {
  const FileFacts f = extract_facts(R"(pub const SERVICE: &str = "llm-edge-agent";
static ENDPOINT: &'static str = "http://collector:4317";
pub static mut COUNTER: u32 = 0;
const NAMES: [&str; 2] = ["a", "b"];
const fn not_an_item() -> u8 { 0 }
struct Config { service_name: &'static str }
fn build(x: &str) -> Config {
    let a: &str = "let";
    let c = Config { service_name: "llm-edge-agent".into(), version: "1.0", kind: "k" };
    Other { name: "x", }
    Owned { a: String::from("s"), b: "t".to_owned(), c: "u".to_string() + "v", d: "w".len() }
}
)");
  CHECK(items(f) == "SERVICE = 1:27 lit='llm-edge-agent' \"llm-edge-agent\"\n"
                    "ENDPOINT = 2:33 lit='http://collector:4317' \"http://collector:4317\"\n");
  // A literal made an owned string is still a literal; one used in a longer expression is not.
  CHECK(fields(f) == "service_name = 9:36 lit='llm-edge-agent' \"llm-edge-agent\"\n"
                     "version = 9:70 lit='1.0' \"1.0\"\n"
                     "kind = 9:83 lit='k' \"k\"\n"
                     "name = 10:19 lit='x' \"x\"\n"
                     "a = 11:29 lit='s' \"s\"\n"
                     "b = 11:38 lit='t' \"t\"\n");
}

TEST_CASE("facts: a call argument made an owned string from a literal is a literal") {
  const FileFacts f = extract_facts(R"(fn f() {
    KeyValue::new("service.name", "llm.a".to_string());
    KeyValue::new("service.name", String::from("llm.b"));
    KeyValue::new("service.name", "llm.c".to_string().to_uppercase());
    KeyValue::new("service.name", name.to_string());
}
)");
  CHECK(calls(f) == "2:15 KeyValue::new (2:19 lit='service.name' \"service.name\" | "
                    "2:35 lit='llm.a' \"llm.a\".to_string())\n"
                    "2:43 to_string method ()\n"
                    "3:15 KeyValue::new (3:19 lit='service.name' \"service.name\" | "
                    "3:35 lit='llm.b' String::from(\"llm.b\"))\n"
                    "3:43 String::from (3:48 lit='llm.b' \"llm.b\")\n"
                    "4:15 KeyValue::new (4:19 lit='service.name' \"service.name\" | "
                    "4:35 \"llm.c\".to_string().to_uppercase())\n"
                    "4:43 to_string method ()\n"
                    "4:55 to_uppercase method ()\n"
                    "5:15 KeyValue::new (5:19 lit='service.name' \"service.name\" | "
                    "5:35 name.to_string())\n"
                    "5:40 to_string method ()\n");
}

TEST_CASE("facts: attributes with key-value pairs") {
  const FileFacts f = extract_facts(R"(#![allow(dead_code)]
#[instrument(name = "llm.request", skip(self), fields(model = "gpt", otel.kind = "client"))]
async fn handle() {}
#[tracing::instrument(level = "info")]
fn traced() {}
#[doc = "documented"]
#[derive(Debug, Clone)]
struct S;
#[cfg_attr(feature = "otel", tracing::instrument(name = "n"))]
fn maybe() {}
#[instrument(name = "GET /v1/models/{id}", fields(name = "/not-a-span-name"))]
fn get_model() {}
)");
  // Only top-level pairs are values: the nested fields(…) name span fields, not the span.
  CHECK(attributes(f) ==
        "1:1 #!allow\n"
        "2:1 #instrument name=2:21 lit='llm.request' \"llm.request\"\n"
        "4:1 #tracing::instrument level=4:31 lit='info' \"info\"\n"
        "6:1 #doc doc=6:9 lit='documented' \"documented\"\n"
        "7:1 #derive\n"
        "9:1 #cfg_attr feature=9:22 lit='otel' \"otel\"\n"
        "11:1 #instrument name=11:21 lit='GET /v1/models/{id}' \"GET /v1/models/{id}\"\n");
  // Their literals are still string literals of the file.
  CHECK(f.strings.size() == 9);
}

TEST_CASE("facts: cfg(test) modules and test functions") {
  const FileFacts f = extract_facts(R"(fn prod() { KeyValue::new("service.name", "prod"); }

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_works() {
        KeyValue::new("service.name", "test");
    }
}

#[tokio::test]
async fn top_level() { run("x"); }

#[cfg(not(test))]
fn not_test() { a::b(); }

#[cfg(all(test, feature = "x"))]
const T: &str = "t";

#[cfg(any(test, feature = "x"))]
fn any_test() {}
#[rstest]
#[case(1)]
fn case_test(x: u8) {}
)");
  CHECK(test_lines(f) == "3-11\n"
                         "7-10\n"
                         "13-14\n"
                         "19-20\n"
                         "24-26\n");
  CHECK(calls(f) ==
        "1:23 KeyValue::new (1:27 lit='service.name' \"service.name\" | 1:43 lit='prod' \"prod\")\n"
        "9:19 KeyValue::new test (9:23 lit='service.name' \"service.name\" | 9:39 lit='test' "
        "\"test\")\n"
        "14:24 run test (14:28 lit='x' \"x\")\n"
        "17:20 a::b ()\n");
  CHECK(paths(f) == "1:13 KeyValue::new\n"
                    "5:9 super use glob test\n"
                    "9:9 KeyValue::new test\n"
                    "13:3 tokio::test test\n"
                    "17:17 a::b\n");
  CHECK(items(f) == "T = 20:17 lit='t' \"t\" test\n");
  CHECK(mods(f) == "4:5 tests {} cfg(test)\n");
  CHECK(attributes(f) == "3:1 #cfg test\n"
                         "7:5 #test test\n"
                         "13:1 #tokio::test test\n"
                         "16:1 #cfg\n"
                         "19:1 #cfg test\n"
                         "22:1 #cfg\n"
                         "24:1 #rstest test\n"
                         "25:1 #case test\n");
  CHECK(!f.in_test(1));
  CHECK(f.in_test(3));
  CHECK(f.in_test(9));
  CHECK(!f.in_test(12));
}

TEST_CASE("facts: inner cfg(test) makes the rest of the scope test code") {
  const FileFacts f = extract_facts("//! Test helpers\n#![cfg(test)]\nfn helper() { x::y(); }\n");
  CHECK(test_lines(f) == "2-3\n");
  CHECK(paths(f) == "3:15 x::y test\n");
}

TEST_CASE("facts: comments and doc comments produce nothing") {
  const FileFacts f = extract_facts(R"(/// let x = KeyValue::new("service.name", "doc");
//! opentelemetry_jaeger::new_pipeline()
// KeyValue::new("service.name", "line")
/* mod hidden; use a::b; */
/** #[cfg(test)] */
fn f() {}
)");
  CHECK(paths(f) == "");
  CHECK(calls(f) == "");
  CHECK(strings(f) == "");
  CHECK(mods(f) == "");
  CHECK(attributes(f) == "");
  CHECK(f.suppressions.empty());
}

TEST_CASE("facts: suppressions") {
  const FileFacts f = extract_facts(R"(// otel-audit: allow(service-name-pattern)
let a = 1; // otel-audit: allow(deprecated-exporter, otel-version-behind) migrating in Q3  
//otel-audit:allow( x ,, y )
/// otel-audit: allow(doc-rule) never from a doc comment
/* otel-audit: allow(block) */
// otel-audit: allow() empty
// otel-audit: allow(unclosed
// otel-audit: deny(x)
)");
  std::string out;
  for (const Suppression& s : f.suppressions) {
    out += at(s.pos);
    for (const std::string& r : s.rules)
      out += " [" + r + "]";
    out += " '" + s.reason + "'\n";
  }
  CHECK(out == "1:1 [service-name-pattern] ''\n"
               "2:12 [deprecated-exporter] [otel-version-behind] 'migrating in Q3'\n"
               "3:1 [x] [y] ''\n");
}

TEST_CASE("facts: mods with path attributes and nested inline modules") {
  const FileFacts f = extract_facts(R"(mod a;
pub mod b {
    #[path = "impl/c_impl.rs"]
    pub(crate) mod c;
    mod d {
        mod r#type { fn f() {} }
    }
    mod e;
}
#[cfg(test)]
#[path = "tests.rs"]
mod tests;
mod after;
)");
  CHECK(mods(f) == "1:5 a\n"
                   "2:9 b {}\n"
                   "4:20 b/c path=impl/c_impl.rs\n"
                   "5:9 b/d {}\n"
                   "6:13 b/d/type {}\n"
                   "8:9 b/e\n"
                   "12:5 tests path=tests.rs cfg(test)\n"
                   "13:5 after\n");
}

TEST_CASE("facts: declarations are not calls") {
  const FileFacts f = extract_facts(R"(struct Tuple(u8, u16);
pub struct Pair<T>(T, T);
enum E { A(u8), B { x: u8 }, C }
fn decl(a: u8) -> Box<dyn Fn(u8) -> u8> { if (a > 1) { g(a) } else { match (a) { _ => h() } } }
trait T { fn m(&self); }
fn main() { let e = E::A(1); let t = Tuple(1, 2); Some(3); }
)");
  CHECK(calls(f) == "4:56 g (4:58 a)\n"
                    "4:87 h ()\n"
                    "6:24 E::A (6:26 1)\n"
                    "6:38 Tuple (6:44 1 | 6:47 2)\n"
                    "6:51 Some (6:56 3)\n");
}

TEST_CASE("facts: malformed input finishes") {
  SUBCASE("unbalanced closers and openers") {
    const FileFacts f = extract_facts("fn f() { a::b(1, 2 } ) ] }}} mod m { x::y(\"s\"");
    CHECK(calls(f) == "1:13 a::b (1:15 1 | 1:18 2)\n"
                      "1:41 x::y (1:43 lit='s' \"s\")\n");
    CHECK(paths(f) == "1:10 a::b\n"
                      "1:38 x::y\n");
    CHECK(mods(f) == "1:34 m {}\n");
  }
  SUBCASE("EOF in a path, a call, a use tree, an attribute, generics") {
    CHECK(paths(extract_facts("a::b::")) == "1:1 a::b\n");
    CHECK(calls(extract_facts("f(\"a\", g(")) == "1:1 f (1:3 lit='a' \"a\" | 1:8 g()\n"
                                                 "1:8 g ()\n");
    CHECK(paths(extract_facts("use a::{b, c::{d")) == "1:5 a::b use\n"
                                                      "1:5 a::c::d use\n");
    CHECK(attributes(extract_facts("#[instrument(name = \"x\"")) ==
          "1:1 #instrument name=1:21 lit='x' \"x\"\n");
    CHECK(paths(extract_facts("a::<b<c>> >> ::<")) == "");
    CHECK(calls(extract_facts("x.collect::<Vec<_>>>(1)")) == "");
  }
  SUBCASE("deep nesting") {
    const auto start = std::chrono::steady_clock::now();
    const FileFacts open = extract_facts(std::string(100000, '('));
    CHECK(open.calls.empty());
    std::string calls_src;
    for (int i = 0; i < 20000; ++i)
      calls_src += "f(";
    const FileFacts nested = extract_facts(calls_src);
    CHECK(nested.calls.size() == 20000);
    CHECK(nested.calls[0].args.size() == 1);
    CHECK(nested.calls[0].args[0].text.size() == 120);
    CHECK(nested.calls[300].args.empty()); // beyond the depth cap: counted, not collected
    std::string mixed;
    for (int i = 0; i < 50000; ++i)
      mixed += "{[(<";
    for (int i = 0; i < 50000; ++i)
      mixed += ">>)]}";
    const FileFacts m = extract_facts(mixed);
    CHECK(m.calls.empty());
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(elapsed < std::chrono::seconds(5));
  }
}

TEST_CASE("facts: string kinds, argument text and lexer diagnostics") {
  const FileFacts f = extract_facts(R"(fn f() {
    g(b"bytes", br#"raw"#, c"c", 'x', 1 /* one */ + 2,
      "multi
       line", "ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé_");
}
let bad = "unterminated
)");
  REQUIRE(f.calls.size() == 1);
  const Call& g = f.calls[0];
  CHECK(g.callee == "g");
  REQUIRE(g.args.size() == 7);
  CHECK(g.args[0].literal);
  CHECK(g.args[0].value == "bytes");
  CHECK(g.args[1].literal);
  CHECK(g.args[1].value == "raw");
  CHECK(g.args[2].literal);
  CHECK(g.args[2].value == "c");
  CHECK(!g.args[3].literal); // a char is not a string
  CHECK(g.args[3].text == "'x'");
  CHECK(g.args[4].text == "1 + 2");
  CHECK(g.args[5].value == "multi\n       line");
  CHECK(g.args[5].text == "\"multi line\"");
  // 120 code points: the quote and 119 characters, never half a character.
  std::string cut = "\"";
  for (int i = 0; i < 14; ++i)
    cut += "ünïcödé_";
  cut += "ünïcödé";
  CHECK(g.args[6].text == cut);
  CHECK(g.args[6].value.size() == 16 * 12);
  CHECK(strings(f).substr(0, 50) == "2:7 lit='bytes' b\"bytes\"\n2:17 lit='raw' br#\"raw\"#\n");
  CHECK(f.strings.size() == 6);
  CHECK(f.strings.back().pos.line == 6);
  REQUIRE(f.lex_diagnostics.size() == 1);
  CHECK(f.lex_diagnostics[0] == LexDiagnostic{6, 11, "unterminated string literal"});
  CHECK(f.line_count == 6);
}

TEST_CASE("facts: test ranges end where their item ends") {
  const FileFacts f = extract_facts(R"(#[cfg(test)]
use a::{b, c};
fn prod() {}
struct S {
    #[cfg(test)]
    probe: Vec<u8>,
    name: u8,
}
#[cfg(test)]
fn helper() -> S { S { probe: vec![], name: "test-only" } }
#[cfg(test)]
#[path = "t.rs"]
mod t;
fn after() { KeyValue::new("service.name", "prod"); }
)");
  CHECK(test_lines(f) == "1-2\n5-6\n9-10\n11-13\n");
  CHECK(paths(f) == "2:5 a::b use test\n"
                    "2:5 a::c use test\n"
                    "14:14 KeyValue::new\n");
  CHECK(fields(f) == "name = 10:45 lit='test-only' \"test-only\" test\n");
  CHECK(mods(f) == "13:5 t path=t.rs cfg(test)\n");
  CHECK(calls(f) == "10:31 vec macro test ()\n"
                    "14:24 KeyValue::new (14:28 lit='service.name' \"service.name\" | 14:44 "
                    "lit='prod' \"prod\")\n");
  CHECK(!f.in_test(3));
  CHECK(f.in_test(6));
  CHECK(!f.in_test(7));
  CHECK(!f.in_test(14));
}

TEST_CASE("facts: a method call knows the call whose result it is called on") {
  const FileFacts f = extract_facts(R"(fn f() {
    meter.u64_counter("n").with_unit("s").init();
    opentelemetry_otlp::new_pipeline().tracing()?.install_batch(rt);
    (a).b();
    x.c(y()).d();
})");
  auto index = [&](std::string_view callee) {
    for (std::size_t i = 0; i < f.calls.size(); ++i)
      if (f.calls[i].callee == callee) return static_cast<int>(i);
    return -2;
  };
  CHECK(f.calls[static_cast<std::size_t>(index("u64_counter"))].receiver == -1); // on a variable
  CHECK(f.calls[static_cast<std::size_t>(index("with_unit"))].receiver == index("u64_counter"));
  CHECK(f.calls[static_cast<std::size_t>(index("init"))].receiver == index("with_unit"));
  CHECK(f.calls[static_cast<std::size_t>(index("tracing"))].receiver ==
        index("opentelemetry_otlp::new_pipeline"));
  CHECK(f.calls[static_cast<std::size_t>(index("install_batch"))].receiver == index("tracing"));
  CHECK(f.calls[static_cast<std::size_t>(index("b"))].receiver == -1); // a parenthesis, no call
  // `d` is called on c's result, not on y's, whose `)` closed first.
  CHECK(f.calls[static_cast<std::size_t>(index("d"))].receiver == index("c"));
}
