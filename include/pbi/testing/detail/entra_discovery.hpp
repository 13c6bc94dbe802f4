// pbi-async — emulator internals: realm discovery (`/common/userrealm/{upn}`) and the OpenID
// configuration document (`/{tenant}/v2.0/.well-known/openid-configuration`).
#pragma once

#include <pbi/http/encoding.hpp>
#include <pbi/testing/detail/entra_common.hpp>

#include <cctype>
#include <string>
#include <string_view>

namespace pbi::testing::detail {

/// "contoso.onmicrosoft.com" → "Contoso".
inline std::string brand_name(std::string_view domain) {
    std::string brand(domain.substr(0, domain.find('.')));
    if (!brand.empty()) {
        brand[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(brand[0])));
    }
    return brand;
}

/// GET /common/userrealm/{upn}?api-version=1.0 (or 2.0, answered in PascalCase).
inline answer userrealm_endpoint(emulator_state& st, const server_request& req, std::string_view upn) {
    const auto& o = st.options();
    entra_context ctx = make_entra_context(st, req);
    bool v2 = false;
    if (auto query = parse_query(req.query())) {
        const std::string* version = find_param(*query, "api-version");
        v2 = version && *version == "2.0";
    }
    auto at = upn.rfind('@');
    std::string domain(at == std::string_view::npos ? std::string_view() : upn.substr(at + 1));
    const emulator_user* user = find_user(o, upn);
    std::string kind = "Unknown";
    if (user && user->federated) {
        kind = "Federated";
    } else if (user || (!domain.empty() && http::iequals(domain, o.tenant_domain))) {
        kind = "Managed";
    }
    std::string fs = "https://fs." + domain + "/adfs/";
    boost::json::object body;
    if (v2) {
        body = {{"State", kind == "Unknown" ? 4 : 3},
                {"UserState", kind == "Unknown" ? 1 : 2},
                {"Login", upn},
                {"NameSpaceType", kind}};
        if (kind != "Unknown") {
            body["DomainName"] = domain;
            body["FederationBrandName"] = brand_name(o.tenant_domain);
            body["TenantBrandingInfo"] = nullptr;
        }
        if (kind == "Federated") {
            body["FederationGlobalVersion"] = -1;
            body["AuthURL"] = fs + "ls/?username=" + http::encode_query_value(upn) +
                              "&wa=wsignin1.0&wtrealm=urn%3afederation%3aMicrosoftOnline&wctx=";
            body["FederationProtocol"] = "WSTrust";
        }
        body["CloudInstanceName"] = "microsoftonline.com";
        body["CloudInstanceIssuerUri"] = "urn:federation:MicrosoftOnline";
    } else {
        body = {{"ver", "1.0"}, {"account_type", kind}};
        if (kind != "Unknown") {
            body["domain_name"] = domain;
            body["federation_brand_name"] = brand_name(o.tenant_domain);
        }
        if (kind == "Federated") {
            body["federation_protocol"] = "WSTrust";
            body["federation_metadata_url"] = fs + "services/trust/mex";
            body["federation_active_auth_url"] = fs + "services/trust/2005/usernamemixed";
        }
        body["cloud_instance_name"] = "microsoftonline.com";
        body["cloud_audience_urn"] = "urn:federation:MicrosoftOnline";
    }
    return with_entra_headers(json_answer(200, body), ctx);
}

/// GET /{tenant}/v2.0/.well-known/openid-configuration. The endpoints point at the emulator.
inline answer openid_endpoint(emulator_state& st, const server_request& req, const std::string& tenant) {
    const auto& o = st.options();
    entra_context ctx = make_entra_context(st, req);
    tenant_kind tk = classify_tenant(o, tenant);
    if (tk == tenant_kind::unknown) {
        return entra_error(ctx, "invalid_tenant", 90002, tenant_not_found_message(tenant));
    }
    std::string t = tk == tenant_kind::own ? o.tenant_id : tenant;
    std::string base = st.origin + "/" + t + "/oauth2/v2.0/";
    std::string issuer =
        st.origin + "/" + (tk == tenant_kind::own ? o.tenant_id : std::string("{tenantid}")) + "/v2.0";
    boost::json::object body{
        {"token_endpoint", base + "token"},
        {"token_endpoint_auth_methods_supported",
         boost::json::array{"client_secret_post", "private_key_jwt", "client_secret_basic"}},
        {"jwks_uri", st.origin + "/" + t + "/discovery/v2.0/keys"},
        {"response_modes_supported", boost::json::array{"query", "fragment", "form_post"}},
        {"subject_types_supported", boost::json::array{"pairwise"}},
        {"id_token_signing_alg_values_supported", boost::json::array{"RS256"}},
        {"response_types_supported",
         boost::json::array{"code", "id_token", "code id_token", "id_token token"}},
        {"scopes_supported", boost::json::array{"openid", "profile", "email", "offline_access"}},
        {"issuer", issuer},
        {"request_uri_parameter_supported", false},
        {"userinfo_endpoint", "https://graph.microsoft.com/oidc/userinfo"},
        {"authorization_endpoint", base + "authorize"},
        {"device_authorization_endpoint", base + "devicecode"},
        {"http_logout_supported", true},
        {"frontchannel_logout_supported", true},
        {"end_session_endpoint", base + "logout"},
        {"claims_supported", boost::json::array{"sub", "iss", "cloud_instance_name", "aud", "exp", "iat",
                                                "auth_time", "acr", "nonce", "preferred_username", "name",
                                                "tid", "ver", "at_hash", "c_hash", "email"}},
        {"kerberos_endpoint", st.origin + "/" + t + "/kerberos"},
        {"tenant_region_scope",
         tk == tenant_kind::own ? boost::json::value("EU") : boost::json::value(nullptr)},
        {"cloud_instance_name", "microsoftonline.com"},
        {"cloud_graph_host_name", "graph.windows.net"},
        {"msgraph_host", "graph.microsoft.com"},
        {"rbac_url", "https://pas.windows.net"}};
    return with_entra_headers(json_answer(200, body), ctx);
}

} // namespace pbi::testing::detail
