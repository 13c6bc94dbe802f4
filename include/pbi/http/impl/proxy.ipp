// Bodies for pbi/http/proxy.hpp.
#pragma once

#include <pbi/error.hpp>
#include <pbi/exception.hpp>
#include <pbi/http/encoding.hpp>
#include <pbi/http/proxy.hpp>

#include <asio/ip/address.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>

namespace pbi::http {
namespace detail::proxy_rules {

inline char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool iequal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

inline bool ends_with_label(std::string_view host, std::string_view suffix) noexcept {
    return host.size() > suffix.size() && host[host.size() - suffix.size() - 1] == '.' &&
           iequal(host.substr(host.size() - suffix.size()), suffix);
}

inline std::optional<std::uint16_t> parse_port(std::string_view s) noexcept {
    if (s.empty() || s.size() > 5)
        return std::nullopt;
    unsigned v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v == 0 || v > 65535)
        return std::nullopt;
    return static_cast<std::uint16_t>(v);
}

inline std::optional<unsigned> parse_prefix_bits(std::string_view s) noexcept {
    if (s.empty() || s.size() > 3)
        return std::nullopt;
    unsigned v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    return v;
}

inline std::optional<asio::ip::address> parse_ip(std::string_view s) noexcept {
    std::error_code ec;
    auto a = asio::ip::make_address(std::string(s), ec);
    if (ec)
        return std::nullopt;
    return a;
}

// 16 bytes for both families: an IPv4 address becomes ::ffff:a.b.c.d, so that one comparison
// serves both and a mapped address in the URL matches a plain IPv4 entry.
inline std::array<unsigned char, 16> as_v6_bytes(const asio::ip::address& a) noexcept {
    if (a.is_v6())
        return a.to_v6().to_bytes();
    return asio::ip::make_address_v6(asio::ip::v4_mapped, a.to_v4()).to_bytes();
}

inline bool in_range(const asio::ip::address& host, const asio::ip::address& net, unsigned bits) noexcept {
    // IPv4 prefix lengths count within the mapped form's last 32 bits.
    const unsigned total = net.is_v4() ? bits + 96 : bits;
    const auto h = as_v6_bytes(host);
    const auto n = as_v6_bytes(net);
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned start = i * 8;
        if (start >= total)
            return true;
        const unsigned take = total - start >= 8 ? 8 : total - start;
        const auto mask = static_cast<unsigned char>(0xff << (8 - take));
        if ((h[i] & mask) != (n[i] & mask))
            return false;
    }
    return true;
}

// One NO_PROXY entry against one host. `host_ip` is set when the host is an IP literal.
inline bool entry_matches(std::string_view entry, std::string_view host,
                          const std::optional<asio::ip::address>& host_ip, std::uint16_t port) noexcept {
    if (entry == "*")
        return true;
    std::string_view name = entry;
    std::optional<std::uint16_t> want_port;
    std::optional<unsigned> prefix;

    if (!name.empty() && name.front() == '[') { // [v6] [v6]:port [v6]/bits
        const auto close = name.find(']');
        if (close == std::string_view::npos)
            return false;
        std::string_view after = name.substr(close + 1);
        name = name.substr(1, close - 1);
        if (!after.empty() && after.front() == ':') {
            want_port = parse_port(after.substr(1));
            if (!want_port)
                return false;
        } else if (!after.empty() && after.front() == '/') {
            prefix = parse_prefix_bits(after.substr(1));
            if (!prefix)
                return false;
        } else if (!after.empty()) {
            return false;
        }
    } else if (const auto slash = name.find('/'); slash != std::string_view::npos) {
        prefix = parse_prefix_bits(name.substr(slash + 1));
        name = name.substr(0, slash);
        if (!prefix)
            return false;
    } else if (std::count(name.begin(), name.end(), ':') == 1) { // name:port or v4:port
        const auto colon = name.find(':');
        want_port = parse_port(name.substr(colon + 1));
        if (!want_port)
            return false;
        name = name.substr(0, colon);
    }
    if (want_port && *want_port != port)
        return false;

    if (host_ip) {
        // An address host matches address and range entries only (nothing is resolved).
        const auto net = parse_ip(name);
        if (!net)
            return false;
        if (!prefix)
            return as_v6_bytes(*net) == as_v6_bytes(*host_ip);
        if (*prefix > (net->is_v4() ? 32u : 128u))
            return false;
        return in_range(*host_ip, *net, *prefix);
    }
    if (prefix)
        return false;
    while (!name.empty() && name.front() == '.')
        name.remove_prefix(1);
    while (!name.empty() && name.back() == '.')
        name.remove_suffix(1);
    if (name.empty())
        return false;
    return iequal(host, name) || ends_with_label(host, name);
}

} // namespace detail::proxy_rules

PBI_DECL std::string proxy_server::display() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    std::string out = scheme + "://";
    if (ipv6)
        out.append("[").append(host).append("]");
    else
        out.append(host);
    return out + ":" + std::to_string(port);
}

