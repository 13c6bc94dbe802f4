// pbi-async — private helpers for reading response bodies: text trimming, JSON parsing with a
// content sniff, and typed field access that tells "absent" from "wrong type".
#pragma once

#include <pbi/error.hpp>

#include <boost/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace pbi::detail::body {

inline bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

inline std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

inline char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

inline bool icontains(std::string_view haystack, std::string_view needle) noexcept {
    if (needle.size() > haystack.size())
        return false;
    for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i)
        if (iequals(haystack.substr(i, needle.size()), needle))
            return true;
    return false;
}

/// The text before the first line break.
inline std::string_view first_line(std::string_view s) noexcept {
    auto pos = s.find_first_of("\r\n");
    return pos == std::string_view::npos ? s : s.substr(0, pos);
}

/// The body without a UTF-8 byte-order mark and leading white space.
inline std::string_view skip_preamble(std::string_view s) noexcept {
    if (s.substr(0, 3) == "\xEF\xBB\xBF")
        s.remove_prefix(3);
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    return s;
}

/// True for application/json, text/json and any "+json" media type (parameters ignored).
inline bool is_json_media_type(std::string_view content_type) noexcept {
    auto mt = trim(content_type.substr(0, content_type.find(';')));
    if (iequals(mt, "application/json") || iequals(mt, "text/json"))
        return true;
    return mt.size() >= 5 && iequals(mt.substr(mt.size() - 5), "+json");
}

/// True when the body looks like an HTML page (a gateway's or proxy's error page).
inline bool looks_like_html(std::string_view body, std::optional<std::string_view> content_type) noexcept {
    if (content_type && icontains(*content_type, "html"))
        return true;
    auto b = skip_preamble(body);
    return !b.empty() && b.front() == '<';
}

/// Parses a body that should hold a JSON object.
/// - errc::unexpected_content_type: the body is not JSON at all (HTML or text: it does not
///   start with '{' or '[' and the Content-Type, when given, does not say JSON).
/// - errc::malformed_json: the body is empty or is broken JSON (truncated, invalid).
/// - errc::unexpected_json: valid JSON that is not an object.
inline std::error_code parse_object(std::string_view body, std::optional<std::string_view> content_type,
                                    boost::json::object& out) {
    auto b = skip_preamble(body);
    if (b.empty())
        return errc::malformed_json;
    const char c = b.front();
    if (c == '<')
        return errc::unexpected_content_type;
    if (c != '{' && c != '[' && !(content_type && is_json_media_type(*content_type)))
        return errc::unexpected_content_type;
    boost::json::error_code jec;
    boost::json::value v = boost::json::parse(b, jec);
    if (jec)
        return errc::malformed_json;
    auto* obj = v.if_object();
    if (!obj)
        return errc::unexpected_json;
    out = std::move(*obj);
    return {};
}

enum class field { absent, ok, wrong_type };

/// A string member; absent or null is `absent`.
inline field get_string(const boost::json::object& o, std::string_view key, std::string& out) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null())
        return field::absent;
    const auto* s = v->if_string();
    if (!s)
        return field::wrong_type;
    out.assign(s->data(), s->size());
    return field::ok;
}

/// A string member into an optional (left empty when absent or null).
inline field get_string(const boost::json::object& o, std::string_view key, std::optional<std::string>& out) {
    std::string s;
    auto f = get_string(o, key, s);
    if (f == field::ok)
        out = std::move(s);
    return f;
}

/// Parses a whole string of ASCII digits with an optional leading '-' (surrounding white space
/// allowed).
inline std::optional<std::int64_t> parse_int(std::string_view s) noexcept {
    s = trim(s);
    bool negative = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    if (s.empty())
        return std::nullopt;
    std::int64_t value = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        if (value > (std::numeric_limits<std::int64_t>::max() - (c - '0')) / 10)
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return negative ? -value : value;
}

/// An integer: a JSON integer, an integral JSON double, or a numeric string (Entra v1 sends
/// every number as a string). Null is `absent`.
inline field as_int(const boost::json::value& v, std::int64_t& out) {
    if (v.is_null())
        return field::absent;
    if (const auto* i = v.if_int64()) {
        out = *i;
        return field::ok;
    }
    if (const auto* u = v.if_uint64()) {
        if (*u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return field::wrong_type;
        out = static_cast<std::int64_t>(*u);
        return field::ok;
    }
    if (const auto* d = v.if_double()) {
        if (!std::isfinite(*d) || std::floor(*d) != *d || std::fabs(*d) > 9.0e18)
            return field::wrong_type;
        out = static_cast<std::int64_t>(*d);
        return field::ok;
    }
    if (const auto* s = v.if_string()) {
        auto parsed = parse_int(std::string_view(s->data(), s->size()));
        if (!parsed)
            return field::wrong_type;
        out = *parsed;
        return field::ok;
    }
    return field::wrong_type;
}

/// An integer member (see as_int). Absent or null is `absent`.
inline field get_int(const boost::json::object& o, std::string_view key, std::int64_t& out) {
    const auto* v = o.if_contains(key);
    return v ? as_int(*v, out) : field::absent;
}

/// A boolean member (also "true"/"false" strings). Absent or null is `absent`.
inline field get_bool(const boost::json::object& o, std::string_view key, bool& out) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null())
        return field::absent;
    if (const auto* b = v->if_bool()) {
        out = *b;
        return field::ok;
    }
    if (const auto* s = v->if_string()) {
        std::string_view t(s->data(), s->size());
        if (iequals(t, "true") || iequals(t, "false")) {
            out = iequals(t, "true");
            return field::ok;
        }
    }
    return field::wrong_type;
}

/// Bounds on what a server's error answer may put into diagnostics: a 100 KB message or a
/// 5 000-character error code is cut (excerpt()) rather than logged in full.
inline constexpr std::size_t max_server_text = 2000;
inline constexpr std::size_t max_error_code = 200;

/// At most `max` bytes of `text`, cut at a line break if there is one, with "..." when cut.
inline std::string excerpt(std::string_view text, std::size_t max = 200) {
    auto line = trim(first_line(skip_preamble(text)));
    if (line.size() <= max)
        return std::string(line);
    // Do not cut a UTF-8 sequence in half.
    std::size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(line[n]) & 0xC0) == 0x80)
        --n;
    return std::string(line.substr(0, n)) + "...";
}

/// The text of an HTML page's <title>, if it has one.
inline std::string html_title(std::string_view html) {
    std::size_t open = std::string_view::npos;
    for (std::size_t i = 0; i + 7 <= html.size(); ++i)
        if (iequals(html.substr(i, 7), "<title>")) {
            open = i + 7;
            break;
        }
    if (open == std::string_view::npos)
        return {};
    for (std::size_t i = open; i + 8 <= html.size(); ++i)
        if (iequals(html.substr(i, 8), "</title>"))
            return excerpt(html.substr(open, i - open));
    return {};
}

/// What to quote of a page a gateway answered with: its <title>, else its first line (excerpt).
inline std::string page_summary(std::string_view page) {
    auto title = html_title(page);
    return title.empty() ? excerpt(page) : title;
}

} // namespace pbi::detail::body
