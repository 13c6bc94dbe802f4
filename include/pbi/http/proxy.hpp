// pbi-async — which proxy an https origin goes through: proxy URLs, HTTPS_PROXY / ALL_PROXY /
// NO_PROXY and the loopback rule. Sans-io: no sockets; the environment is read through a function.
#pragma once

#include <pbi/config.hpp>
#include <pbi/diagnostics.hpp>
#include <pbi/http/url.hpp>
#include <pbi/secret.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace pbi::http {

/// An HTTP proxy that tunnels https traffic with `CONNECT`, and the Basic credentials it wants.
///
/// With scheme "http" the client speaks plain HTTP to the proxy (what nearly every corporate
/// proxy expects, even for https traffic); with "https" it first speaks TLS to the proxy
/// (verified against `host` with the client's trust anchors), then TLS to the origin inside.
/// Either way the origin's certificate is verified against the origin's name, never the proxy's.
struct proxy_server {
    std::string scheme = "http"; ///< "http" or "https": how to reach the proxy itself
    std::string host;            ///< lower-case name or IP address; IPv6 without brackets
    std::uint16_t port = 0;      ///< explicit, or the scheme's default (80 / 443)
    std::string username;        ///< Basic authentication (already percent-decoded); empty = none
    pbi::secret password;        ///< (already percent-decoded); never printed

    /// True when a `Proxy-Authorization: Basic` header is sent (user name or password set).
    bool has_credentials() const noexcept { return !username.empty() || !password.empty(); }

    /// "http://host:port" — always with the port, never with credentials: safe to log.
    PBI_DECL std::string display() const;

    /// Parses a proxy URL the way curl and the environment variables write it:
    /// `[scheme://][user[:password]@]host[:port][/]`.
    /// - No scheme means "http". Schemes other than http/https (socks5, ...) are refused.
    /// - User name and password are percent-decoded (`p%40ss%3Aw0rd` is `p@ss:w0rd`); the user
    ///   info ends at the last '@' of the authority. A user name holding ':' (`%3A`) is refused:
    ///   Basic authentication cannot carry it (RFC 7617).
    /// - Without a port, the scheme's default applies (80 / 443, as in any URL; curl assumes
    ///   1080 — write the port to be sure). A path ("/") is ignored.
    /// - The host follows url::parse's rules.
    /// Errors: errc::invalid_url (ec cleared on success).
    PBI_DECL static proxy_server parse(std::string_view text, std::error_code& ec);
};

/// Reads one environment variable: its value, or nullopt when it is not set.
using environment_reader = std::function<std::optional<std::string>(std::string_view name)>;

/// Reads the process environment with std::getenv (an empty value counts as unset).
PBI_DECL std::optional<std::string> read_process_environment(std::string_view name);

/// Which proxy https origins go through.
///
/// A default-constructed config sends everything directly. `from_environment()` builds one
/// from the variables curl, MSAL and the Azure SDKs read; http::client_options uses it when no
/// config is given.
struct proxy_config {
    /// The proxy for https origins; nullopt: every origin is reached directly.
    std::optional<proxy_server> server;
    /// Origins reached directly, in NO_PROXY syntax (see no_proxy_matches()).
    std::string no_proxy;
    /// localhost, *.localhost, 127.0.0.0/8 and ::1 are reached directly whatever `no_proxy` says.
    /// Set it to false to send loopback origins through the proxy too (tests do).
    bool bypass_loopback = true;
    /// Where `server` came from: the variable's name ("https_proxy", "ALL_PROXY", ...), or empty
    /// when it was set in code. For reports such as `pbi diagnose`.
    std::string source;

    /// Reads, for https origins: the proxy from `https_proxy`, `HTTPS_PROXY`, `all_proxy`,
    /// `ALL_PROXY` (the first one set and non-empty, lower case first as curl does); the bypass
    /// list from `no_proxy`, then `NO_PROXY`. `http_proxy` is never read (this SDK only makes
    /// https calls). `env` defaults to read_process_environment.
    ///
    /// A proxy variable that does not parse (proxy_server::parse) is errc::invalid_url:
    /// `diag.message` names the variable and shows the value with any user info masked.
    /// ec is cleared on success.
    PBI_DECL static proxy_config from_environment(const environment_reader& env, std::error_code& ec,
                                                  diagnostics& diag);
    /// As above; throws pbi::error (errc::invalid_url, with the diagnostics) instead.
    PBI_DECL static proxy_config from_environment(const environment_reader& env = {});
};

/// The proxy `origin` goes through under `config`, or nullptr for a direct connection: nullptr
/// when no server is set, when `origin` is a loopback host and `bypass_loopback` is on, or when
/// no_proxy_matches(config.no_proxy, origin.host, origin.port). The pointer refers into `config`.
PBI_DECL const proxy_server* proxy_for(const proxy_config& config, const url& origin) noexcept;

/// True when `no_proxy` says that `host` (as url::parse leaves it: lower case, IPv6 without
/// brackets) on `port` is reached directly. Curl's rules, plus ports:
/// - Entries are separated by commas (and/or white space); case does not matter; empty and
///   unusable entries are ignored.
/// - `*` matches every host.
/// - A name matches itself and every name below it: `example.com` and `.example.com` both match
///   `example.com` and `www.example.com`, never `notexample.com`. A trailing dot is ignored.
/// - An IP address matches that address, a CIDR range (`10.0.0.0/8`, `fd00::/8`) every address
///   in it. Addresses only match hosts written as addresses: no name is resolved.
/// - An entry may end in `:port` (IPv6: `[::1]:8443`); it then matches only that port.
PBI_DECL bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port) noexcept;

/// True for `localhost`, names ending in `.localhost`, 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
PBI_DECL bool is_loopback_host(std::string_view host) noexcept;

} // namespace pbi::http

#if defined(PBI_HEADER_ONLY)
#include <pbi/http/impl/proxy.ipp>
#endif
