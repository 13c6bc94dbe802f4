// Bodies for pbi/http/connection.hpp.
#pragma once

#include <pbi/error.hpp>
#include <pbi/http/connection.hpp>

#include <asio/buffer.hpp>
#include <asio/connect.hpp>
#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/address.hpp>
#include <asio/ssl/error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace pbi::http {

namespace detail {

PBI_DECL std::error_code code_from_verify_result(long verify_result) noexcept {
    switch (verify_result) {
    case X509_V_OK:
        return {};
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
        return make_error_code(errc::certificate_expired);
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return make_error_code(errc::certificate_name_mismatch);
    default:
        return make_error_code(errc::certificate_untrusted);
    }
}

// Sets up SNI and host-name verification on `stream`'s SSL object, performs the client
// handshake and maps failures to pbi::errc with words in `detail`.
template <class SslStream>
asio::awaitable<std::error_code> verified_handshake(SslStream& stream, const std::string& host,
                                                    std::string& detail) {
    SSL* ssl = stream.native_handle();
    X509_VERIFY_PARAM* param = ::SSL_get0_param(ssl);
    std::error_code parse_ec;
    (void)asio::ip::make_address(host, parse_ec);
    const bool is_ip = !parse_ec;
    ::X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int set_ok = is_ip ? ::X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                             : ::X509_VERIFY_PARAM_set1_host(param, host.data(), host.size());
    // SNI carries names only (RFC 6066 §3 forbids IP literals).
    if (set_ok != 1 || (!is_ip && ::SSL_set_tlsext_host_name(ssl, host.c_str()) != 1)) {
        detail = "cannot set up host-name verification for \"" + host + "\"";
        co_return make_error_code(errc::tls_handshake_failed);
    }

    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::client,
                                                asio::experimental::as_tuple(asio::use_awaitable));
    if (!ec)
        co_return std::error_code{};
    if (ec == asio::error::operation_aborted || !stream.lowest_layer().is_open())
        co_return ec;

    const long verify_result = ::SSL_get_verify_result(ssl);
    if (const auto vec = code_from_verify_result(verify_result)) {
        const std::string reason = ::X509_verify_cert_error_string(verify_result);
        if (vec == errc::certificate_name_mismatch)
            detail = "certificate is not valid for \"" + host + "\" (" + reason + ")";
        else if (vec == errc::certificate_expired)
            detail = "certificate has expired or is not yet valid (" + reason + ")";
        else
            detail = "certificate not trusted (" + reason + ")";
        co_return vec;
    }
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
        ec == asio::error::connection_reset)
        detail = "the server closed the connection during the handshake";
    else if (ec.category() == asio::error::get_ssl_category() &&
             ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_WRONG_VERSION_NUMBER)
        detail = "wrong version number: the server answered with something other than TLS (plain HTTP?)";
    else
        detail = ec.message();
    co_return make_error_code(errc::tls_handshake_failed);
}

} // namespace detail

PBI_DECL tls_connection::tls_connection(asio::any_io_executor ex, asio::ssl::context& ctx)
    : resolver_(ex), stream_(ex, ctx), buffer_(16 * 1024) {}

PBI_DECL asio::awaitable<std::error_code> tls_connection::async_connect(std::string host,
                                                                        std::uint16_t port) {
    constexpr auto tuple = asio::experimental::as_tuple(asio::use_awaitable);
    auto [rec, endpoints] = co_await resolver_.async_resolve(host, std::to_string(port),
                                                             asio::ip::resolver_base::numeric_service, tuple);
    if (rec)
        co_return rec;
    auto& socket = stream_.next_layer().socket();
    auto [cec, endpoint] = co_await asio::async_connect(socket, endpoints, tuple);
    (void)endpoint;
    if (cec)
        co_return cec;
    std::error_code ignored;
    socket.set_option(asio::ip::tcp::no_delay(true), ignored); // requests are small and latency-bound
    co_return std::error_code{};
}

PBI_DECL asio::awaitable<std::error_code> tls_connection::async_handshake(std::string host,
                                                                          std::string& detail) {
    co_return co_await detail::verified_handshake(stream_, host, detail);
}

PBI_DECL asio::awaitable<std::error_code>
tls_connection::async_handshake_proxy(std::string proxy_host, asio::ssl::context& ctx, std::string& detail) {
    auto& proxy_tls = stream_.next_layer().start_proxy_tls(ctx);
    co_return co_await detail::verified_handshake(proxy_tls, proxy_host, detail);
}

PBI_DECL asio::awaitable<read_outcome> tls_connection::async_open_tunnel(std::string_view connect_request,
                                                                         response_parser& parser) {
    constexpr auto tuple = asio::experimental::as_tuple(asio::use_awaitable);
    auto& transport = stream_.next_layer();
    read_outcome out;
    auto [wec, written] = co_await asio::async_write(
        transport, asio::buffer(connect_request.data(), connect_request.size()), tuple);
    (void)written;
    if (wec) {
        out.ec = wec;
        co_return out;
    }
    for (;;) {
        auto [ec, n] = co_await transport.async_read_some(asio::buffer(buffer_), tuple);
        if (n > 0) {
            out.got_bytes = true;
            std::error_code pec;
            const std::size_t used = parser.put(std::string_view(buffer_.data(), n), pec);
            if (pec) {
                out.ec = pec;
                co_return out;
            }
            if (parser.done()) {
                // The origin's TLS has not started: the server side sends nothing before the
                // client's hello, so anything here came from the proxy and would corrupt it.
                out.leftover = used < n;
                co_return out;
            }
        }
        if (!ec)
            continue;
        if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
            std::error_code pec;
            parser.put_eof(pec);
            out.ec = out.got_bytes ? (pec ? pec : make_error_code(errc::connection_closed))
                                   : make_error_code(errc::connection_closed);
            co_return out;
        }
        out.ec = ec;
        co_return out;
    }
}

PBI_DECL asio::awaitable<std::error_code> tls_connection::async_write(std::string_view bytes,
                                                                      std::size_t& written) {
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                                              asio::experimental::as_tuple(asio::use_awaitable));
    written = n;
    co_return ec;
}

PBI_DECL asio::awaitable<read_outcome> tls_connection::async_read_response(response_parser& parser) {
    read_outcome out;
    for (;;) {
        auto [ec, n] = co_await stream_.async_read_some(asio::buffer(buffer_),
                                                        asio::experimental::as_tuple(asio::use_awaitable));
        if (n > 0) {
            out.got_bytes = true;
            std::error_code pec;
            const std::size_t used = parser.put(std::string_view(buffer_.data(), n), pec);
            if (pec) {
                out.ec = pec;
                co_return out;
            }
            if (parser.done()) {
                out.leftover = used < n;
                co_return out;
            }
        }
        if (!ec)
            continue;
        const bool clean_eof = ec == asio::error::eof; // close_notify received
        if (!clean_eof && ec != asio::ssl::error::stream_truncated) {
            out.ec = ec;
            co_return out;
        }
        if (!out.got_bytes) {
            out.ec = make_error_code(errc::connection_closed);
            co_return out;
        }
        // Without close_notify an EOF-delimited body may have been cut by an attacker or a proxy.
        if (!clean_eof && parser.body_ends_at_eof()) {
            out.ec = make_error_code(errc::partial_message);
            co_return out;
        }
        std::error_code pec;
        parser.put_eof(pec);
        out.ec = pec;
        out.ended_at_eof = !pec;
        co_return out;
    }
}

PBI_DECL void tls_connection::close() noexcept {
    resolver_.cancel();
    std::error_code ignored;
    stream_.lowest_layer().close(ignored);
}

} // namespace pbi::http
