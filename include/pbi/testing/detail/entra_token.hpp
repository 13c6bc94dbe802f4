// pbi-async — emulator internals: the Entra ID token endpoint, v2 (`/oauth2/v2.0/token`) and
// v1 (`/oauth2/token`), grants password, client_credentials and refresh_token.
#pragma once

#include <pbi/http/encoding.hpp>
#include <pbi/testing/detail/entra_common.hpp>
#include <pbi/testing/detail/entra_grant.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbi::testing::detail {

/// `application/x-www-form-urlencoded`, optionally with `charset=utf-8`.
inline bool is_form_content_type(std::optional<std::string_view> ct) {
    if (!ct) {
        return false;
    }
    auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
            s.remove_prefix(1);
        }
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
            s.remove_suffix(1);
        }
        return s;
    };
    std::string_view v = *ct;
    auto semi = v.find(';');
    if (!http::iequals(trim(v.substr(0, semi)), "application/x-www-form-urlencoded")) {
        return false;
    }
    while (semi != std::string_view::npos) {
        v.remove_prefix(semi + 1);
        semi = v.find(';');
        auto param = trim(v.substr(0, semi));
        auto eq = param.find('=');
        if (eq != std::string_view::npos && http::iequals(trim(param.substr(0, eq)), "charset")) {
            auto value = trim(param.substr(eq + 1));
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
                value = value.substr(1, value.size() - 2);
            }
            if (!http::iequals(value, "utf-8")) {
                return false;
            }
        }
    }
    return true;
}

