// pbi-async — emulator internals: a sans-io HTTP/1.1 request parser for the server side,
// plus the path and query splitting the emulator's routes need.
#pragma once

#include <pbi/error.hpp>
#include <pbi/http/encoding.hpp>
#include <pbi/http/fields.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace pbi::testing::detail {

struct request_limits {
    std::size_t max_header_bytes = 16 * 1024; ///< request line + headers, including CRLFs
    std::size_t max_body_bytes = 1024 * 1024; ///< the body (Content-Length)
};

/// One request as received. `target` is kept byte for byte.
struct server_request {
    std::string method;
    std::string target;
    int version_minor = 1;
    http::fields headers;
    std::string body;

    std::string_view path() const { return std::string_view(target).substr(0, target.find('?')); }
    std::string_view query() const {
        auto q = target.find('?');
        return q == std::string::npos ? std::string_view() : std::string_view(target).substr(q + 1);
    }
    /// HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    bool keep_alive() const {
        bool close = false, keep = false;
        for (const auto& f : headers) {
            if (!http::iequals(f.name, "Connection")) {
                continue;
            }
            std::string_view v = f.value;
            while (!v.empty()) {
                auto comma = v.find(',');
                auto token = v.substr(0, comma);
                while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) {
                    token.remove_prefix(1);
                }
                while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) {
                    token.remove_suffix(1);
                }
                close = close || http::iequals(token, "close");
                keep = keep || http::iequals(token, "keep-alive");
                v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
            }
        }
        return !close && (version_minor >= 1 || keep);
    }
};

/// Incremental parser for one request. put() consumes bytes up to the end of the request and
/// leaves the rest (a pipelined next request) to the caller. Errors (pbi::errc):
/// bad_status_line (request line), bad_header, header_limit_exceeded, body_limit_exceeded,
/// bad_content_length, bad_transfer_encoding (any Transfer-Encoding: the emulator's clients
/// send Content-Length).
class request_parser {
public:
    explicit request_parser(request_limits limits = {}) : limits_(limits) {}

    std::size_t put(std::string_view bytes, std::error_code& ec) {
        std::size_t used = 0, skipped = 0;
        if (state_ == state::head) {
            while (head_.empty() && used < bytes.size() && (bytes[used] == '\r' || bytes[used] == '\n')) {
                ++used; // RFC 9112 §2.2: ignore empty lines before the request line
            }
            bytes.remove_prefix(used);
            skipped = used;
            used = 0;
            std::size_t old = head_.size();
            head_.append(bytes.data(), bytes.size());
            auto end = head_.find("\r\n\r\n", old >= 3 ? old - 3 : 0);
            if (end == std::string::npos) {
                if (head_.size() > limits_.max_header_bytes) {
                    ec = errc::header_limit_exceeded;
                }
                return skipped + bytes.size();
            }
            if (end + 4 > limits_.max_header_bytes) {
                ec = errc::header_limit_exceeded;
                return skipped + bytes.size();
            }
            used = end + 4 - old;
            head_.resize(end + 2);
            parse_head(ec);
            head_.clear();
            if (ec) {
                return skipped + used;
            }
        }
        if (state_ == state::body) {
            std::size_t n = std::min(remaining_, bytes.size() - used);
            req_.body.append(bytes.data() + used, n);
            used += n;
            remaining_ -= n;
            if (remaining_ == 0) {
                state_ = state::done;
            }
        }
        return skipped + used;
    }

    bool done() const noexcept { return state_ == state::done; }
    bool header_done() const noexcept { return state_ != state::head; }
    /// `Expect: 100-continue` was sent and the body has not arrived yet.
    bool expects_continue() const noexcept {
        if (state_ != state::body) {
            return false;
        }
        auto e = req_.headers.get("Expect");
        return e && http::iequals(*e, "100-continue");
    }
    /// The declared body length (valid once header_done()).
    std::size_t content_length() const noexcept { return content_length_; }
    const server_request& get() const noexcept { return req_; }
    server_request release() { return std::move(req_); }

private:
    enum class state { head, body, done };

