// pbi-async — emulator internals: GenerateToken (v1 for reports, dashboards and tiles; v2) and
// the row-level-security rules it enforces per dataset.
#pragma once

#include <pbi/testing/detail/powerbi_json.hpp>
#include <pbi/testing/detail/request_parser.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbi::testing::detail {

/// `{"error":{"code":"InvalidRequest","message":..}}`, without the Power BI headers (callers
/// that hold st.mutex cannot add them).
inline answer invalid_request(std::string message) {
    return json_answer(400,
                       boost::json::object{{"error", {{"code", "InvalidRequest"}, {"message", message}}}});
}

/// The row-level-security rules of GenerateToken for one dataset, with the service's messages:
/// an RLS dataset needs an identity naming it (with roles when the roles flag is set), and a
/// dataset without RLS must not be named by one.
inline std::optional<answer> check_identity(const boost::json::array& identities,
                                            const emulator_dataset_info& ds) {
    const boost::json::object* identity = nullptr;
    for (const auto& v : identities) {
        const auto* o = v.if_object();
        const auto* datasets = o ? o->if_contains("datasets") : nullptr;
        if (!o || !datasets || !datasets->is_array()) {
            continue;
        }
        for (const auto& d : datasets->as_array()) {
            if (d.is_string() && same_id(d.as_string(), ds.id)) {
                identity = o;
            }
        }
    }
    if (ds.effective_identity_required && !identity) {
        return invalid_request("Creating embed token for accessing dataset " + ds.id +
                               " requires effective identity to be provided");
    }
    if (!ds.effective_identity_required && identity) {
        return invalid_request("Creating embed token for accessing dataset " + ds.id +
                               " shouldn't have effective identity");
    }
    if (identity) {
        const auto* username = identity->if_contains("username");
        if (!username || !username->is_string() || username->as_string().empty()) {
            return invalid_request("Effective identity username is required");
        }
        const auto* roles = identity->if_contains("roles");
        bool has_roles = roles && roles->is_array() && !roles->as_array().empty();
        if (ds.effective_identity_roles_required && !has_roles) {
            return invalid_request("Creating embed token for accessing dataset " + ds.id +
                                   " requires roles to be included in provided effective identity");
        }
    }
    return std::nullopt;
}

/// v1 GenerateToken of a report, dashboard or tile whose data is `dataset_id` (empty: none, no
/// identity checks). Caller holds st.mutex; `ws` exists.
inline answer generate_token_locked(emulator_state& st, const server_request& req,
                                    const emulator_workspace_info& ws, std::string_view dataset_id,
                                    std::chrono::system_clock::time_point entra_expiry) {
    auto bad = [&](std::string message) {
        return json_answer(
            400, boost::json::object{{"error", {{"code", "InvalidRequest"}, {"message", message}}}});
    };
    boost::json::value parsed = boost::json::object{};
    if (!req.body.empty()) {
        boost::json::error_code ec;
        parsed = boost::json::parse(req.body, ec);
        if (ec || !parsed.is_object()) {
            return bad("The request body is not a valid JSON object.");
        }
    }
    const auto& body = parsed.as_object();
    if (auto* level = body.if_contains("accessLevel")) {
        std::string_view l = level->is_string() ? std::string_view(level->as_string()) : std::string_view();
        if (!http::iequals(l, "View") && !http::iequals(l, "Edit") && !http::iequals(l, "Create")) {
            return bad("Invalid accessLevel.");
        }
    }
    std::int64_t minutes = 60;
    if (auto* lifetime = body.if_contains("lifetimeInMinutes"); lifetime && !lifetime->is_null()) {
        if (!lifetime->is_int64() || lifetime->as_int64() <= 0) {
            return bad("lifetimeInMinutes must be a positive integer.");
        }
        minutes = lifetime->as_int64();
    }
    static const boost::json::array no_identities;
    const boost::json::array* identities = &no_identities;
    if (auto* ids = body.if_contains("identities"); ids && !ids->is_null()) {
        identities = ids->if_array();
        if (!identities) {
            return bad("identities must be an array.");
        }
    }
    if (!dataset_id.empty()) {
        if (const auto* ds = emulator_state::find_dataset(ws.datasets, dataset_id)) {
            if (auto refused = check_identity(*identities, *ds)) {
                return *refused;
            }
        }
    }
    auto expiration = std::min(st.now() + std::chrono::minutes(minutes), entra_expiry);
    boost::json::object out{
        {"@odata.context", odata_context(ws.id, "Microsoft.PowerBI.ServiceContracts.Api.V1.EmbedToken")},
        {"token", mint_embed_token(st.random)},
        {"tokenId", st.random.guid()},
        {"expiration", format_iso8601(expiration)}};
    return json_answer(200, out);
}