/// POST /{tenant}/oauth2/v2.0/token (v1 = false) and /{tenant}/oauth2/token (v1 = true).
inline answer token_endpoint(emulator_state& st, const server_request& req, const std::string& tenant,
                             bool v1) {
    const auto& o = st.options();
    entra_context ctx = make_entra_context(st, req);
    auto missing = [&](std::string_view name) {
        return entra_error(ctx, "invalid_request", 900144,
                           "The request body must contain the following parameter: '" + std::string(name) +
                               "'.");
    };
    tenant_kind tk = classify_tenant(o, tenant);
    if (tk == tenant_kind::unknown) {
        return entra_error(ctx, "invalid_request", 90002, tenant_not_found_message(tenant));
    }
    // A JSON (or any non-form) body reads as a body without parameters.
    auto form = http::form_decode(req.body);
    if (!is_form_content_type(req.headers.get("Content-Type")) || !form) {
        return missing("grant_type");
    }
    const std::string* grant_type = find_param(*form, "grant_type");
    if (!grant_type) {
        return missing("grant_type");
    }
    bool password = *grant_type == "password", client_credentials = *grant_type == "client_credentials",
         refresh = *grant_type == "refresh_token";
    if (!password && !client_credentials && !refresh) {
        return entra_error(ctx, "unsupported_grant_type", 70003,
                           "The app requested an unsupported grant type '" + *grant_type + "'.");
    }
    if (tk == tenant_kind::common && !refresh) {
        return entra_error(
            ctx, "invalid_request", 9001023,
            "The grant type is not supported over the /common or /consumers endpoints. Please use "
            "the /organizations or tenant-specific endpoint.");
    }
    const std::string* client_id = find_param(*form, "client_id");
    if (!client_id) {
        return missing("client_id");
    }
    if (!http::iequals(*client_id, o.client_id)) {
        return entra_error(
            ctx, "unauthorized_client", 700016,
            "Application with identifier '" + *client_id + "' was not found in the directory '" +
                o.tenant_domain +
                "'. This can happen if the application has not been installed by the "
                "administrator of the tenant or consented to by any user in the tenant. You may "
                "have sent your authentication request to the wrong tenant.");
    }
    // Client authentication.
    const std::string* secret = find_param(*form, "client_secret");
    const std::string* assertion = find_param(*form, "client_assertion");
    if (o.client_secret.empty() && (secret || assertion)) {
        return entra_error(
            ctx, "invalid_client", 700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.");
    }
    if ((!o.client_secret.empty() || client_credentials) && !secret && !assertion) {
        return entra_error(ctx, "invalid_client", 7000218,
                           "The request body must contain the following parameter: 'client_assertion' or "
                           "'client_secret'.");
    }
    if (assertion) { // certificate credentials are not served by this emulator
        return entra_error(ctx, "invalid_client", 700027, "Client assertion failed signature validation.");
    }
    if (secret && *secret != o.client_secret) {
        return entra_error(
            ctx, "invalid_client", 7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the "
            "client secret value, not the client secret ID, for a secret added to app '" +
                o.client_id + "'.");
    }

    token_grant grant;
    grant.client_id = o.client_id;
    if (v1) {
        const std::string* resource = find_param(*form, "resource");
        if (!resource) {
            return missing("resource");
        }
        std::string r = *resource;
        while (r.size() > 8 && r.back() == '/') {
            r.pop_back();
        }
        if (!http::iequals(r, powerbi_resource)) {
            return entra_error(ctx, "invalid_resource", 500011,
                               "The resource principal named " + *resource +
                                   " was not found in the tenant named " + tenant +
                                   ". This can happen if the application has not been installed by the "
                                   "administrator of the tenant or consented to by any user in the tenant.");
        }
        grant.permissions.assign(default_permissions.begin(), default_permissions.end());
    } else if (const std::string* scope = find_param(*form, "scope")) {
        if (auto error = check_scope(ctx, *scope, client_credentials, tenant, grant)) {
            return *error;
        }
    } else if (!refresh) {
        return missing("scope");
    } else {
        grant.permissions.assign(default_permissions.begin(), default_permissions.end());
    }

    if (client_credentials) {
        grant.offline = grant.openid = false;
        return issue_tokens(st, ctx, grant, v1);
    }
    if (refresh) {
        const std::string* token = find_param(*form, "refresh_token");
        if (!token) {
            return missing("refresh_token");
        }
        std::unique_lock lock(st.mutex);
        auto it = st.refresh_tokens.find(*token);
        if (it == st.refresh_tokens.end() || !http::iequals(it->second.client_id, o.client_id)) {
            lock.unlock();
            return entra_error(ctx, "invalid_grant", 9002313,
                               "Invalid request. Request is malformed or invalid.");
        }
        if (it->second.revoked) {
            lock.unlock();
            return entra_error(
                ctx, "invalid_grant", 70043,
                "The refresh token has expired or is invalid due to sign-in frequency checks by "
                "conditional access. The token was issued before the refresh tokens of this user "
                "were revoked.");
        }
        grant.username = it->second.username;
        grant.offline = true;
        grant.openid = grant.openid || it->second.openid;
        lock.unlock();
        return issue_tokens(st, ctx, grant, v1);
    }

    // Resource owner password credentials.
    const std::string* username = find_param(*form, "username");
    const std::string* pass = find_param(*form, "password");
    if (!username) {
        return missing("username");
    }
    if (!pass) {
        return missing("password");
    }
    const emulator_user* user = find_user(o, *username);
    if (user && user->locked) {
        return entra_error(ctx, "invalid_grant", 50053,
                           "Your account is locked because you've tried to sign in too many times with an "
                           "incorrect user ID or password.");
    }
    if (!user || user->federated || user->password != *pass) {
        return entra_error(ctx, "invalid_grant", 50126,
                           "Error validating credentials due to invalid username or password.");
    }
    if (user->mfa_required) {
        return entra_error(
            ctx, "invalid_grant", 50076,
            "Due to a configuration change made by your administrator, or because you moved to a "
            "new location, you must use multi-factor authentication to access '" +
                std::string(powerbi_app_id) + "'.",
            "basic_action", R"({"access_token":{"capolids":{"essential":true,"values":["mfa"]}}})");
    }
    grant.username = user->username;
    if (v1) {
        grant.offline = true;
    }
    return issue_tokens(st, ctx, grant, v1);
}

} // namespace pbi::testing::detail
