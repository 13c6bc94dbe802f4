// pbi-async — what the server said when a call failed, and what the operator can do about it.
#pragma once

#include <pbi/config.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace pbi {

/// Which party produced the failure a diagnostics object describes.
enum class failure_source {
    none,      ///< no failure, or the SDK rejected its input before any I/O
    transport, ///< DNS, TCP, TLS or HTTP framing: no usable answer arrived
    entra,     ///< the Entra ID (Azure AD) token endpoint or discovery answered with an error
    powerbi,   ///< the Power BI REST API answered with an error
};

/// Beyond this difference between a server's `Date` header and this machine's clock, diagnostics
/// carry a clock-skew warning.
inline constexpr std::chrono::minutes clock_skew_tolerance{5};

/// The raw facts of a failed call plus a plain-words hint. Never contains a secret: request
/// bodies, passwords, client secrets and tokens are never copied in.
///
/// Pass one to an operation's `diagnostics&` overload; the operation clears it first and fills
/// it on failure. On success too it keeps `client_request_id`, `clock_skew` and `warnings`.
struct diagnostics {
    failure_source source = failure_source::none;
    int http_status = 0; ///< 0 when no HTTP answer arrived
    std::string error;   ///< Entra `error` or the Power BI error code
    /// Entra `suberror` (`basic_action`, `consent_required`, ...), or Power BI's inner
    /// `pbi.error` code when it differs from the outer error code.
    std::string suberror;
    std::vector<std::int64_t> error_codes;           ///< Entra AADSTS codes, in the server's order
    std::string trace_id;                            ///< Entra `trace_id`
    std::string correlation_id;                      ///< Entra `correlation_id`
    std::string claims;                              ///< Entra claims challenge, if any
    std::string request_id;                          ///< Power BI `RequestId` / `x-ms-request-id`
    std::string powerbi_error_info;                  ///< Power BI `X-PowerBI-Error-Info` header
    std::string client_request_id;                   ///< the `client-request-id` this SDK sent
    std::string proxy;                               ///< the proxy the call went through, "http://host:port"
    int proxy_status = 0;                            ///< the proxy's status when it refused a CONNECT tunnel
    std::optional<std::chrono::seconds> retry_after; ///< the server's Retry-After, if sent
    /// Requests the call sent to Power BI, retries included (0: none was sent). The other
    /// fields describe the last one.
    int attempts = 0;
    /// The last answer's `Date` minus this machine's clock (positive: the server is ahead), when
    /// the answer had a Date header. Beyond clock_skew_tolerance a warning is added too.
    std::optional<std::chrono::seconds> clock_skew;
    std::vector<std::string> warnings; ///< what did not fail the call but needs attention (clock skew)
    std::string server_message;        ///< the server's own text (error_description, message)
    std::string message;               ///< one line in plain words: what happened
    std::string hint;                  ///< what the operator can do about it

    void clear() { *this = diagnostics{}; }
    bool empty() const { return source == failure_source::none && message.empty(); }

    /// Replaces every occurrence of `secret` in the text fields with "********". The SDK calls
    /// it with the password, client secret, refresh token and access token it sent, because a
    /// gateway or a server may echo a request back in an error. Secrets under 4 characters are
    /// left alone (masking them would garble ordinary text).
    PBI_DECL void redact(std::string_view secret);
};

/// Prints every non-empty field on its own "name: value" line (safe to log: no secrets); the
/// clock skew only when it exceeds clock_skew_tolerance, each warning as "warning: ...".
PBI_DECL std::ostream& operator<<(std::ostream& os, const diagnostics& d);

/// Compares an answer's `Date` header with this machine's clock at receipt: sets
/// `diag.clock_skew` (Date minus `local_now`, truncated to seconds) and, when the two differ by
/// more than clock_skew_tolerance, adds (or replaces) a plain-words warning saying by how much
/// and what to do. Does nothing when `date_header` is absent or not an HTTP-date. Token
/// lifetimes never depend on this (they are measured from the local receive time); a skewed
/// clock still breaks certificate checks, client assertions and time-stamped logs.
PBI_DECL void note_clock_skew(std::optional<std::string_view> date_header,
                              std::chrono::system_clock::time_point local_now, diagnostics& diag);

/// Name of a failure_source ("transport", "entra", ...).
PBI_DECL const char* to_string(failure_source s) noexcept;

} // namespace pbi

#if defined(PBI_HEADER_ONLY)
#include <pbi/impl/diagnostics.ipp>
#endif
