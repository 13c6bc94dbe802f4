// pbi-async — the Entra ID token endpoint, sans-io: build the request form, parse the answer.
#pragma once

#include <pbi/config.hpp>
#include <pbi/diagnostics.hpp>
#include <pbi/entra/access_token.hpp>
#include <pbi/entra/credential.hpp>
#include <pbi/error.hpp>
#include <pbi/http/fields.hpp>
#include <pbi/secret.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace pbi::entra {

/// Which token endpoint to talk to. v2 takes a `scope` (Power BI: resource + "/.default") and
/// answers with JSON numbers; v1 takes a `resource` and answers with numbers as strings.
enum class endpoint_version { v2, v1 };

/// The token endpoint's path: "/{tenant}/oauth2/v2.0/token" (v2) or "/{tenant}/oauth2/token"
/// (v1), the tenant percent-encoded as one path segment.
PBI_DECL std::string token_endpoint_path(std::string_view tenant, endpoint_version version);

/// The application/x-www-form-urlencoded body of the credential's primary grant.
/// - ropc_credential: grant_type=password, client_id, client_secret (only when not empty),
///   username, password, then scope (v2; " offline_access" is appended so that a refresh
///   token is issued) or resource (v1).
/// - client_secret_credential: grant_type=client_credentials, client_id, client_secret, then
///   scope (v2) or resource (v1).
/// `scope_or_resource` is sent as given otherwise. The result contains secrets: never log it.
PBI_DECL std::string build_token_request_body(const credential& cred, std::string_view scope_or_resource,
                                              endpoint_version version);

/// The form body of a refresh-token grant: grant_type=refresh_token, client_id,
/// client_secret (when the credential has one), refresh_token, then scope (v2; for ROPC with
/// " offline_access" appended, so a new refresh token comes back) or resource (v1).
PBI_DECL std::string build_refresh_request_body(const credential& cred, const secret& refresh_token,
                                                std::string_view scope_or_resource, endpoint_version version);

/// Parses the token endpoint's answer.
///
/// `diag` is reset first (its `client_request_id` is kept) and filled on failure. On success
/// `out` holds the token with `expires_at = received_at + expires_in`.
///
/// Success (2xx): the JSON numbers `expires_in`, `refresh_in` and `expires_on` may be integers
/// or numeric strings (v1). Errors:
/// - errc::unexpected_content_type: the body is HTML or text (a gateway or proxy page);
/// - errc::malformed_json: the body is broken JSON;
/// - errc::unexpected_json: `access_token` missing, null, empty or not a string, `expires_in`
///   missing, not a number or not positive, or `token_type`/`scope`/`refresh_token` of the
///   wrong type. Unusable optional numbers (`refresh_in`, `expires_on`) are ignored.
///
/// Failure (any other status, or a 2xx carrying an `error`): the Entra fields go to `diag`
/// (`error`, `suberror`, `error_codes`, `trace_id`, `correlation_id`, `claims`, the first line
/// of `error_description` as `server_message`, Retry-After measured from the answer's Date
/// header) together with a plain-words `message` and `hint`. The error code comes from the
/// first known AADSTS code in `error_codes` (e.g. 50126 → errc::invalid_credentials; the token
/// grant turns it into errc::federated_account when realm discovery says so), else
/// from `error` (invalid_client → errc::client_secret_invalid, interaction_required →
/// errc::mfa_required, invalid_tenant → errc::tenant_not_found, ...), else from the status
/// (429 → errc::throttled, 5xx → errc::server_error), else errc::sign_in_failed. A 4xx
/// answer that is not JSON gives errc::unexpected_content_type (or malformed_json), a 1xx/3xx
/// answer errc::unexpected_status. `error_description` is never used to decide.
PBI_DECL std::error_code parse_token_response(int http_status, const http::fields& headers,
                                              std::string_view body,
                                              std::chrono::steady_clock::time_point received_at,
                                              access_token& out, diagnostics& diag);

/// Maps an error answer of any Entra ID endpoint (token, OpenID configuration, realm discovery)
/// the way parse_token_response maps a failed token answer: `diag` is reset (keeping
/// `client_request_id`) and filled — source failure_source::entra, status, `error`, `suberror`,
/// `error_codes`, `trace_id` and `correlation_id` (from the body, else from the
/// `x-ms-request-id` and `client-request-id` headers), `claims`, Retry-After, the first line of
/// `error_description`, `message` and `hint`. `endpoint` names the endpoint in messages ("the
/// token endpoint"). A 1xx/3xx status is errc::unexpected_status.
PBI_DECL std::error_code parse_entra_error(int http_status, const http::fields& headers,
                                           std::string_view body, std::string_view endpoint,
                                           diagnostics& diag);

/// One row of WIRE.md's AADSTS table as the SDK maps it.
struct aadsts_cause {
    std::int64_t code;
    errc error;
    const char* hint; ///< what fixes it, in plain words (never a secret)
};

/// Every AADSTS code the SDK names, in WIRE.md's order. README.md's "When sign-in fails" table is
/// checked against it by a unit test, so the two cannot drift.
PBI_DECL std::span<const aadsts_cause> aadsts_causes() noexcept;

/// The error code an AADSTS code maps to (the table in WIRE.md §1); nullopt for a code the SDK
/// does not know (parse_token_response then answers errc::sign_in_failed, keeping the raw code
/// in diagnostics::error_codes).
PBI_DECL std::optional<errc> errc_from_aadsts(std::int64_t code) noexcept;

} // namespace pbi::entra

#if defined(PBI_HEADER_ONLY)
#include <pbi/entra/impl/token_codec.ipp>
#endif
