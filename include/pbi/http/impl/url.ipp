// Bodies for pbi/http/url.hpp.
#pragma once

#include <pbi/http/url.hpp>

#include <pbi/error.hpp>

#include <asio/ip/address_v6.hpp>

namespace pbi::http {
namespace detail::url_syntax {

inline std::uint16_t default_port(std::string_view scheme) noexcept {
    return scheme == "https" ? 443 : scheme == "http" ? 80 : 0;
}

inline char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string host_with_port(const url& u) {
    std::string out;
    const bool ipv6 = u.host.find(':') != std::string::npos;
    if (ipv6)
        out.append("[").append(u.host).append("]");
    else
        out.append(u.host);
    if (u.port != 0 && u.port != default_port(u.scheme))
        out.append(":").append(std::to_string(u.port));
    return out;
}

// The bracketed part of an IPv6 literal: hex digits, ':' and, for an embedded IPv4 tail, '.'.
// Zone identifiers ("%25eth0") are refused: they have no meaning for a remote HTTPS origin.
inline bool is_ipv6_literal(std::string_view s) noexcept {
    if (s.size() < 2 || s.find(':') == std::string_view::npos)
        return false;
    for (char c : s) {
        const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hex && c != ':' && c != '.')
            return false;
    }
    std::error_code ec;
    (void)asio::ip::make_address_v6(std::string(s), ec); // the full grammar: group counts, "::" once
    return !ec;
}

// A DNS name or IPv4 address: letters, digits, '-', '.', '_' (seen in some internal names).
// Percent-encoded and other sub-delims characters are refused rather than interpreted.
inline bool is_reg_name(std::string_view s) noexcept {
    if (s.empty())
        return false;
    for (char c : s) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        c == '-' || c == '.' || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

} // namespace detail::url_syntax

PBI_DECL std::string url::origin() const {
    return scheme + "://" + detail::url_syntax::host_with_port(*this);
}

PBI_DECL std::string url::host_header() const {
    return detail::url_syntax::host_with_port(*this);
}

PBI_DECL url url::parse(std::string_view text, std::error_code& ec) {
    ec.clear();
    auto fail = [&ec] {
        ec = make_error_code(errc::invalid_url);
        return url{};
    };

    url out;
    // scheme
    const auto sep = text.find("://");
    if (sep == std::string_view::npos || sep == 0)
        return fail();
    for (char c : text.substr(0, sep))
        out.scheme.push_back(detail::url_syntax::ascii_lower(c));
    if (out.scheme != "https" && out.scheme != "http")
        return fail();
    text.remove_prefix(sep + 3);

    // authority ends at the first '/', '?' or '#'
    const auto auth_end = text.find_first_of("/?#");
    std::string_view authority = text.substr(0, auth_end);
    std::string_view rest = auth_end == std::string_view::npos ? std::string_view() : text.substr(auth_end);
    if (authority.find('@') != std::string_view::npos)
        return fail(); // user-info: credentials never travel in URLs here

    std::string_view host;
    std::string_view port_text;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return fail();
        host = authority.substr(1, close - 1);
        if (!detail::url_syntax::is_ipv6_literal(host))
            return fail();
        auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return fail();
            has_port = true;
            port_text = after.substr(1);
        }
    } else {
        const auto colon = authority.find(':');
        host = authority.substr(0, colon);
        if (!detail::url_syntax::is_reg_name(host))
            return fail();
        if (colon != std::string_view::npos) {
            has_port = true;
            port_text = authority.substr(colon + 1);
        }
    }
    for (char c : host)
        out.host.push_back(detail::url_syntax::ascii_lower(c));

    if (has_port) {
        // An empty port ("host:/") is refused too: it is almost always a typo.
        if (port_text.empty() || port_text.size() > 5)
            return fail();
        unsigned value = 0;
        for (char c : port_text) {
            if (c < '0' || c > '9')
                return fail();
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (value == 0 || value > 65535)
            return fail();
        out.port = static_cast<std::uint16_t>(value);
    } else {
        out.port = detail::url_syntax::default_port(out.scheme);
    }

    // path and query; the fragment is never sent
    const auto hash = rest.find('#');
    std::string_view target = rest.substr(0, hash);
    for (char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f)
            return fail(); // would break the request line; callers percent-encode first
    }
    if (target.empty() || target.front() != '/')
        out.target = "/" + std::string(target);
    else
        out.target = std::string(target);
    return out;
}

PBI_DECL std::string redact_user_info(std::string_view text) {
    const auto sep = text.find("://");
    const std::size_t start = sep == std::string_view::npos ? 0 : sep + 3;
    const auto at = text.rfind('@');
    if (at == std::string_view::npos || at < start)
        return std::string(text);
    std::string out(text.substr(0, start));
    out += "***@";
    out += text.substr(at + 1);
    return out;
}

} // namespace pbi::http
