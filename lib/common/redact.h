#pragma once
// Secrets out of every message and report. An audited repository may hold credentials (a
// `git = "https://user:token@host/…"` dependency, an OTLP endpoint with a password, an
// authorization header in a .env file), and so may a URL the user passes; neither is ever
// written. The work is done on the raw text, before any parsing, so a password holding `#`, `?`
// or `/` (which a URL parser takes for the end of the authority) is found too.
#include <string>
#include <string_view>

namespace otelaudit {

/// How redaction writes a secret: `***`, or one `*` per byte so that the text keeps its length
/// and the columns of what follows (a source line with a caret under it).
enum class Redaction { stars, same_length };

/// `text` with every secret it holds replaced: the userinfo of each `scheme://userinfo@host`
/// (all of it up to the last `@` before the host, whatever characters it holds; a bare `git@`
/// is kept), the value after a credential-shaped name and `=` or `:` (TOKEN, PASSWORD, SECRET,
/// API_KEY, AUTHORIZATION, an OTLP `*_HEADERS` setting...) unless it is a `$` reference, and
/// the word after `Bearer ` or `Basic `.
std::string redact_secrets(std::string_view text, Redaction how = Redaction::stars);

/// One URL as given by the user or read from a repository, with its userinfo replaced by `***`:
/// what redact_secrets does, plus the scp-like `user:password@host:path` (a user alone is an
/// ssh login name and kept).
std::string redact_url(std::string_view url);

/// The secret of the URL `url` (the password of `user:password@`, else a lone token), as
/// redact_url finds it; empty when it has none.
std::string url_secret(std::string_view url);

} // namespace otelaudit
