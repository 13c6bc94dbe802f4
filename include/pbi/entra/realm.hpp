// pbi-async — Entra ID realm discovery: is an account managed (cloud-only) or federated (ADFS)?
#pragma once

#include <pbi/config.hpp>
#include <pbi/error.hpp>

#include <string>
#include <string_view>
#include <system_error>

namespace pbi::entra {

/// What `GET /common/userrealm/{upn}` says about an account. The password grant (ROPC) works
/// only for `managed` accounts; a `federated` one fails as AADSTS50126 (wrong password), and
/// `unknown` means the user name is wrong or the tenant lives in another cloud.
struct user_realm {
    enum class kind { managed, federated, unknown };

    kind account_type = kind::unknown;
    std::string domain_name;                ///< e.g. "contoso.com"
    std::string cloud_instance_name;        ///< e.g. "microsoftonline.com"; tells the cloud apart
    std::string federation_protocol;        ///< "WSTrust" or "SAML20" for federated accounts
    std::string federation_metadata_url;    ///< the ADFS MEX endpoint
    std::string federation_active_auth_url; ///< the ADFS usernamemixed endpoint
    std::string auth_url;                   ///< api-version 2.0 `AuthURL` (the passive, browser sign-in URL)
};

/// "managed", "federated" or "unknown".
PBI_DECL const char* to_string(user_realm::kind k) noexcept;

/// The plain-words hint for a federated account that the password grant cannot sign in: which
/// domain is federated and where it signs in (no secrets), and what works instead — an account
/// in the tenant's onmicrosoft.com domain, a service principal, or federated sign-in (an Entra
/// option the SDK does not offer yet).
PBI_DECL std::string federated_account_hint(const user_realm& realm);

/// The request path (and query) of realm discovery for a user principal name:
/// "/common/userrealm/{upn percent-encoded}?api-version=1.0". No authentication is needed.
PBI_DECL std::string user_realm_path(std::string_view upn);

/// Parses an api-version 1.0 answer (`account_type`, `domain_name`, ...), tolerating the 2.0
/// PascalCase form (`NameSpaceType`, `DomainName`, `AuthURL`, ...). An account type other than
/// Managed or Federated (case-insensitive) is `kind::unknown`.
/// Errors: errc::unexpected_content_type (HTML or text), errc::malformed_json,
/// errc::unexpected_json (not an object, no account type, or a field of the wrong type).
PBI_DECL std::error_code parse_user_realm(std::string_view body, user_realm& out);

} // namespace pbi::entra

#if defined(PBI_HEADER_ONLY)
#include <pbi/entra/impl/realm.ipp>
#endif
