// pbi-async — HTTPS client: verified TLS, a keep-alive pool per origin, one deadline per call.
#pragma once

#include <pbi/call_options.hpp>
#include <pbi/diagnostics.hpp>
#include <pbi/http/message.hpp>
#include <pbi/http/proxy.hpp>
#include <pbi/http/response_parser.hpp>
#include <pbi/http/tls_context.hpp>
#include <pbi/http/url.hpp>
#include <pbi/result.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pbi::http {

enum class client_event_kind { connection_opened, connection_reused, connection_closed, request_retried };

/// What the client reports to an events hook. Never contains headers, bodies or secrets.
struct client_event {
    client_event_kind kind;
    std::string origin; ///< "https://host[:port]"
    std::string proxy;  ///< the proxy the connection tunnels through ("http://host:port"), empty when direct
};

struct client_options {
    tls_options tls;
    parser_limits limits;
    std::size_t max_connections_per_origin = 8; ///< callers beyond this wait for a free connection
    std::chrono::seconds idle_timeout{55};      ///< pooled connections idle longer are closed
    /// The proxy for https origins. nullopt (the default): proxy_config::from_environment() is
    /// read once, by the constructor (HTTPS_PROXY, ALL_PROXY, NO_PROXY, ...). Set it to decide in
    /// code; `proxy_config{}` means "always direct, whatever the environment says".
    std::optional<proxy_config> proxy;
    /// Optional events hook, called synchronously on the client's executor; exceptions it
    /// throws are ignored. It must not call back into the client.
    std::function<void(const client_event&)> on_event;
};

struct client_counters {
    std::uint64_t requests = 0;
    std::uint64_t connections_opened = 0; ///< TCP + TLS handshakes done (through a tunnel too)
    std::uint64_t tunnels_opened = 0;     ///< CONNECT tunnels a proxy opened
    std::uint64_t connections_reused = 0;
    std::uint64_t connections_closed = 0;
    std::uint64_t retries = 0; ///< requests re-sent on a fresh connection after a stale keep-alive one
};

/// An HTTPS/1.1 client with a keep-alive connection pool per origin.
///
/// Thread safety: all operations must run on the client's executor (a single-threaded
/// io_context or a strand). The client must outlive every operation it started: finish (or
/// cancel and await) every send() before destroying it. Destroying the client closes the
/// idle pooled connections (without TLS close_notify) and reports no events.
///
/// Every request gets `Host`, `User-Agent: pbi-async/<version>`, `Content-Length` (when a body
/// is present) and a fresh `client-request-id` GUID (recorded in diagnostics; a
/// `client-request-id` or `User-Agent` already in the request is kept). Redirects are
/// not followed (3xx comes back as a response). A request on a reused connection that fails
/// before any byte of the response arrives is sent once more on a new connection (a request
/// with a body only if it was never completely written); nothing else is retried here.
///
/// Proxies: an origin that proxy_for() maps to a proxy is reached through a CONNECT tunnel
/// (plain HTTP to an http:// proxy, TLS to an https:// one), with `Proxy-Authorization: Basic`
/// when the proxy has credentials; TLS to the origin then runs inside the tunnel with SNI and
/// certificate verification against the origin's name. Tunnels are pooled per origin like
/// direct connections. Credentials never appear in diagnostics, events or exceptions.
class client {
public:
    /// Throws pbi::error: errc::invalid_argument when an extra CA cannot be loaded,
    /// errc::invalid_url when options.proxy is unset and a proxy variable does not parse.
    PBI_DECL explicit client(asio::any_io_executor ex, client_options options = {});
    PBI_DECL ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    PBI_DECL asio::any_io_executor get_executor() const noexcept;

    /// Sends `req` to `origin` (scheme https; target taken from req.target) and reads the whole
    /// response. The deadline covers waiting for a pooled connection, connect, TLS handshake,
    /// write and read (including a retry), and with a proxy the connection to it, its TLS
    /// handshake and the CONNECT exchange. `origin` and `diag` must stay alive until the
    /// returned awaitable completes. Any HTTP status is a success here; the caller judges it.
    /// Cancellation: the awaiting coroutine's cancellation slot (terminal) aborts the call with
    /// asio::error::operation_aborted; the connection is then closed, never pooled. send()
    /// returns that as a value even when the caller's this_coro::throw_if_cancelled is on.
    /// Errors: errc::timeout, errc::certificate_untrusted / certificate_name_mismatch /
    /// certificate_expired / tls_handshake_failed, parser errors, errc::connection_closed, or
    /// the OS error (connection refused, ...); errc::invalid_url for a non-https origin and
    /// errc::invalid_argument for a request that fails is_valid_request(); through a proxy also
    /// errc::proxy_auth_required (407), errc::proxy_refused (403, 502, ...; the status is in
    /// diag.proxy_status), errc::proxy_protocol_error (the answer to CONNECT is not HTTP), and
    /// errc::tls_handshake_failed for TLS to an https:// proxy (the hint names the classic
    /// "wrong version number" of a plain-HTTP proxy). Clears `diag`, then fills
    /// diag.source = transport, message and hint on failure, diag.client_request_id always,
    /// and diag.proxy whenever the call goes through a proxy. Never throws for these errors.
    PBI_DECL asio::awaitable<result<response>> send(const url& origin, request req, call_options options,
                                                    diagnostics& diag);

    /// Closes every pooled connection. Calls in flight complete normally.
    PBI_DECL void close_idle();

    PBI_DECL client_counters counters() const noexcept;

    /// The proxy settings in force (options.proxy, or what the environment said).
    PBI_DECL const proxy_config& proxy() const noexcept;
    /// The proxy requests to `origin` go through, or nullptr when they go directly. The
    /// pointer stays valid as long as the client. Print it with display() (no credentials).
    PBI_DECL const proxy_server* proxy_for(const url& origin) const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace pbi::http

#if defined(PBI_HEADER_ONLY)
#include <pbi/http/impl/client.ipp>
#endif
