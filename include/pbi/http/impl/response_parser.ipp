// Bodies for pbi/http/response_parser.hpp.
#pragma once

#include <pbi/http/response_parser.hpp>

#include <pbi/error.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>

namespace pbi::http {
namespace detail::h1 {

// Chunk extensions are ignored, so a long chunk-size line can only be an attack or a bug.
inline constexpr std::size_t max_chunk_line = 4096;
// A Content-Length is a promise, not proof: reserve at most this much up front.
inline constexpr std::size_t max_body_reserve = 1024 * 1024;

inline int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// 1*DIGIT into a 64-bit value; nullopt on anything else or on overflow.
inline std::optional<std::uint64_t> parse_decimal(std::string_view s) noexcept {
    if (s.empty())
        return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10)
            return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

// chunk-size [ BWS ";" chunk-ext ]; extensions are only checked for control characters.
inline std::optional<std::uint64_t> parse_chunk_size(std::string_view line) noexcept {
    std::uint64_t v = 0;
    std::size_t i = 0;
    for (; i < line.size(); ++i) {
        const int h = hex_value(line[i]);
        if (h < 0)
            break;
        if (v > (std::numeric_limits<std::uint64_t>::max() >> 4))
            return std::nullopt; // overflow
        v = (v << 4) | static_cast<std::uint64_t>(h);
    }
    if (i == 0)
        return std::nullopt;
    auto rest = line.substr(i);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t'))
        rest.remove_prefix(1);
    if (rest.empty())
        return v;
    if (rest.front() != ';' || !is_field_value(rest))
        return std::nullopt;
    return v;
}

} // namespace detail::h1

PBI_DECL response_parser::line_result response_parser::take_line(std::string_view in, std::size_t budget,
                                                                 std::size_t& used, std::string_view& line) {
    // `room`: how many more bytes this line (with its LF) may take within the budget.
    const std::size_t room = budget > buffer_.size() ? budget - buffer_.size() : 0;
    const auto nl = in.substr(0, room).find('\n');
    if (nl == std::string_view::npos) {
        used = 0;
        if (in.size() >= room)
            return line_result::too_long; // the LF cannot fit any more
        buffer_.append(in);
        used = in.size();
        return line_result::need_more;
    }
    used = nl + 1;
    if (buffer_.empty()) {
        line = in.substr(0, nl);
    } else {
        buffer_.append(in.data(), nl);
        line = buffer_;
    }
    if (line.empty() || line.back() != '\r')
        return line_result::bad_end;
    line.remove_suffix(1);
    return line_result::complete;
}

PBI_DECL std::size_t response_parser::put(std::string_view bytes, std::error_code& ec) {
    ec.clear();
    if (error_) {
        ec = error_;
        return 0;
    }
    std::size_t used = 0;
    while (used < bytes.size() && state_ != state::done && !ec) {
        const auto in = bytes.substr(used);
        switch (state_) {
        case state::header:
            used += put_header(in, ec);
            break;
        case state::body_length: {
            const auto n = std::min(remaining_, in.size());
            res_.body.append(in.data(), n);
            remaining_ -= n;
            used += n;
            if (remaining_ == 0)
                state_ = state::done;
            break;
        }
        case state::body_to_eof:
            if (in.size() > limits_.max_body_bytes - res_.body.size()) {
                ec = make_error_code(errc::body_limit_exceeded);
                break;
            }
            res_.body.append(in);
            used += in.size();
            break;
        case state::chunk_size:
        case state::chunk_data:
        case state::chunk_data_crlf:
        case state::trailer:
            used += put_chunked(in, ec);
            break;
        case state::done:
            break;
        }
    }
    if (ec)
        error_ = ec;
    return used;
}

PBI_DECL void response_parser::put_eof(std::error_code& ec) {
    ec.clear();
    if (error_) {
        ec = error_;
        return;
    }
    if (state_ == state::done)
        return;
    if (state_ == state::body_to_eof) {
        state_ = state::done;
        return;
    }
    ec = error_ = make_error_code(errc::partial_message);
}

PBI_DECL std::size_t response_parser::put_header(std::string_view bytes, std::error_code& ec) {
    std::size_t used = 0;
    while (used < bytes.size() && state_ == state::header) {
        std::size_t n = 0;
        std::string_view line;
        const auto r = take_line(bytes.substr(used), limits_.max_header_bytes - block_bytes_, n, line);
        used += n;
        if (r == line_result::need_more)
            break;
        if (r == line_result::too_long) {
            ec = make_error_code(errc::header_limit_exceeded);
            return used;
        }
        if (r == line_result::bad_end) {
            ec = make_error_code(status_seen_ ? errc::bad_header : errc::bad_status_line);
            return used;
        }
        block_bytes_ += line.size() + 2;
        if (!status_seen_) {
            parse_status_line(line, ec);
            status_seen_ = true;
        } else if (line.empty()) {
            finish_header(ec);
        } else {
            parse_field_line(line, &res_.headers, ec);
        }
        buffer_.clear(); // `line` may point into it; done with it now
        if (ec)
            return used;
    }
    return used;
}

PBI_DECL void response_parser::parse_status_line(std::string_view line, std::error_code& ec) {
    auto digit = [](char c) {
        return c >= '0' && c <= '9';
    };
    // "HTTP/1.1 200" is the shortest form: the SP before an empty reason is often left out.
    if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || !digit(line[7]) || line[8] != ' ' ||
        !digit(line[9]) || !digit(line[10]) || !digit(line[11]) || line[9] == '0' ||
        (line.size() > 12 && line[12] != ' ')) {
        ec = make_error_code(errc::bad_status_line);
        return;
    }
    const auto reason = line.size() > 12 ? line.substr(13) : std::string_view();
    if (!detail::is_field_value(reason)) {
        ec = make_error_code(errc::bad_status_line);
        return;
    }
    res_.version_minor = line[7] - '0';
    res_.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    res_.reason.assign(reason);
}

