// pbi-async — emulator internals: what a token request is granted (scope checking) and the
// tokens that grant yields (minted, recorded, answered in the v2 or v1 shape).
#pragma once

#include <pbi/testing/detail/entra_common.hpp>

#include <array>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbi::testing::detail {

/// What a `.default` request is granted (the answer's `scope` lists these, never ".default").
inline constexpr std::array<const char*, 6> default_permissions{"App.Read.All",       "Capacity.Read.All",
                                                                "Dashboard.Read.All", "Dataset.Read.All",
                                                                "Report.Read.All",    "Workspace.Read.All"};
inline constexpr std::array<const char*, 9> other_permissions{
    "Content.Create",       "Dashboard.ReadWrite.All", "Dataset.ReadWrite.All",
    "Report.ReadWrite.All", "Workspace.ReadWrite.All", "Capacity.ReadWrite.All",
    "Tenant.Read.All",      "Tenant.ReadWrite.All",    "Gateway.Read.All"};

/// Who gets a token and with what.
struct token_grant {
    std::string client_id;
    std::string username; // empty: app-only (client credentials)
    std::vector<std::string> permissions;
    bool offline = false, openid = false;
};

/// Checks a v2 `scope`; fills `grant.permissions`, `offline`, `openid`, or returns the error.
inline std::optional<answer> check_scope(const entra_context& ctx, std::string_view scope,
                                         bool client_credentials, std::string_view tenant,
                                         token_grant& grant) {
    const std::string_view requested = scope;
    std::vector<std::string> resources, specific;
    bool uses_default = false;
    while (!scope.empty()) {
        auto sp = scope.find_first_of(" \t");
        std::string_view item = scope.substr(0, sp);
        scope = sp == std::string_view::npos ? std::string_view() : scope.substr(sp + 1);
        if (item.empty()) {
            continue;
        }
        if (http::iequals(item, "offline_access")) {
            grant.offline = true;
            continue;
        }
        if (http::iequals(item, "openid")) {
            grant.openid = true;
            continue;
        }
        if (http::iequals(item, "profile") || http::iequals(item, "email")) {
            continue;
        }
        std::string resource = "https://graph.microsoft.com"; // a bare permission names Graph
        std::string_view permission = item;
        if (auto slash = item.rfind('/'); slash != std::string_view::npos && item.find("://") != item.npos) {
            resource = item.substr(0, slash);
            permission = item.substr(slash + 1);
            while (resource.size() > 8 && resource.back() == '/') { // "api//.default" is accepted
                resource.pop_back();
            }
        }
        bool seen = false;
        for (const auto& r : resources) {
            seen = seen || http::iequals(r, resource);
        }
        if (!seen) {
            resources.push_back(resource);
        }
        if (permission == ".default") {
            uses_default = true;
        } else {
            specific.emplace_back(permission);
        }
    }
    if (resources.size() > 1) {
        return entra_error(
            ctx, "invalid_scope", 28000,
            "Provided value for the input parameter scope is not valid because it contains more "
            "than one resource. Scope " +
                std::string(requested) + " is not valid.");
    }
    if (resources.empty()) {
        return entra_error(
            ctx, "invalid_scope", 70011,
            "The provided request must include a 'scope' input parameter. The provided value for "
            "the input parameter 'scope' is not valid.");
    }
    if (client_credentials && !specific.empty()) {
        return entra_error(
            ctx, "invalid_scope", 1002012,
            "The provided value for scope " + resources[0] + "/" + specific[0] +
                " is not valid. Client credential flows must have a scope value with /.default "
                "suffixed to the resource identifier (application ID URI).");
    }
    if (!http::iequals(resources[0], powerbi_resource)) {
        return entra_error(
            ctx, "invalid_resource", 500011,
            "The resource principal named " + resources[0] + " was not found in the tenant named " +
                std::string(tenant) +
                ". This can happen if the application has not been installed by the administrator "
                "of the tenant or consented to by any user in the tenant. You might have sent your "
                "authentication request to the wrong tenant.");
    }
    if (uses_default && !specific.empty()) {
        return entra_error(
            ctx, "invalid_scope", 70011,
            "The provided value for the input parameter 'scope' is not valid. The scope .default "
            "cannot be combined with resource-specific scopes.");
    }
    for (const auto& p : specific) {
        const char* known = nullptr;
        for (const char* k : default_permissions) {
            known = http::iequals(k, p) ? k : known;
        }
        for (const char* k : other_permissions) {
            known = http::iequals(k, p) ? k : known;
        }
        if (!known) {
            return entra_error(ctx, "invalid_scope", 70011,
                               "The provided value for the input parameter 'scope' is not valid. The scope " +
                                   std::string(powerbi_resource) + "/" + p + " does not exist.");
        }
        grant.permissions.emplace_back(known);
    }
    if (uses_default) {
        grant.permissions.assign(default_permissions.begin(), default_permissions.end());
    }
    return std::nullopt;
}

