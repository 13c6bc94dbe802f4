// pbi-async — the OpenID configuration document of an Entra ID tenant, sans-io: its path and
// its parser. Fetching it tells whether a tenant exists in a cloud.
#pragma once

#include <pbi/config.hpp>
#include <pbi/error.hpp>

#include <string>
#include <string_view>
#include <system_error>

namespace pbi::entra {

/// What `GET /{tenant}/v2.0/.well-known/openid-configuration` says about a tenant (the fields
/// the SDK uses; everything else is ignored).
struct openid_configuration {
    std::string issuer;                        ///< "https://login.microsoftonline.com/{tenant id}/v2.0"
    std::string tenant_id;                     ///< the issuer's tenant segment (a GUID), when it has one
    std::string token_endpoint;                ///< where the token requests of this tenant go
    std::string authorization_endpoint;        ///< absent in some answers: then empty
    std::string device_authorization_endpoint; ///< absent in some answers: then empty
    std::string cloud_instance_name;           ///< "microsoftonline.com", "microsoftonline.us", ...
    std::string tenant_region_scope;           ///< "EU", "NA", ...; empty when null or absent
};

/// The path of a tenant's OpenID configuration: "/{tenant}/v2.0/.well-known/openid-configuration",
/// the tenant (GUID or domain) percent-encoded as one path segment.
PBI_DECL std::string openid_configuration_path(std::string_view tenant);

/// Parses the OpenID configuration document. `issuer` and `token_endpoint` are required; the
/// other fields are optional (null counts as absent).
/// Errors: errc::unexpected_content_type (HTML or text), errc::malformed_json,
/// errc::unexpected_json (not an object, a required field missing, or a field of the wrong type).
PBI_DECL std::error_code parse_openid_configuration(std::string_view body, openid_configuration& out);

} // namespace pbi::entra

#if defined(PBI_HEADER_ONLY)
#include <pbi/entra/impl/openid_configuration.ipp>
#endif