PBI_DECL void response_parser::parse_field_line(std::string_view line, fields* into, std::error_code& ec) {
    // A leading SP/HTAB is obs-fold (RFC 9112 §5.2): refused rather than unfolded.
    const auto colon = line.find(':');
    if (line.front() == ' ' || line.front() == '\t' || colon == std::string_view::npos) {
        ec = make_error_code(errc::bad_header);
        return;
    }
    const auto name = line.substr(0, colon);
    const auto value = detail::trim_ows(line.substr(colon + 1));
    if (!detail::is_token(name) || !detail::is_field_value(value)) {
        ec = make_error_code(errc::bad_header);
        return;
    }
    if (into)
        into->add(std::string(name), std::string(value));
}

PBI_DECL void response_parser::finish_header(std::error_code& ec) {
    const int status = res_.status;
    if (status >= 100 && status < 200 && status != 101) {
        // Interim response: forget it and read the next header block from the same stream.
        res_ = response{};
        status_seen_ = false;
        block_bytes_ = 0;
        return;
    }

    bool chunked = false;
    if (auto te = res_.headers.combined("Transfer-Encoding")) {
        int codings = 0;
        bool only_chunked = true;
        detail::for_each_list_element(*te, [&](std::string_view coding) {
            ++codings;
            only_chunked = only_chunked && iequals(coding, "chunked");
        });
        if (codings != 1 || !only_chunked) {
            ec = make_error_code(errc::bad_transfer_encoding);
            return;
        }
        chunked = true;
    }

    std::optional<std::uint64_t> length;
    bool bad_length = false;
    for (const auto& f : res_.headers) {
        if (!iequals(f.name, "Content-Length"))
            continue;
        bool any = false;
        detail::for_each_list_element(f.value, [&](std::string_view v) {
            any = true;
            const auto n = detail::h1::parse_decimal(v);
            if (!n || (length && *length != *n))
                bad_length = true;
            else
                length = n;
        });
        bad_length = bad_length || !any;
    }
    if (bad_length) {
        ec = make_error_code(errc::bad_content_length);
        return;
    }

    if (skip_body_ || status < 200 || status == 204 || status == 304) {
        state_ = state::done;
    } else if (chunked) {
        state_ = state::chunk_size;
        remaining_ = 0;
    } else if (length) {
        if (*length > limits_.max_body_bytes) {
            ec = make_error_code(errc::body_limit_exceeded);
            return;
        }
        remaining_ = static_cast<std::size_t>(*length);
        res_.body.reserve(std::min(remaining_, detail::h1::max_body_reserve));
        state_ = remaining_ == 0 ? state::done : state::body_length;
    } else {
        state_ = state::body_to_eof;
    }
}

PBI_DECL std::size_t response_parser::put_chunked(std::string_view bytes, std::error_code& ec) {
    std::size_t used = 0;
    while (used < bytes.size()) {
        const auto in = bytes.substr(used);
        switch (state_) {
        case state::chunk_size: {
            std::size_t n = 0;
            std::string_view line;
            const auto r = take_line(in, detail::h1::max_chunk_line, n, line);
            used += n;
            if (r == line_result::need_more)
                return used;
            if (r != line_result::complete) {
                ec = make_error_code(errc::bad_chunk);
                return used;
            }
            const auto size = detail::h1::parse_chunk_size(line);
            buffer_.clear();
            if (!size) {
                ec = make_error_code(errc::bad_chunk);
                return used;
            }
            if (*size == 0) {
                state_ = state::trailer;
                block_bytes_ = 0;
            } else if (*size > limits_.max_body_bytes - res_.body.size()) {
                ec = make_error_code(errc::body_limit_exceeded);
                return used;
            } else {
                remaining_ = static_cast<std::size_t>(*size);
                state_ = state::chunk_data;
            }
            break;
        }
        case state::chunk_data: {
            const auto n = std::min(remaining_, in.size());
            res_.body.append(in.data(), n);
            remaining_ -= n;
            used += n;
            if (remaining_ == 0)
                state_ = state::chunk_data_crlf; // remaining_ now counts the CRLF bytes seen
            break;
        }
        case state::chunk_data_crlf:
            if (in.front() != (remaining_ == 0 ? '\r' : '\n')) {
                ec = make_error_code(errc::bad_chunk);
                return used;
            }
            ++used;
            if (++remaining_ == 2) {
                remaining_ = 0;
                state_ = state::chunk_size;
            }
            break;
        case state::trailer: {
            std::size_t n = 0;
            std::string_view line;
            const auto r = take_line(in, limits_.max_header_bytes - block_bytes_, n, line);
            used += n;
            if (r == line_result::need_more)
                return used;
            if (r != line_result::complete) {
                ec = make_error_code(r == line_result::too_long ? errc::header_limit_exceeded
                                                                : errc::bad_header);
                return used;
            }
            block_bytes_ += line.size() + 2;
            if (line.empty())
                state_ = state::done;
            else
                parse_field_line(line, nullptr, ec); // trailers are validated, then dropped
            buffer_.clear();
            if (ec || state_ == state::done)
                return used;
            break;
        }
        default:
            return used;
        }
    }
    return used;
}

} // namespace pbi::http
