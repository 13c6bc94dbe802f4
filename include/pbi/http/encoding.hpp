// pbi-async — percent-encoding for URL parts and application/x-www-form-urlencoded bodies.
#pragma once

#include <pbi/config.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pbi::http {

/// Encodes one path segment: everything but RFC 3986 unreserved characters
/// (A-Z a-z 0-9 - . _ ~) becomes %XX (upper-case hex), including '/', '+', '=' and space.
PBI_DECL std::string encode_path_segment(std::string_view segment);

/// Encodes a query name or value: as a path segment, and additionally keeps nothing else
/// ('&', '=', '+', '$', '\'' and space are encoded; space as %20).
PBI_DECL std::string encode_query_value(std::string_view value);

/// application/x-www-form-urlencoded per the WHATWG URL standard: bytes of the UTF-8 input,
/// unreserved characters `*-._` and alphanumerics kept, space as '+', all else %XX.
PBI_DECL std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

/// Decodes %XX (and '+' as space when `plus_is_space`). nullopt on a malformed escape.
PBI_DECL std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

/// Parses a form body back into name/value pairs (for the emulator and tests).
/// nullopt on a malformed escape.
PBI_DECL std::optional<std::vector<std::pair<std::string, std::string>>> form_decode(std::string_view body);

} // namespace pbi::http

#if defined(PBI_HEADER_ONLY)
#include <pbi/http/impl/encoding.ipp>
#endif