PBI_DECL proxy_server proxy_server::parse(std::string_view text, std::error_code& ec) {
    ec.clear();
    auto fail = [&ec] {
        ec = make_error_code(errc::invalid_url);
        return proxy_server{};
    };
    proxy_server out;
    std::string scheme = "http";
    std::string_view rest = text;
    if (const auto sep = rest.find("://"); sep != std::string_view::npos) {
        scheme.clear();
        for (char c : rest.substr(0, sep))
            scheme.push_back(detail::proxy_rules::lower(c));
        rest.remove_prefix(sep + 3);
    }
    if (scheme != "http" && scheme != "https")
        return fail();
    const auto auth_end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, auth_end);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        const std::string_view info = authority.substr(0, at);
        authority.remove_prefix(at + 1);
        const auto colon = info.find(':');
        auto user = percent_decode(info.substr(0, colon));
        auto pass =
            percent_decode(colon == std::string_view::npos ? std::string_view() : info.substr(colon + 1));
        // Basic authentication cannot carry a ':' in a user name.
        if (!user || !pass || user->find(':') != std::string::npos)
            return fail();
        out.username = std::move(*user);
        out.password = pbi::secret(std::move(*pass));
    }
    if (authority.empty())
        return fail();
    const url u = url::parse(scheme + "://" + std::string(authority), ec);
    if (ec)
        return fail();
    out.scheme = u.scheme;
    out.host = u.host;
    out.port = u.port;
    return out;
}

PBI_DECL std::optional<std::string> read_process_environment(std::string_view name) {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v || !*v)
        return std::nullopt;
    return std::string(v);
}

PBI_DECL proxy_config proxy_config::from_environment(const environment_reader& env, std::error_code& ec,
                                                     diagnostics& diag) {
    ec.clear();
    auto read = [&env](std::string_view name) -> std::optional<std::string> {
        auto v = env ? env(name) : read_process_environment(name);
        if (v && v->empty())
            return std::nullopt;
        return v;
    };
    proxy_config out;
    for (const char* name : {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
        auto value = read(name);
        if (!value)
            continue;
        std::error_code pec;
        auto server = proxy_server::parse(*value, pec);
        if (pec) {
            ec = pec;
            diag.clear();
            diag.message =
                std::string(name) + " is not a usable proxy URL: \"" + redact_user_info(*value) + "\"";
            diag.hint = "write it as http://[user:password@]host:port (percent-encode reserved characters "
                        "in the user name and password; SOCKS proxies are not supported)";
            return proxy_config{};
        }
        out.server = std::move(server);
        out.source = name;
        break;
    }
    for (const char* name : {"no_proxy", "NO_PROXY"}) {
        if (auto value = read(name)) {
            out.no_proxy = std::move(*value);
            break;
        }
    }
    return out;
}

PBI_DECL proxy_config proxy_config::from_environment(const environment_reader& env) {
    std::error_code ec;
    diagnostics diag;
    auto out = from_environment(env, ec, diag);
    if (ec)
        throw pbi::error(ec, std::move(diag));
    return out;
}

PBI_DECL const proxy_server* proxy_for(const proxy_config& config, const url& origin) noexcept {
    if (!config.server)
        return nullptr;
    if (config.bypass_loopback && is_loopback_host(origin.host))
        return nullptr;
    if (no_proxy_matches(config.no_proxy, origin.host, origin.port))
        return nullptr;
    return &*config.server;
}

PBI_DECL bool no_proxy_matches(std::string_view no_proxy, std::string_view host,
                               std::uint16_t port) noexcept {
    while (!host.empty() && host.back() == '.')
        host.remove_suffix(1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const auto host_ip = detail::proxy_rules::parse_ip(host);
    auto is_separator = [](char c) {
        return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
    };
    std::size_t i = 0;
    while (i < no_proxy.size()) {
        while (i < no_proxy.size() && is_separator(no_proxy[i]))
            ++i;
        std::size_t j = i;
        while (j < no_proxy.size() && !is_separator(no_proxy[j]))
            ++j;
        if (j > i && detail::proxy_rules::entry_matches(no_proxy.substr(i, j - i), host, host_ip, port))
            return true;
        i = j;
    }
    return false;
}

PBI_DECL bool is_loopback_host(std::string_view host) noexcept {
    while (!host.empty() && host.back() == '.')
        host.remove_suffix(1);
    if (detail::proxy_rules::iequal(host, "localhost") ||
        detail::proxy_rules::ends_with_label(host, "localhost"))
        return true;
    const auto ip = detail::proxy_rules::parse_ip(host);
    if (!ip)
        return false;
    if (ip->is_v4())
        return ip->to_v4().is_loopback();
    const auto v6 = ip->to_v6();
    if (v6.is_v4_mapped())
        return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).is_loopback();
    return v6.is_loopback();
}

} // namespace pbi::http