    static bool is_token_char(char c) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return true;
        }
        return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    }

    // head_ holds the request line and header lines, each ending in CRLF.
    void parse_head(std::error_code& ec) {
        std::string_view rest = head_;
        auto eol = rest.find("\r\n");
        std::string_view line = rest.substr(0, eol);
        rest.remove_prefix(eol + 2);

        auto sp1 = line.find(' ');
        auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
        if (sp1 == 0 || sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
            ec = errc::bad_status_line;
            return;
        }
        std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                         version = line.substr(sp2 + 1);
        for (char c : method) {
            if (!is_token_char(c)) {
                ec = errc::bad_status_line;
                return;
            }
        }
        for (char c : target) {
            if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
                ec = errc::bad_status_line;
                return;
            }
        }
        if (target.empty() || target.front() != '/' || (version != "HTTP/1.1" && version != "HTTP/1.0")) {
            ec = errc::bad_status_line;
            return;
        }
        req_.method = method;
        req_.target = target;
        req_.version_minor = version.back() - '0';

        std::optional<std::size_t> length;
        while (!rest.empty()) {
            eol = rest.find("\r\n");
            line = rest.substr(0, eol);
            rest.remove_prefix(eol + 2);
            auto colon = line.find(':');
            if (colon == 0 || colon == std::string_view::npos) {
                ec = errc::bad_header; // also rejects obsolete line folding
                return;
            }
            std::string_view name = line.substr(0, colon), value = line.substr(colon + 1);
            for (char c : name) {
                if (!is_token_char(c)) {
                    ec = errc::bad_header;
                    return;
                }
            }
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
                value.remove_prefix(1);
            }
            while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
                value.remove_suffix(1);
            }
            for (char c : value) {
                if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
                    ec = errc::bad_header;
                    return;
                }
            }
            if (http::iequals(name, "Transfer-Encoding")) {
                ec = errc::bad_transfer_encoding;
                return;
            }
            if (http::iequals(name, "Content-Length")) {
                if (value.empty() || value.size() > 15 ||
                    value.find_first_not_of("0123456789") != value.npos) {
                    ec = errc::bad_content_length;
                    return;
                }
                std::size_t n = std::stoull(std::string(value));
                if (length && *length != n) {
                    ec = errc::bad_content_length;
                    return;
                }
                length = n;
            }
            req_.headers.add(std::string(name), std::string(value));
        }
        if (req_.version_minor == 1 && !req_.headers.contains("Host")) {
            ec = errc::bad_header; // RFC 9112 §3.2: a server must answer 400
            return;
        }
        content_length_ = length.value_or(0);
        if (content_length_ > limits_.max_body_bytes) {
            ec = errc::body_limit_exceeded;
            return;
        }
        req_.body.reserve(content_length_);
        remaining_ = content_length_;
        state_ = remaining_ == 0 ? state::done : state::body;
    }

    request_limits limits_;
    state state_ = state::head;
    std::string head_;
    std::size_t remaining_ = 0;
    std::size_t content_length_ = 0;
    server_request req_;
};

/// Splits an origin-form path into percent-decoded segments ("/a/b%2Fc/" → {"a", "b/c"}).
/// A trailing slash is ignored. nullopt on a malformed escape.
inline std::optional<std::vector<std::string>> split_path(std::string_view path) {
    std::vector<std::string> out;
    if (!path.empty() && path.front() == '/') {
        path.remove_prefix(1);
    }
    while (!path.empty()) {
        auto slash = path.find('/');
        auto decoded = http::percent_decode(path.substr(0, slash));
        if (!decoded) {
            return std::nullopt;
        }
        out.push_back(std::move(*decoded));
        if (slash == std::string_view::npos) {
            break;
        }
        path.remove_prefix(slash + 1);
    }
    return out;
}

/// Splits a query string into decoded name/value pairs ('+' is a space, as ASP.NET reads it).
/// nullopt on a malformed escape.
inline std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!query.empty()) {
        auto amp = query.find('&');
        auto part = query.substr(0, amp);
        if (!part.empty()) {
            auto eq = part.find('=');
            auto name = http::percent_decode(part.substr(0, eq), true);
            auto value =
                http::percent_decode(eq == part.npos ? std::string_view() : part.substr(eq + 1), true);
            if (!name || !value) {
                return std::nullopt;
            }
            out.emplace_back(std::move(*name), std::move(*value));
        }
        if (amp == std::string_view::npos) {
            break;
        }
        query.remove_prefix(amp + 1);
    }
    return out;
}

/// The first value of `name` in decoded pairs (form fields or query parameters).
inline const std::string* find_param(const std::vector<std::pair<std::string, std::string>>& params,
                                     std::string_view name) {
    for (const auto& [k, v] : params) {
        if (k == name) {
            return &v;
        }
    }
    return nullptr;
}

} // namespace pbi::testing::detail
