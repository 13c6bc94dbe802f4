// pbi-async — error codes (pbi::errc) and the classes callers test them against (pbi::condition).
#pragma once

#include <pbi/config.hpp>

#include <string>
#include <system_error>

namespace pbi {

/// Every failure the SDK reports. Transport failures from the OS (connection refused, reset)
/// keep their asio/system error codes; everything the SDK decides itself is a pbi::errc.
/// Compare against pbi::condition to test a class of failures.
enum class errc {
    // --- usage and configuration
    invalid_argument = 1,  ///< a caller-supplied value is unusable (empty id, bad option)
    invalid_url,           ///< a URL could not be parsed or is not https
    missing_configuration, ///< a required setting (tenant, client id, ...) is absent

    // --- transport, TLS and deadlines
    timeout,                   ///< the call's deadline passed
    connection_closed,         ///< the peer closed the connection before the response was complete
    tls_handshake_failed,      ///< TLS could not be established (protocol error, wrong version)
    certificate_untrusted,     ///< the server's chain does not lead to a trusted anchor
    certificate_name_mismatch, ///< the certificate is valid but not for this host name
    certificate_expired,       ///< the certificate (or one in its chain) has expired or is not yet valid
    redirect_refused,          ///< a redirect was not followed (other origin, or too many)

    // --- HTTP framing (sans-io parser)
    bad_status_line,
    bad_header,
    header_limit_exceeded, ///< the header block is larger than parser_limits::max_header_bytes
    body_limit_exceeded,   ///< the body is larger than parser_limits::max_body_bytes
    bad_content_length,
    bad_transfer_encoding,
    bad_chunk,       ///< malformed chunk size, extension or delimiter
    partial_message, ///< the stream ended before the message was complete

    // --- response content
    malformed_json,          ///< the body is not valid JSON
    unexpected_json,         ///< valid JSON, but a field is missing or has the wrong type
    unexpected_content_type, ///< HTML or text where JSON or a file was expected (a gateway page)
    unexpected_status,       ///< an HTTP status the call does not know how to handle

    // --- Entra ID sign-in (mapped from error_codes first, then error, then status)
    invalid_credentials,        ///< AADSTS50126: wrong user name or password
    federated_account,          ///< ROPC for a federated (ADFS) account
    mfa_required,               ///< AADSTS50076/50079/50158: ROPC cannot satisfy MFA
    account_locked,             ///< AADSTS50053
    account_disabled,           ///< AADSTS50057
    password_expired,           ///< AADSTS50055
    user_not_found,             ///< AADSTS50034: user not in this tenant
    user_not_assigned,          ///< AADSTS50105
    consent_required,           ///< AADSTS65001
    conditional_access_blocked, ///< AADSTS53003 / 530035
    client_secret_invalid,      ///< AADSTS7000215
    client_secret_expired,      ///< AADSTS7000222
    client_secret_missing,      ///< AADSTS7000218
    public_client_sent_secret,  ///< AADSTS700025
    app_not_found,              ///< AADSTS700016: wrong client id, tenant or cloud
    app_disabled,               ///< AADSTS7000112
    tenant_not_found,           ///< AADSTS90002
    wrong_cloud,                ///< AADSTS500011: Power BI not found for this authority
    invalid_scope,              ///< AADSTS70011/28000/28003/1002012
    malformed_token_request,    ///< AADSTS90014/900144: body not form-encoded or field missing
    refresh_token_expired,      ///< AADSTS50173/700082/70043/700081
    clock_skew,                 ///< AADSTS700024
    request_loop_throttled,     ///< AADSTS50196
    sign_in_failed,             ///< any other token-endpoint error; the raw codes are in diagnostics

    // --- Power BI
    token_expired,                 ///< 403 TokenExpired / InvalidToken
    not_authorized,                ///< 401 PowerBINotAuthorizedException and friends
    service_principal_not_allowed, ///< tenant setting forbids service principals
    not_workspace_member,          ///< 401/403 GroupNotAccessible, not a member
    entity_not_found,              ///< 404 PowerBIEntityNotFound
    bad_request,                   ///< 400 InvalidRequest / BadRequest
    throttled,                     ///< 429 (Entra or Power BI); Retry-After is in diagnostics
    server_error,                  ///< 5xx
    powerbi_error,                 ///< any other Power BI error; the raw code is in diagnostics

    // --- proxies (CONNECT tunnels); the proxy's status is diagnostics::proxy_status
    proxy_auth_required,  ///< 407: the proxy wants (other) credentials than the ones configured
    proxy_refused,        ///< the proxy answered CONNECT with another non-2xx status (403, 502, ...)
    proxy_protocol_error, ///< the proxy's answer to CONNECT is not valid HTTP, or bytes followed it

    // --- Power BI embed tokens and row-level security (400 InvalidRequest, named)
    effective_identity_required,    ///< a dataset has RLS: GenerateToken needs an identity for it
    effective_identity_not_allowed, ///< a dataset has no RLS: GenerateToken must not name an identity for it

    // --- Power BI export to file
    export_format_not_supported, ///< this type of report cannot have this format (PNG of a paginated report)
    export_failed,               ///< the export job failed and Power BI did not ask for a resubmission
};

/// Classes of failures. `ec == pbi::condition::retryable` and so on.
enum class condition {
    retryable = 1, ///< trying again later may succeed (timeouts, resets, 5xx, 429)
    auth,          ///< signing in or authorising failed; a retry with the same input will not help
    throttled,     ///< the server asked the client to slow down
    configuration, ///< the SDK's configuration is wrong (ids, secrets, cloud, URL)
    transport,     ///< network, TLS, framing: nobody answered with a usable HTTP response
};

PBI_DECL const std::error_category& error_category() noexcept;
PBI_DECL const std::error_category& condition_category() noexcept;

/// The enumerator's name ("invalid_credentials", "federated_account", ...), for logs and
/// machine-readable output; "unknown" for a value outside the enum.
PBI_DECL const char* to_string(errc e) noexcept;

/// A stable name for any error the SDK completes with, for logs and scripts: the errc
/// enumerator's name for SDK errors; for the network errors the OS reports, "connection_refused",
/// "connection_reset", "connection_aborted", "timed_out", "network_unreachable",
/// "host_unreachable", "network_down", "broken_pipe", "eof", "host_not_found",
/// "host_not_found_try_again", "address_in_use" or "operation_aborted" (the same on every
/// platform); anything else "category:value" ("asio.ssl:167772294").
PBI_DECL std::string error_name(std::error_code ec);

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}
inline std::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

} // namespace pbi

template <>
struct std::is_error_code_enum<pbi::errc> : std::true_type {};
template <>
struct std::is_error_condition_enum<pbi::condition> : std::true_type {};

#if defined(PBI_HEADER_ONLY)
#include <pbi/impl/error.ipp>
#endif
