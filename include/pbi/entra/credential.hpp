// pbi-async — the credentials the SDK signs in with: ROPC (user + password) and client secret.
#pragma once

#include <pbi/config.hpp>
#include <pbi/diagnostics.hpp>
#include <pbi/error.hpp>
#include <pbi/secret.hpp>

#include <ostream>
#include <string>
#include <system_error>
#include <variant>

namespace pbi::entra {

/// The OAuth2 resource-owner password grant (ROPC): an app registration plus a user's name
/// and password. Works only for cloud-only ("managed") accounts without MFA; federated (ADFS)
/// accounts and accounts that need MFA cannot sign in this way.
struct ropc_credential {
    std::string tenant_id; ///< a GUID or a domain; "organizations" is allowed, "common"/"consumers" are not
    std::string client_id; ///< the app registration's application (client) id
    secret client_secret;  ///< empty for a public client (one with "Allow public client flows")
    std::string username;  ///< the user principal name, e.g. "signage@contoso.onmicrosoft.com"
    secret password;
};

/// The OAuth2 client-credentials grant with a client secret: a service principal.
struct client_secret_credential {
    std::string tenant_id; ///< a GUID or a domain (not "common", "organizations" or "consumers")
    std::string client_id;
    secret client_secret; ///< the secret's Value (not its Secret ID)
};

/// Any credential the SDK can sign in with.
using credential = std::variant<ropc_credential, client_secret_credential>;

/// The tenant the credential signs in to.
PBI_DECL const std::string& tenant_of(const credential& c) noexcept;
/// The app registration's client id.
PBI_DECL const std::string& client_id_of(const credential& c) noexcept;
/// The client secret; empty for a public client.
PBI_DECL const secret& client_secret_of(const credential& c) noexcept;

/// Checks a credential before any request is sent:
/// - errc::missing_configuration when the tenant, client id, user name, password (ROPC) or
///   client secret (client credentials) is empty;
/// - errc::invalid_argument for an ROPC tenant "common" or "consumers", a password with
///   leading or trailing white space (ROPC does not support it), or a tenant or client id
///   with leading or trailing white space (a copy-and-paste slip).
/// Returns an empty error_code when the credential is usable.
PBI_DECL std::error_code validate(const credential& c);

/// As above, and on failure fills `diag` (source failure_source::none, message and hint
/// naming the field; never a secret's value).
PBI_DECL std::error_code validate(const credential& c, diagnostics& diag);

/// Print the tenant, the client id and the user name; secrets print as "********".
PBI_DECL std::ostream& operator<<(std::ostream& os, const ropc_credential& c);
PBI_DECL std::ostream& operator<<(std::ostream& os, const client_secret_credential& c);
PBI_DECL std::ostream& operator<<(std::ostream& os, const credential& c);

} // namespace pbi::entra

#if defined(PBI_HEADER_ONLY)
#include <pbi/entra/impl/credential.ipp>
#endif
