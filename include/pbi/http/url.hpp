// pbi-async — absolute URLs and origins.
#pragma once

#include <pbi/config.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace pbi::http {

/// An absolute http(s) URL split into its parts. Only `https` is used for real traffic;
/// `http` parses so that proxies and redirects can be recognised and refused.
struct url {
    std::string scheme;       ///< lower-case: "https" or "http"
    std::string host;         ///< lower-case name or IPv4 address; IPv6 literal without brackets
    std::uint16_t port = 0;   ///< explicit or the scheme's default (443/80)
    std::string target = "/"; ///< path and query as given (origin-form), "/" when empty

    /// "https://host[:port]" — the port only when not the default. IPv6 gets brackets.
    PBI_DECL std::string origin() const;
    /// The Host header value: host[:port], port only when not the default.
    PBI_DECL std::string host_header() const;
    /// Parses "scheme://host[:port][/path][?query]". Rejects user-info, fragments are dropped,
    /// errors are errc::invalid_url.
    ///
    /// Refused: schemes other than http/https; user-info (any '@' in the authority: credentials
    /// never travel in URLs here); an empty host; host names with characters other than
    /// letters, digits, '-', '.', '_' (no percent-encoding); IPv6 literals with a zone id; ports
    /// that are empty, 0, above 65535 or not digits; a path or query with spaces, control
    /// characters or raw non-ASCII bytes (percent-encode them first, see encoding.hpp).
    /// On success ec is cleared.
    PBI_DECL static url parse(std::string_view text, std::error_code& ec);
};

/// A URL-like setting made safe to show: everything between "scheme://" (or the start) and the
/// LAST '@' becomes "***" ("https://u:pw@host" → "https://***@host"). The last '@', because a
/// malformed value may hold a password with unencoded '/', '?', '#' or '@'. Text without '@'
/// is returned as it is.
PBI_DECL std::string redact_user_info(std::string_view text);

} // namespace pbi::http

#if defined(PBI_HEADER_ONLY)
#include <pbi/http/impl/url.ipp>
#endif
