// pbi-async — turns a Power BI REST error answer into a pbi::errc and diagnostics.
#pragma once

#include <pbi/config.hpp>
#include <pbi/diagnostics.hpp>
#include <pbi/error.hpp>
#include <pbi/http/fields.hpp>

#include <string_view>
#include <system_error>

namespace pbi::powerbi {

/// Parses a Power BI error answer (status 4xx or 5xx) of any shape WIRE.md §2 lists:
/// `{"error":{"code","message","details"}}`, `{"error":{"code","pbi.error":{"code",...}}}`,
/// `{"message":"... Retry in N seconds."}`, `{"Message":"..."}`, an empty body with only the
/// `X-PowerBI-Error-Info` header, or HTML/text from a gateway.
///
/// `diag` is reset (its `client_request_id` is kept) and filled: source failure_source::powerbi,
/// `http_status`, `error` (the error code), `suberror` (the `pbi.error` code when it differs),
/// `request_id` (`RequestId`, else `x-ms-request-id`), `powerbi_error_info`, `retry_after`
/// (the Retry-After header, measured from the Date header for an HTTP-date; for a 429 without
/// the header, the "Retry in N seconds" of the message), `server_message`, and a plain-words
/// `message` and `hint`.
///
/// The error code, first match wins:
/// - 401/403 with code `TokenExpired` or `InvalidToken` (in the body or X-PowerBI-Error-Info) →
///   errc::token_expired (renew the Entra token and retry once);
/// - code `ServicePrincipalIsNotAllowedByTenantAdminSwitch` → errc::service_principal_not_allowed;
/// - 401/403 with code `GroupNotAccessible` or a "not a member" code → errc::not_workspace_member;
/// - other 401 and 403 → errc::not_authorized; 404 → errc::entity_not_found;
///   400 → errc::bad_request; 429 → errc::throttled; 5xx → errc::server_error;
/// - other 4xx → errc::powerbi_error; a status below 400 → errc::unexpected_status.
PBI_DECL std::error_code parse_powerbi_error(int http_status, const http::fields& headers,
                                             std::string_view body, diagnostics& diag);

/// Names a GenerateToken refusal about effective identities, which Power BI sends as a plain
/// 400 InvalidRequest told apart only by its message (`server_message`):
/// - "Creating embed token for accessing dataset D requires effective identity to be provided"
///   → errc::effective_identity_required;
/// - "Creating embed token for accessing dataset D shouldn't have effective identity"
///   → errc::effective_identity_not_allowed;
/// - anything else, including "requires effective identity username to be identical to the
///   caller's principal name" or "... requires roles to be included ..." → an empty code (the
///   400 stays errc::bad_request and keeps the server's message).
PBI_DECL std::error_code classify_effective_identity_error(std::string_view server_message);

} // namespace pbi::powerbi

#if defined(PBI_HEADER_ONLY)
#include <pbi/powerbi/impl/error_parser.ipp>
#endif
