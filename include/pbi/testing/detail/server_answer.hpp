// pbi-async — emulator internals: an HTTP answer as a value and its serialization.
#pragma once

#include <pbi/http/fields.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pbi::testing::detail {

inline constexpr std::string_view json_content_type = "application/json; charset=utf-8";

/// What a route answers. Date, Content-Length (or Transfer-Encoding) and Connection are added
/// by serialize_answer().
struct answer {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool chunked = false;

    bool has(std::string_view name) const {
        return std::any_of(headers.begin(), headers.end(),
                           [&](const auto& h) { return http::iequals(h.first, name); });
    }
    /// Replaces the first field of this name, or appends one.
    void set(std::string_view name, std::string value) {
        for (auto& h : headers) {
            if (http::iequals(h.first, name)) {
                h.second = std::move(value);
                return;
            }
        }
        headers.emplace_back(std::string(name), std::move(value));
    }
};

inline answer json_answer(int status, const boost::json::value& body) {
    answer a;
    a.status = status;
    a.headers.emplace_back("Content-Type", std::string(json_content_type));
    a.body = boost::json::serialize(body);
    return a;
}

inline const char* reason_phrase(int status) {
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Unknown";
    }
}

/// The bytes on the wire. When the answer's own headers name Content-Length or
/// Transfer-Encoding they are sent as given and the body is written verbatim (framing faults);
/// otherwise the body is framed by Content-Length, or by chunks of at most 1000 bytes.
inline std::string serialize_answer(const answer& a, std::string_view date, bool close) {
    std::string out;
    out.reserve(256 + a.body.size() + a.body.size() / 100);
    char line[64];
    std::snprintf(line, sizeof line, "HTTP/1.1 %d ", a.status);
    out += line;
    out += reason_phrase(a.status);
    out += "\r\n";
    if (!a.has("Date")) {
        out.append("Date: ").append(date).append("\r\n");
    }
    for (const auto& [name, value] : a.headers) {
        out.append(name).append(": ").append(value).append("\r\n");
    }
    bool framed_by_caller = a.has("Content-Length") || a.has("Transfer-Encoding");
    if (!framed_by_caller) {
        if (a.chunked) {
            out += "Transfer-Encoding: chunked\r\n";
        } else {
            out.append("Content-Length: ").append(std::to_string(a.body.size())).append("\r\n");
        }
    }
    if (close && !a.has("Connection")) {
        out += "Connection: close\r\n";
    }
    out += "\r\n";
    if (framed_by_caller || !a.chunked) {
        out += a.body;
        return out;
    }
    for (std::size_t at = 0; at < a.body.size(); at += 1000) {
        std::size_t n = std::min<std::size_t>(1000, a.body.size() - at);
        std::snprintf(line, sizeof line, "%zx\r\n", n);
        out += line;
        out.append(a.body, at, n).append("\r\n");
    }
    out += "0\r\n\r\n";
    return out;
}

/// Length of the status line and header block (through the empty line) in serialized bytes.
inline std::size_t head_length(std::string_view bytes) {
    auto end = bytes.find("\r\n\r\n");
    return end == std::string_view::npos ? bytes.size() : end + 4;
}

} // namespace pbi::testing::detail
