// pbi-async — a small HTTP CONNECT proxy on 127.0.0.1 for tests: counts tunnels, can demand
// Basic credentials, can refuse, and relays bytes both ways.
#pragma once

#include <pbi/config.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pbi::testing {

struct connect_proxy_options {
    std::uint16_t port = 0; ///< 0 = ephemeral
    /// When `username` is non-empty, CONNECT requests need `Proxy-Authorization: Basic` with
    /// exactly these (decoded) credentials; others get 407 with `Proxy-Authenticate: Basic`.
    std::string username{}, password{};
    /// Other schemes to offer in 407 answers instead of Basic (e.g. "Negotiate"); empty = Basic.
    std::string auth_scheme{};
    /// Non-zero: every (authenticated) CONNECT is answered with this status (403, 502, ...)
    /// and the connection closed, instead of a tunnel.
    int refuse_status = 0;
    /// Clients speak TLS to the proxy (an "https://" proxy). The certificate (chain) and key are
    /// PEM; empty = default_certificates() (valid for localhost and 127.0.0.1).
    bool tls = false;
    std::string certificate_pem{}, private_key_pem{};
    /// The proxy's own DNS: a CONNECT to a host named here goes to the given address instead
    /// (e.g. {"powerbi.test", "127.0.0.1"}), so tests can use non-loopback names that only the
    /// proxy resolves, as in a corporate network.
    std::vector<std::pair<std::string, std::string>> host_map{};
};

/// A CONNECT proxy on 127.0.0.1, running on its own thread. It reads one request per
/// connection; anything but `CONNECT host:port HTTP/1.x` is answered 400 (a TLS ClientHello
/// sent to a plain proxy too, at once, as real proxies do) and the connection closed. A tunnel
/// connects to host:port (names through options.host_map, else the system resolver; an
/// unreachable target is answered 502), answers `200 Connection established`, then relays
/// bytes both ways until either side closes. The tunnel's contents (TLS to the origin) are
/// never inspected.
///
/// Thread safety: every member function may be called from any thread.
class connect_proxy {
public:
    /// Listening when the constructor returns. Throws std::system_error when the port cannot
    /// be bound, std::runtime_error for a bad certificate.
    PBI_DECL explicit connect_proxy(connect_proxy_options options = {});
    /// stop(), then joins the thread.
    PBI_DECL ~connect_proxy();
    connect_proxy(const connect_proxy&) = delete;
    connect_proxy& operator=(const connect_proxy&) = delete;

    /// Closes the listener, every tunnel and every connection. Idempotent.
    PBI_DECL void stop();

    PBI_DECL std::uint16_t port() const;
    /// "http://127.0.0.1:<port>" ("https://" with options.tls); never with credentials.
    PBI_DECL std::string url() const;
    /// The proxy's CA certificate for clients to trust (with options.tls).
    PBI_DECL const std::string& ca_pem() const;

    PBI_DECL std::size_t connection_count() const; ///< TCP connections accepted
    PBI_DECL std::size_t connect_count() const;    ///< CONNECT requests read (refused ones too)
    PBI_DECL std::size_t tunnel_count() const;     ///< tunnels opened (answered 200)
    PBI_DECL std::size_t auth_challenges() const;  ///< 407 answers sent
    /// The CONNECT targets ("host:port") of the tunnels opened, in order.
    PBI_DECL std::vector<std::string> tunnel_targets() const;

private:
    struct state;
    std::shared_ptr<state> state_;
};

} // namespace pbi::testing

#if defined(PBI_HEADER_ONLY)
#include <pbi/testing/impl/connect_proxy.ipp>
#endif
