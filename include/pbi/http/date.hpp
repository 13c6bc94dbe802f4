// pbi-async — HTTP dates (RFC 9110 §5.6.7) and the Retry-After header.
#pragma once

#include <pbi/config.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pbi::http {

/// Parses an HTTP-date: the IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" and, as RFC 9110
/// asks of recipients, the obsolete RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime
/// ("Sun Nov  6 08:49:37 1994") forms. Surrounding white space is ignored; the day name is
/// checked for spelling, not against the date. nullopt for anything else.
PBI_DECL std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

/// Formats a time as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), truncated to seconds.
PBI_DECL std::string format_http_date(std::chrono::system_clock::time_point t);

/// Parses a Retry-After value: delay-seconds ("120") or an HTTP-date, which is measured from
/// `reference` — the answer's own Date header when it has one (so this machine's clock does
/// not matter), else the caller's current time. Without a reference an HTTP-date yields
/// nullopt. A date in the past yields 0; a delay too large to represent is capped at 2^31-1 s.
/// Anything else (empty, "soon", "1.5", a negative "-5": delay-seconds is 1*DIGIT) yields
/// nullopt, so callers treat it as no advice and back off on their own rather than not at all.
PBI_DECL std::optional<std::chrono::seconds>
parse_retry_after(std::string_view value, std::optional<std::chrono::system_clock::time_point> reference);

} // namespace pbi::http

#if defined(PBI_HEADER_ONLY)
#include <pbi/http/impl/date.ipp>
#endif