/// POST /GenerateToken (v2). Caller holds st.mutex. nullopt: a report, dataset or target
/// workspace does not exist (404).
inline std::optional<answer> generate_token_v2_locked(emulator_state& st, const server_request& req,
                                                      std::chrono::system_clock::time_point entra_expiry) {
    boost::json::error_code jec;
    auto parsed = boost::json::parse(req.body, jec);
    if (jec || !parsed.is_object()) {
        return invalid_request("The request body is not a valid JSON object.");
    }
    const auto& body = parsed.as_object();
    // The ids of a list of {id} objects; false when the list has another shape.
    auto ids = [&](std::string_view key, std::vector<std::string>& out) {
        const auto* v = body.if_contains(key);
        if (!v || v->is_null()) {
            return true;
        }
        if (!v->is_array()) {
            return false;
        }
        for (const auto& item : v->as_array()) {
            const auto* o = item.if_object();
            const auto* id = o ? o->if_contains("id") : nullptr;
            if (!id || !id->is_string() || id->as_string().empty()) {
                return false;
            }
            out.emplace_back(id->as_string());
        }
        return true;
    };
    std::vector<std::string> report_ids, dataset_ids, workspace_ids;
    if (!ids("reports", report_ids) || !ids("datasets", dataset_ids) ||
        !ids("targetWorkspaces", workspace_ids)) {
        return invalid_request("reports, datasets and targetWorkspaces must be arrays of {\"id\":...}.");
    }
    if (report_ids.empty() && dataset_ids.empty()) {
        return invalid_request("At least one report or dataset is required.");
    }
    std::int64_t minutes = 60;
    if (auto* lifetime = body.if_contains("lifetimeInMinutes"); lifetime && !lifetime->is_null()) {
        if (!lifetime->is_int64() || lifetime->as_int64() <= 0) {
            return invalid_request("lifetimeInMinutes must be a positive integer.");
        }
        minutes = lifetime->as_int64();
    }
    static const boost::json::array no_identities;
    const boost::json::array* identities = &no_identities;
    if (auto* v = body.if_contains("identities"); v && !v->is_null()) {
        identities = v->if_array();
        if (!identities) {
            return invalid_request("identities must be an array.");
        }
    }
    for (const auto& id : workspace_ids) {
        if (!st.find_workspace(id)) {
            return std::nullopt;
        }
    }
    std::vector<const emulator_dataset_info*> datasets;
    auto find_dataset = [&](std::string_view id) -> const emulator_dataset_info* {
        for (const auto& ws : st.workspaces) {
            if (const auto* d = emulator_state::find_dataset(ws.datasets, id)) {
                return d;
            }
        }
        return nullptr;
    };
    for (const auto& id : report_ids) {
        const emulator_report_info* report = nullptr;
        for (auto& ws : st.workspaces) {
            report = report ? report : emulator_state::find_report(ws.reports, id);
        }
        if (!report) {
            return std::nullopt;
        }
        if (const auto* d = report->dataset_id.empty() ? nullptr : find_dataset(report->dataset_id)) {
            datasets.push_back(d);
        }
    }
    for (const auto& id : dataset_ids) {
        const auto* d = find_dataset(id);
        if (!d) {
            return std::nullopt;
        }
        datasets.push_back(d);
    }
    for (const auto* d : datasets) {
        if (auto refused = check_identity(*identities, *d)) {
            return refused;
        }
    }
    auto expiration = std::min(st.now() + std::chrono::minutes(minutes), entra_expiry);
    boost::json::object out{
        {"@odata.context", odata_context({}, "Microsoft.PowerBI.ServiceContracts.Api.V1.EmbedToken")},
        {"token", mint_embed_token(st.random)},
        {"tokenId", st.random.guid()},
        {"expiration", format_iso8601(expiration)}};
    return json_answer(200, out);
}

} // namespace pbi::testing::detail