/// Mints and records the access token (and a refresh/id token when due) and builds the answer.
inline answer issue_tokens(emulator_state& st, const entra_context& ctx, const token_grant& grant, bool v1) {
    const auto& o = st.options();
    bool delegated = !grant.username.empty();
    std::lock_guard lock(st.mutex);
    std::int64_t lifetime = st.random.uniform(o.min_token_lifetime.count(), o.max_token_lifetime.count());
    std::int64_t iat = epoch_seconds(ctx.now), exp = iat + lifetime;
    std::string scp;
    for (const auto& p : grant.permissions) {
        scp += (scp.empty() ? "" : " ") + p;
    }
    boost::json::object claims{{"aud", powerbi_resource},
                               {"iss", "https://sts.windows.net/" + o.tenant_id + "/"},
                               {"iat", iat - 300},
                               {"nbf", iat - 300},
                               {"exp", exp},
                               {"acr", "1"}};
    if (delegated) {
        claims["amr"] = boost::json::array{"pwd"};
    }
    claims["appid"] = grant.client_id;
    claims["appidacr"] = delegated && o.client_secret.empty() ? "0" : "1";
    if (delegated) {
        auto at = grant.username.find('@');
        claims["name"] = grant.username.substr(0, at);
        claims["puid"] = "10032001" + std::to_string(st.random.uniform(10000000, 99999999));
        claims["scp"] = scp;
        claims["unique_name"] = grant.username;
        claims["upn"] = grant.username;
    } else {
        claims["idtyp"] = "app";
        claims["roles"] = boost::json::array{"Tenant.Read.All"};
    }
    claims["ipaddr"] = "127.0.0.1";
    claims["oid"] = st.random.guid();
    claims["rh"] = "0.A" + base64_encode(st.random.bytes(48), true, false) + ".";
    claims["sub"] = base64_encode(st.random.bytes(32), true, false);
    claims["tid"] = o.tenant_id;
    claims["uti"] = base64_encode(st.random.bytes(16), true, false);
    claims["ver"] = "1.0";
    claims["xms_idrel"] = "1 " + std::to_string(st.random.uniform(2, 30));
    std::string access_token = mint_jwt(st.random, std::move(claims), st.random.uniform(1600, 2300));
    st.record_access_token(access_token, {ctx.now + std::chrono::seconds(lifetime), false,
                                          v1 ? "token_v1" : "token", grant.client_id, grant.username});

    std::string refresh_token, id_token;
    if (delegated && (v1 || grant.offline)) {
        refresh_token = mint_refresh_token(st.random);
        st.refresh_tokens.emplace(refresh_token,
                                  issued_refresh_token{grant.client_id, grant.username, grant.openid});
    }
    if (delegated && grant.openid && !v1) {
        boost::json::object id{{"aud", grant.client_id},
                               {"iss", st.origin + "/" + o.tenant_id + "/v2.0"},
                               {"iat", iat - 300},
                               {"nbf", iat - 300},
                               {"exp", iat + 3600},
                               {"name", grant.username.substr(0, grant.username.find('@'))},
                               {"oid", st.random.guid()},
                               {"preferred_username", grant.username},
                               {"sub", base64_encode(st.random.bytes(32), true, false)},
                               {"tid", o.tenant_id},
                               {"ver", "2.0"}};
        id_token = mint_jwt(st.random, std::move(id), 0);
    }

    boost::json::object body{{"token_type", "Bearer"}};
    if (v1) {
        if (delegated) {
            body["scope"] = scp;
        }
        body["expires_in"] = std::to_string(lifetime);
        body["ext_expires_in"] = std::to_string(lifetime);
        body["expires_on"] = std::to_string(exp);
        body["not_before"] = std::to_string(iat - 300);
        body["resource"] = powerbi_resource;
    } else {
        if (delegated) {
            std::string scope;
            for (const auto& p : grant.permissions) {
                scope += (scope.empty() ? "" : " ") + std::string(powerbi_resource) + "/" + p;
            }
            body["scope"] = scope;
        }
        body["expires_in"] = lifetime;
        body["ext_expires_in"] = lifetime;
    }
    body["access_token"] = access_token;
    if (!refresh_token.empty()) {
        body["refresh_token"] = refresh_token;
    }
    if (!id_token.empty()) {
        body["id_token"] = id_token;
    }
    return with_entra_headers(json_answer(200, body), ctx);
}

} // namespace pbi::testing::detail
