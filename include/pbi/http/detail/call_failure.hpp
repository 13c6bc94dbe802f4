// pbi-async — private: how http::client puts a failed call into words (what happened, where,
// and what the operator can do), directly or through a proxy. Sans-io.
#pragma once

#include <pbi/diagnostics.hpp>
#include <pbi/error.hpp>
#include <pbi/http/proxy.hpp>
#include <pbi/http/proxy_tunnel.hpp>
#include <pbi/http/url.hpp>

#include <asio/error.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <system_error>

namespace pbi::http::detail {

enum class call_phase {
    waiting,
    connecting,
    proxy_connecting,
    proxy_handshake,
    tunnel,
    handshake,
    writing,
    awaiting_response,
    reading
};

inline const char* describe(call_phase p) noexcept {
    switch (p) {
    case call_phase::waiting:
        return "while waiting for a free pooled connection";
    case call_phase::connecting:
        return "while connecting";
    case call_phase::proxy_connecting:
        return "while connecting to the proxy";
    case call_phase::proxy_handshake:
        return "during the TLS handshake with the proxy";
    case call_phase::tunnel:
        return "while the proxy opened the tunnel";
    case call_phase::handshake:
        return "during the TLS handshake";
    case call_phase::writing:
        return "while sending the request";
    case call_phase::awaiting_response:
        return "while waiting for the response";
    case call_phase::reading:
        return "while reading the response";
    }
    return "";
}

/// What a call knew when it failed.
struct call_failure {
    call_phase phase = call_phase::waiting;
    std::error_code ec;
    bool timed_out = false;
    std::chrono::milliseconds deadline{0}; ///< the time the call was given
    const url* origin = nullptr;
    std::string origin_text;
    const proxy_server* via = nullptr;       ///< the proxy, when the call went through one
    std::string via_text;                    ///< via->display()
    std::string proxy_setting;               ///< where the proxy came from ("HTTPS_PROXY", ...)
    std::string tls_detail;                  ///< from the TLS handshake that failed
    const diagnostics* proxy_said = nullptr; ///< check_connect_response()'s words, when it refused
    std::size_t body_limit = 0;              ///< the largest body the call accepted
};

/// Fills diag.source (transport), message, hint (and proxy_status) and returns the code to
/// report: errc::timeout when timed out, proxy_protocol_error for a proxy answer that does not
/// parse, else `f.ec`.
inline std::error_code describe_failure(const call_failure& f, diagnostics& diag) {
    std::error_code ec = f.ec;
    const std::string& origin_text = f.origin_text;
    const std::string& via_text = f.via_text;
    auto fail = [&diag](std::string message, std::string hint = {}) {
        diag.source = failure_source::transport;
        diag.message = std::move(message);
        diag.hint = std::move(hint);
    };
    const bool proxy_phase = f.phase == call_phase::proxy_connecting ||
                             f.phase == call_phase::proxy_handshake || f.phase == call_phase::tunnel;

    if (f.timed_out) {
        ec = make_error_code(errc::timeout);
        std::string hint;
        if (f.phase == call_phase::waiting)
            hint = "every connection to this origin stayed busy; raise max_connections_per_origin or allow "
                   "more time in call_options";
        else if (f.via && proxy_phase)
            hint = "the proxy " + via_text + " did not answer in time; check the network path to it and " +
                   f.proxy_setting + ", or allow more time in call_options";
        else
            hint = "the server did not answer in time; check the network path to " + f.origin->host +
                   " or allow more time in call_options";
        fail("request to " + origin_text + " timed out " + describe(f.phase) + " (deadline " +
                 std::to_string(f.deadline.count()) + " ms)",
             std::move(hint));
    } else if (ec == asio::error::operation_aborted) {
        fail("request to " + origin_text + " was cancelled " + std::string(describe(f.phase)));
    } else if (f.phase == call_phase::proxy_connecting) {
        std::string hint;
        if (ec == asio::error::connection_refused)
            hint = "nothing accepts connections there; check the proxy's host and port in " +
                   f.proxy_setting + " and that the proxy runs";
        else if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again)
            hint = "check the proxy's host name in " + f.proxy_setting + " and this machine's DNS settings";
        else
            hint = "check the network path to the proxy " + via_text;
        fail("could not connect to the proxy " + via_text + " (for " + origin_text + "): " + ec.message(),
             std::move(hint));
    } else if (f.phase == call_phase::proxy_handshake) {
        std::string hint;
        if (ec == errc::certificate_untrusted)
            hint =
                "add the proxy's CA certificate with tls_options::extra_ca_pem or extra_ca_files, e.g. from "
                "PBI_CA_FILE";
        else if (ec == errc::certificate_expired)
            hint = "check this machine's clock; if it is right, the proxy's certificate has expired";
        else if (ec == errc::certificate_name_mismatch)
            hint = "name the proxy by the host name its certificate was issued for";
        else if (f.tls_detail.find("wrong version number") != std::string::npos) {
            url proxy_host;
            proxy_host.host = f.via->host;
            proxy_host.port = f.via->port;
            hint = "the proxy does not speak TLS on this port: most proxies take plain HTTP, even for https "
                   "traffic; write http://" +
                   connect_target(proxy_host) + " instead of https:// in " + f.proxy_setting;
        } else
            hint = "check that the proxy speaks TLS on this port; most proxies take plain HTTP: then write "
                   "http:// instead of https:// in " +
                   f.proxy_setting;
        fail("TLS handshake with the proxy " + via_text + " failed: " + f.tls_detail, std::move(hint));
    } else if (f.phase == call_phase::tunnel) {
        const std::string target = connect_target(*f.origin);
        if (f.proxy_said && !f.proxy_said->message.empty()) {
            fail(f.proxy_said->message, f.proxy_said->hint);
            diag.proxy_status = f.proxy_said->proxy_status;
        } else if (ec == errc::connection_closed || ec == errc::partial_message) {
            fail("the proxy " + via_text + " closed the connection without answering CONNECT " + target,
                 "check that " + via_text +
                     " is an HTTP proxy; if it expects TLS on that port, write https:// in " +
                     f.proxy_setting);
        } else if (ec.category() == pbi::error_category()) {
            const std::string what = ec.message();
            ec = make_error_code(errc::proxy_protocol_error);
            fail("the answer of the proxy " + via_text + " to CONNECT is not valid HTTP/1.1: " + what,
                 "check that " + via_text +
                     " is an HTTP proxy that supports CONNECT (SOCKS is not supported); if it expects TLS on "
                     "that "
                     "port, write https:// in " +
                     f.proxy_setting);
        } else {
            fail("connection to the proxy " + via_text + " failed while it opened a tunnel to " + target +
                 ": " + ec.message());
        }
    } else if (f.phase == call_phase::handshake) {
        std::string hint;
        if (ec == errc::certificate_untrusted)
            hint = "add the server's CA certificate (or your proxy's) with tls_options::extra_ca_pem or "
                   "extra_ca_files, e.g. from PBI_CA_FILE";
        else if (ec == errc::certificate_expired)
            hint = "check this machine's clock; if it is right, the server's certificate has expired";
        else if (ec == errc::certificate_name_mismatch)
            hint = "connect with the host name the certificate was issued for";
        else
            hint = "check that " + origin_text + " speaks TLS 1.2 or newer on this port";
        fail("TLS handshake with " + origin_text + (f.via ? " (through the proxy " + via_text + ")" : "") +
                 " failed: " + f.tls_detail,
             std::move(hint));
    } else if (f.phase == call_phase::connecting) {
        std::string hint;
        if (ec == asio::error::connection_refused)
            hint =
                "nothing accepts connections there; check the URL's host and port and that the server runs";
        else if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again)
            hint = "check the host name and this machine's DNS settings";
        else
            hint = "check the network path (firewall, proxy) to " + f.origin->host;
        fail("could not connect to " + origin_text + ": " + ec.message(), std::move(hint));
    } else if (ec == errc::connection_closed) {
        fail(origin_text + " closed the connection before sending a response",
             "usually transient (a restarted server, an idle timeout of a proxy or load balancer): try "
             "again; if it repeats, check the proxies and gateways between this machine and " +
                 f.origin->host);
    } else if (ec == errc::body_limit_exceeded) {
        fail("the response from " + origin_text + " is larger than this call accepts (" +
                 std::to_string(f.body_limit) + " bytes)",
             "raise http::client_options::limits.max_body_bytes, or call_options::max_response_bytes for "
             "this call");
    } else if (ec.category() == pbi::error_category()) {
        fail("the response from " + origin_text + " is not valid HTTP/1.1: " + ec.message(),
             "the answer was cut off or mangled on the way (a proxy, gateway or TLS-inspecting firewall), "
             "or " +
                 f.origin->host +
                 " is not the service this URL should name; try again, and check "
                 "the URL and HTTPS_PROXY if it repeats");
    } else {
        fail("connection to " + origin_text + " failed " + std::string(describe(f.phase)) + ": " +
                 ec.message(),
             "a network failure: try again; if it repeats, check the network path to " + f.origin->host);
    }
    return ec;
}

} // namespace pbi::http::detail
