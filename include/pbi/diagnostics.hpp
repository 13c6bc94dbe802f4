// pbi-async — what the server said when a call failed, and what the operator can do about it.
#pragma once

#include <pbi/config.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace pbi {

/// Which party produced the failure a diagnostics object describes.
enum class failure_source {
    none,      ///< no failure, or the SDK rejected its input before any I/O
    transport, ///< DNS, TCP, TLS or HTTP framing: no usable answer arrived
    entra,     ///< the Entra ID (Azure AD) token endpoint or discovery answered with an error
    powerbi,   ///< the Power BI REST API answered with an error
};

/// The raw facts of a failed call plus a plain-words hint. Never contains a secret: request
/// bodies, passwords, client secrets and tokens are never copied in.
///
/// Pass one to an operation's `diagnostics&` overload; the operation clears it first and fills
/// it on failure (and keeps `client_request_id` on success too).
struct diagnostics {
    failure_source source = failure_source::none;
    int http_status = 0;                             ///< 0 when no HTTP answer arrived
    std::string error;                               ///< Entra `error` or the Power BI error code
    std::string suberror;                            ///< Entra `suberror`
    std::vector<std::int64_t> error_codes;           ///< Entra AADSTS codes, in the server's order
    std::string trace_id;                            ///< Entra `trace_id`
    std::string correlation_id;                      ///< Entra `correlation_id`
    std::string claims;                              ///< Entra claims challenge, if any
    std::string request_id;                          ///< Power BI `RequestId` / `x-ms-request-id`
    std::string powerbi_error_info;                  ///< Power BI `X-PowerBI-Error-Info` header
    std::string client_request_id;                   ///< the `client-request-id` this SDK sent
    std::optional<std::chrono::seconds> retry_after; ///< the server's Retry-After, if sent
    std::string server_message;                      ///< the server's own text (error_description, message)
    std::string message;                             ///< one line in plain words: what happened
    std::string hint;                                ///< what the operator can do about it

    void clear() { *this = diagnostics{}; }
    bool empty() const { return source == failure_source::none && message.empty(); }
};

/// Prints every non-empty field on its own "name: value" line (safe to log: no secrets).
PBI_DECL std::ostream& operator<<(std::ostream& os, const diagnostics& d);

/// Name of a failure_source ("transport", "entra", ...).
PBI_DECL const char* to_string(failure_source s) noexcept;

} // namespace pbi

#if defined(PBI_HEADER_ONLY)
#include <pbi/impl/diagnostics.ipp>
#endif
