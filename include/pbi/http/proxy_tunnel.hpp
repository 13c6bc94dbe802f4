// pbi-async — the CONNECT exchange with a proxy, sans-io: the request to send and what the
// proxy's answer means. http::client drives it; tests and tools can use it on their own.
#pragma once

#include <pbi/config.hpp>
#include <pbi/diagnostics.hpp>
#include <pbi/http/message.hpp>
#include <pbi/http/proxy.hpp>
#include <pbi/http/url.hpp>
#include <pbi/secret.hpp>

#include <string>
#include <string_view>
#include <system_error>

namespace pbi::http {

/// The authority-form target of a CONNECT request for `origin`: "host:port", the port always
/// present, IPv6 literals in brackets.
PBI_DECL std::string connect_target(const url& origin);

/// The request that asks `proxy` for a tunnel to `origin`:
///
///     CONNECT host:port HTTP/1.1
///     Host: host:port
///     User-Agent: pbi-async/<version>
///     [Proxy-Authorization: Basic base64(username ":" password)]    when proxy.has_credentials()
///
/// Returned as a secret because it may carry the proxy password. Credentials are sent up
/// front (Basic needs no challenge round trip, and curl does the same).
PBI_DECL pbi::secret make_connect_request(const proxy_server& proxy, const url& origin);

/// Judges the proxy's answer to CONNECT, parsed with response_parser::skip_body() (a 2xx answer
/// to CONNECT has no body: the tunnel starts right after the header block).
///
/// 2xx: no error, `diag` untouched. Otherwise fills diag.source (transport), diag.proxy,
/// diag.proxy_status, diag.message and diag.hint (never a credential) and returns
/// errc::proxy_auth_required for 407 (whether credentials were sent or not; the hint says which),
/// errc::proxy_protocol_error for 1xx, errc::proxy_refused for anything else (403 policy,
/// 502/503/504 origin unreachable, ...).
PBI_DECL std::error_code check_connect_response(const response& answer, const proxy_server& proxy,
                                                const url& origin, diagnostics& diag);

namespace detail {
/// Standard base64 (RFC 4648 §4) with padding.
PBI_DECL std::string base64_encode(std::string_view bytes);
} // namespace detail

} // namespace pbi::http

#if defined(PBI_HEADER_ONLY)
#include <pbi/http/impl/proxy_tunnel.ipp>
#endif
