// Bodies for pbi/http/encoding.hpp.
#pragma once

#include <pbi/http/encoding.hpp>

namespace pbi::http {
namespace detail::percent {

inline constexpr char hex_digits[] = "0123456789ABCDEF";

inline bool is_alnum(unsigned char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 3986 unreserved.
inline bool is_unreserved(unsigned char c) noexcept {
    return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// WHATWG application/x-www-form-urlencoded percent-encode set complement.
inline bool is_form_safe(unsigned char c) noexcept {
    return is_alnum(c) || c == '*' || c == '-' || c == '.' || c == '_';
}

inline void append_escaped(std::string& out, unsigned char c) {
    out.push_back('%');
    out.push_back(hex_digits[c >> 4]);
    out.push_back(hex_digits[c & 0x0f]);
}

inline void append_unreserved_encoded(std::string& out, std::string_view in) {
    for (char ch : in) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_unreserved(c))
            out.push_back(ch);
        else
            append_escaped(out, c);
    }
}

inline void append_form_encoded(std::string& out, std::string_view in) {
    for (char ch : in) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_form_safe(c))
            out.push_back(ch);
        else if (c == ' ')
            out.push_back('+');
        else
            append_escaped(out, c);
    }
}

inline int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace detail::percent

PBI_DECL std::string encode_path_segment(std::string_view segment) {
    std::string out;
    out.reserve(segment.size());
    detail::percent::append_unreserved_encoded(out, segment);
    return out;
}

PBI_DECL std::string encode_query_value(std::string_view value) {
    // The same set as a path segment: only unreserved characters pass, so a value can never
    // end a parameter ('&'), start a value ('='), or be read as a space ('+') by a form decoder.
    std::string out;
    out.reserve(value.size());
    detail::percent::append_unreserved_encoded(out, value);
    return out;
}

PBI_DECL std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::size_t size = 0;
    for (const auto& [name, value] : fields)
        size += name.size() + value.size() + 2;
    std::string out;
    out.reserve(size + size / 4);
    bool first = true;
    for (const auto& [name, value] : fields) {
        if (!first)
            out.push_back('&');
        first = false;
        detail::percent::append_form_encoded(out, name);
        out.push_back('=');
        detail::percent::append_form_encoded(out, value);
    }
    return out;
}

PBI_DECL std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (text.size() - i < 3)
                return std::nullopt;
            const int hi = detail::percent::hex_value(text[i + 1]);
            const int lo = detail::percent::hex_value(text[i + 2]);
            if (hi < 0 || lo < 0)
                return std::nullopt;
            out.push_back(static_cast<char>((hi << 4) | lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

PBI_DECL std::optional<std::vector<std::pair<std::string, std::string>>> form_decode(std::string_view body) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!body.empty()) {
        const auto amp = body.find('&');
        const std::string_view pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
        if (pair.empty())
            continue; // WHATWG: empty sequences ("a=1&&b=2") are skipped
        const auto eq = pair.find('=');
        auto name = percent_decode(pair.substr(0, eq), true);
        auto value =
            percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
        if (!name || !value)
            return std::nullopt;
        out.emplace_back(std::move(*name), std::move(*value));
    }
    return out;
}

} // namespace pbi::http
