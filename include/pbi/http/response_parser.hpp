// pbi-async — sans-io HTTP/1.1 response parser.
#pragma once

#include <pbi/http/message.hpp>

#include <cstddef>
#include <string_view>
#include <system_error>

namespace pbi::http {

struct parser_limits {
    std::size_t max_header_bytes = 64 * 1024;      ///< status line + all headers, including CRLFs
    std::size_t max_body_bytes = 64 * 1024 * 1024; ///< decoded body
};

/// Incremental parser for one HTTP/1.1 response. Feed bytes with put(); signal end of stream
/// with put_eof(). Interim 1xx responses (100 Continue, 103) are skipped. Handles
/// Content-Length, chunked (extensions and trailers), and bodies delimited by EOF.
/// Errors are pbi::errc values: bad_status_line, bad_header, header_limit_exceeded,
/// body_limit_exceeded, bad_content_length, bad_transfer_encoding, bad_chunk, partial_message.
///
/// What it accepts, precisely:
/// - Lines end in CRLF; a bare LF or a CR inside a line is an error (bad_status_line in the
///   status line, bad_chunk in a chunk-size line, bad_header elsewhere).
/// - Status line `HTTP/1.<digit> SP <3 digits> [SP reason]`; the reason may be empty or absent.
/// - Field names are tokens with no space before ':'; values are trimmed of spaces and tabs and
///   may not hold control characters. Obsolete line folding (a line starting with SP or HTAB)
///   is bad_header. Duplicate fields are kept in order (use fields::combined()).
/// - Interim responses (100–199 except 101) are parsed, checked and discarded; the parser then
///   reads the final response from the same stream. Each header block, interim or final, is
///   checked against max_header_bytes on its own, as soon as its bytes arrive. 101 Switching
///   Protocols is returned as a final response with no body (the SDK never asks to upgrade).
/// - Framing (RFC 9112 §6.3): no body for skip_body(), 1xx, 204 and 304. Otherwise
///   `Transfer-Encoding: chunked` wins over Content-Length; the only transfer coding accepted is
///   a single `chunked` (the SDK never asks for others, so `gzip, chunked` is
///   bad_transfer_encoding rather than a body that silently is not what it seems). Content-Length
///   may repeat (as fields or as a list) only with equal values. With neither, the body ends at
///   EOF. Framing fields are validated even when the response has no body.
/// - Chunk extensions are checked for control characters and ignored; chunk-size lines are
///   limited to 4 KiB. Trailer fields are validated (and count against max_header_bytes as a
///   block of their own) and then discarded: RFC 9110 §6.5.1 forbids merging them into the
///   header section blindly, and nothing in the SDK needs them.
/// - max_body_bytes applies to the decoded body and fails as early as it is known to be
///   exceeded: on a Content-Length or chunk size that announces too much, or on arrival.
///
/// The parser buffers only an incomplete line between put() calls; body bytes are appended to
/// the response directly.
class response_parser {
public:
    explicit response_parser(parser_limits limits = {}) : limits_(limits) {}

    /// The response answers a HEAD request (or is otherwise known to have no body).
    void skip_body() noexcept { skip_body_ = true; }

    /// Consumes bytes; returns how many were used (fewer than given once done()).
    /// On error sets ec, and the parser must not be used further.
    /// Bytes left over after done() belong to whatever follows the response on the connection.
    PBI_DECL std::size_t put(std::string_view bytes, std::error_code& ec);
    /// The stream ended. Completes an EOF-delimited body; otherwise partial_message unless done().
    PBI_DECL void put_eof(std::error_code& ec);

    bool done() const noexcept { return state_ == state::done; }
    bool header_done() const noexcept { return state_ > state::header; }
    /// True when the body ends only at EOF (no Content-Length, not chunked).
    bool body_ends_at_eof() const noexcept { return state_ == state::body_to_eof; }

    const response& get() const noexcept { return res_; }
    response release() { return std::move(res_); }

private:
    enum class state {
        header,
        body_length,
        chunk_size,
        chunk_data,
        chunk_data_crlf,
        trailer,
        body_to_eof,
        done
    };
    enum class line_result { complete, need_more, too_long, bad_end };

    PBI_DECL line_result take_line(std::string_view in, std::size_t budget, std::size_t& used,
                                   std::string_view& line);
    PBI_DECL std::size_t put_header(std::string_view bytes, std::error_code& ec);
    PBI_DECL void parse_status_line(std::string_view line, std::error_code& ec);
    PBI_DECL void parse_field_line(std::string_view line, fields* into, std::error_code& ec);
    PBI_DECL void finish_header(std::error_code& ec);
    PBI_DECL std::size_t put_chunked(std::string_view bytes, std::error_code& ec);

    parser_limits limits_;
    bool skip_body_ = false;
    bool status_seen_ = false; // the current header block's status line has been parsed
    state state_ = state::header;
    std::error_code error_;       // sticky: put()/put_eof() after a failure report it again
    std::string buffer_;          // an incomplete line carried between put() calls
    std::size_t remaining_ = 0;   // bytes left in the body or chunk; CRLF bytes seen after chunk data
    std::size_t block_bytes_ = 0; // complete lines of the current header or trailer block
    response res_;
};

} // namespace pbi::http

#if defined(PBI_HEADER_ONLY)
#include <pbi/http/impl/response_parser.ipp>
#endif
