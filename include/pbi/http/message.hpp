// pbi-async — an HTTP request and response as plain values, and the request serializer.
#pragma once

#include <pbi/http/fields.hpp>

#include <string>
#include <string_view>

namespace pbi::http {

struct request {
    std::string method = "GET";
    std::string target = "/"; ///< origin-form: path plus optional "?query", already percent-encoded
    fields headers;           ///< Host, Content-Length, User-Agent are added by the serializer/client
    std::string body;
};

struct response {
    int status = 0;
    std::string reason;
    int version_minor = 1; ///< HTTP/1.x
    fields headers;
    std::string body; ///< de-chunked
    /// False for HTTP/1.0 without keep-alive or when `Connection: close` was sent. Also false
    /// when the connection cannot safely carry another response: a body delimited by the end
    /// of the stream (no Content-Length, not chunked), or both Transfer-Encoding and
    /// Content-Length present (RFC 9112 §6.3: a possible smuggling attempt).
    PBI_DECL bool keep_alive() const noexcept;
};

/// True when `name` is a non-empty RFC 9110 token and `value` holds no control characters
/// other than horizontal tab (in particular no CR, LF or NUL). serialize() does not check:
/// callers that put untrusted text into headers must check it with this first, or a value
/// such as "x\r\nEvil: 1" would inject a header (or a whole request).
PBI_DECL bool is_valid_header(std::string_view name, std::string_view value) noexcept;

/// True when the method is a token, the target is non-empty visible ASCII (no space, no
/// control characters, no raw non-ASCII bytes) and every header passes is_valid_header().
PBI_DECL bool is_valid_request(const request& req) noexcept;

/// Serializes a request for HTTP/1.1:
///
///     METHOD SP target SP "HTTP/1.1" CRLF
///     "Host: " host_header CRLF
///     <req.headers in order, each "Name: value" CRLF>
///     ["Content-Length: " N CRLF]
///     CRLF
///     <body>
///
/// A "Host" field in req.headers is skipped (host_header is authoritative, and two Host
/// fields make servers answer 400). Content-Length is added when the body is non-empty or the
/// method is POST, PUT or PATCH, unless req.headers already has Content-Length or
/// Transfer-Encoding. The input is assumed valid (see is_valid_request()); nothing is escaped.
PBI_DECL std::string serialize(const request& req, std::string_view host_header);

namespace detail {
// Grammar helpers shared by the serializer and the response parser (not part of the API).

/// RFC 9110 §5.6.2 tchar.
inline bool is_tchar(unsigned char c) noexcept {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
    return extra.find(static_cast<char>(c)) != std::string_view::npos;
}

inline bool is_token(std::string_view s) noexcept {
    if (s.empty())
        return false;
    for (char c : s)
        if (!is_tchar(static_cast<unsigned char>(c)))
            return false;
    return true;
}

/// field-content and reason-phrase bytes: HTAB, SP, VCHAR, obs-text. Everything else is a control.
inline bool is_field_value(std::string_view s) noexcept {
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u != '\t' && (u < 0x20 || u == 0x7f))
            return false;
    }
    return true;
}

inline std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

/// Calls f(element) for each non-empty element of a comma-separated list, trimmed of OWS
/// (RFC 9110 §5.6.1: recipients ignore empty list elements).
template <class F>
void for_each_list_element(std::string_view list, F&& f) {
    while (!list.empty()) {
        auto comma = list.find(',');
        auto elem = trim_ows(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        if (!elem.empty())
            f(elem);
    }
}

} // namespace detail
} // namespace pbi::http

#if defined(PBI_HEADER_ONLY)
#include <pbi/http/impl/message.ipp>
#endif
