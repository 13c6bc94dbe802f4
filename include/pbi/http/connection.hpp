// pbi-async — one verified TLS connection to one origin, directly or through a proxy's CONNECT
// tunnel: connect, (proxy TLS, tunnel,) handshake, write, read a response.
#pragma once

#include <pbi/config.hpp>
#include <pbi/http/detail/transport_stream.hpp>
#include <pbi/http/response_parser.hpp>
#include <pbi/http/url.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <cstdint>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace pbi::http {

/// What reading one response produced.
struct read_outcome {
    std::error_code ec;        ///< pbi::errc (framing, connection_closed) or the transport's code
    bool got_bytes = false;    ///< at least one byte of the response arrived
    bool leftover = false;     ///< bytes followed the complete response (the connection is unusable)
    bool ended_at_eof = false; ///< the body was delimited by the end of the stream
};

/// One TLS connection, the building block of http::client. Through a proxy, the TCP
/// connection goes to the proxy (async_connect with the proxy's host), optionally TLS to the
/// proxy (async_handshake_proxy), then async_open_tunnel; async_handshake with the origin's
/// host then runs inside the tunnel. Each operation is a coroutine
/// that runs on the awaiting coroutine's executor (which must be the connection's), returns
/// its error as a value and honours the awaiting coroutine's cancellation slot (terminal):
/// the operation completes with asio::error::operation_aborted and the connection must then
/// be closed. close() may be called at any time (a deadline timer does) and makes pending
/// operations complete with an error.
class tls_connection {
public:
    /// `ctx` is only used here: the connection keeps its own reference to the OpenSSL context.
    PBI_DECL tls_connection(asio::any_io_executor ex, asio::ssl::context& ctx);

    /// Resolves `host` and connects to the first address that accepts.
    PBI_DECL asio::awaitable<std::error_code> async_connect(std::string host, std::uint16_t port);

    /// Sends SNI (for names, not IP literals), requires the certificate to match `host` (name
    /// or IP address) and performs the TLS handshake. Certificate failures are
    /// errc::certificate_untrusted / certificate_name_mismatch / certificate_expired, others
    /// errc::tls_handshake_failed; `detail` then says in words what went wrong.
    PBI_DECL asio::awaitable<std::error_code> async_handshake(std::string host, std::string& detail);

    /// For an https:// proxy, before async_open_tunnel: TLS to the proxy, verified against
    /// `proxy_host` with the anchors of `ctx` (which must outlive the connection). Errors as
    /// async_handshake; a proxy that answers in plain HTTP is errc::tls_handshake_failed with
    /// `detail` saying "wrong version number".
    PBI_DECL asio::awaitable<std::error_code>
    async_handshake_proxy(std::string proxy_host, asio::ssl::context& ctx, std::string& detail);

    /// Sends `connect_request` (see make_connect_request; must stay alive until completion) to
    /// the proxy and reads its answer into `parser`, which should have skip_body() set. A
    /// `leftover` outcome after a 2xx answer means the proxy sent bytes into the tunnel: unusable.
    PBI_DECL asio::awaitable<read_outcome> async_open_tunnel(std::string_view connect_request,
                                                             response_parser& parser);

    /// Writes all of `bytes` (which must stay alive until completion); `written` counts what was sent.
    PBI_DECL asio::awaitable<std::error_code> async_write(std::string_view bytes, std::size_t& written);

    /// Reads into `parser` until it is done. A clean end of stream completes an EOF-delimited
    /// body; an end of stream without TLS close_notify there is errc::partial_message; an end
    /// of stream before any byte is errc::connection_closed.
    PBI_DECL asio::awaitable<read_outcome> async_read_response(response_parser& parser);

    /// Closes the socket (no TLS close_notify) and cancels a pending resolve.
    PBI_DECL void close() noexcept;
    bool is_open() const noexcept { return stream_.lowest_layer().is_open(); }

    /// When the connection went back to the pool.
    std::chrono::steady_clock::time_point idle_since{};
    /// The proxy the connection tunnels through ("http://host:port"), empty when direct.
    std::string proxy;

private:
    asio::ip::tcp::resolver resolver_;
    asio::ssl::stream<detail::transport_stream> stream_;
    std::vector<char> buffer_;
};

namespace detail {
/// Maps an OpenSSL verify result (X509_V_ERR_*) to a pbi::errc; X509_V_OK maps to no error.
PBI_DECL std::error_code code_from_verify_result(long verify_result) noexcept;
} // namespace detail

} // namespace pbi::http

#if defined(PBI_HEADER_ONLY)
#include <pbi/http/impl/connection.ipp>
#endif
