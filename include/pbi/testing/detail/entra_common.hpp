// pbi-async — emulator internals: what every Entra ID answer shares (ids, headers, the error
// shape) and how a tenant path segment is recognised.
#pragma once

#include <pbi/http/fields.hpp>
#include <pbi/testing/detail/emulator_state.hpp>
#include <pbi/testing/detail/request_parser.hpp>
#include <pbi/testing/detail/server_answer.hpp>
#include <pbi/testing/detail/token_mint.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace pbi::testing::detail {

inline constexpr std::string_view powerbi_resource = "https://analysis.windows.net/powerbi/api";
/// The Power BI service's application id (what MFA errors name).
inline constexpr std::string_view powerbi_app_id = "00000009-0000-0000-c000-000000000000";

/// Ids and time of one Entra answer. Entra echoes the client's `client-request-id` as the
/// correlation id.
struct entra_context {
    std::string trace_id, correlation_id, client_request_id;
    std::chrono::system_clock::time_point now;
};

inline entra_context make_entra_context(emulator_state& st, const server_request& req) {
    entra_context ctx;
    ctx.now = st.now();
    if (auto id = req.headers.get("client-request-id"); id && !id->empty() && id->size() <= 64) {
        ctx.client_request_id = std::string(*id);
    }
    std::lock_guard lock(st.mutex);
    ctx.trace_id = st.random.guid();
    ctx.correlation_id = ctx.client_request_id.empty() ? st.random.guid() : ctx.client_request_id;
    return ctx;
}

/// Adds the headers login.microsoftonline.com sends with every answer.
inline answer with_entra_headers(answer a, const entra_context& ctx) {
    a.headers.emplace_back("Cache-Control", "no-store, no-cache");
    a.headers.emplace_back("Pragma", "no-cache");
    a.headers.emplace_back("Expires", "-1");
    a.headers.emplace_back("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    a.headers.emplace_back("X-Content-Type-Options", "nosniff");
    a.headers.emplace_back("x-ms-request-id", ctx.trace_id);
    if (!ctx.client_request_id.empty()) {
        a.headers.emplace_back("client-request-id", ctx.client_request_id);
    }
    a.headers.emplace_back("x-ms-ests-server", "2.1.18000.0 - EMU ProdSlices");
    return a;
}

/// An Entra error answer: `{"error", "error_description": "AADSTSn: ...\r\nTrace ID: ...", ...}`.
/// invalid_client answers 401, everything else 400 unless `status` says otherwise.
inline answer entra_error(const entra_context& ctx, std::string_view error, std::int64_t code,
                          std::string_view message, std::string_view suberror = {},
                          std::string_view claims = {}, int status = 0) {
    std::string ts = format_entra_timestamp(ctx.now);
    std::string description = "AADSTS" + std::to_string(code) + ": " + std::string(message) +
                              "\r\nTrace ID: " + ctx.trace_id + "\r\nCorrelation ID: " + ctx.correlation_id +
                              "\r\nTimestamp: " + ts;
    boost::json::object body{
        {"error", error},
        {"error_description", description},
        {"error_codes", boost::json::array{code}},
        {"timestamp", ts},
        {"trace_id", ctx.trace_id},
        {"correlation_id", ctx.correlation_id},
        {"error_uri", "https://login.microsoftonline.com/error?code=" + std::to_string(code)}};
    if (!suberror.empty()) {
        body["suberror"] = suberror;
    }
    if (!claims.empty()) {
        body["claims"] = claims;
    }
    if (status == 0) {
        status = error == "invalid_client" ? 401 : 400;
    }
    return with_entra_headers(json_answer(status, body), ctx);
}

enum class tenant_kind {
    own,           ///< the tenant id or one of its domains
    organizations, ///< any work account: allowed for every grant
    common,        ///< "common" or "consumers": ROPC and client credentials refuse it
    unknown,
};

inline tenant_kind classify_tenant(const emulator_options& o, std::string_view tenant) {
    if (http::iequals(tenant, o.tenant_id) || http::iequals(tenant, o.tenant_domain)) {
        return tenant_kind::own;
    }
    if (http::iequals(tenant, "organizations")) {
        return tenant_kind::organizations;
    }
    if (http::iequals(tenant, "common") || http::iequals(tenant, "consumers")) {
        return tenant_kind::common;
    }
    return tenant_kind::unknown;
}

inline std::string tenant_not_found_message(std::string_view tenant) {
    return "Tenant '" + std::string(tenant) +
           "' not found. Check to make sure you have the correct tenant ID and are signing into the correct "
           "cloud. Check with your subscription administrator, this may happen if there are no active "
           "subscriptions for the tenant.";
}

/// The configured user with this name (user names compare case-insensitively).
inline const emulator_user* find_user(const emulator_options& o, std::string_view username) {
    for (const auto& u : o.users) {
        if (http::iequals(u.username, username)) {
            return &u;
        }
    }
    return nullptr;
}

} // namespace pbi::testing::detail
