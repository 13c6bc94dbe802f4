// pbi-async — emulator internals: Power BI answer shapes (entities, lists, errors, headers).
#pragma once

#include <pbi/testing/detail/emulator_state.hpp>
#include <pbi/testing/detail/server_answer.hpp>
#include <pbi/testing/detail/token_mint.hpp>

#include <boost/json.hpp>

#include <mutex>
#include <string>
#include <string_view>

namespace pbi::testing::detail {

/// Where real @odata.context URLs point (an internal cluster, over http): clients must not route by it.
inline constexpr std::string_view odata_cluster = "http://wabi-north-europe-redirect.analysis.windows.net";

/// base64 of {"clusterUrl":"https://WABI-NORTH-EUROPE-redirect.analysis.windows.net","embedFeatures":
/// {"modernEmbed":true,"usageMetricsVNext":true}} with '=' encoded as "%3d", as the service sends it.
inline constexpr std::string_view embed_config =
    "eyJjbHVzdGVyVXJsIjoiaHR0cHM6Ly9XQUJJLU5PUlRILUVVUk9QRS1yZWRpcmVjdC5hbmFseXNpcy53aW5kb3dzLm5ldCIsImVtYmVk"
    "RmVhdHVyZXMiOnsibW9kZXJuRW1iZWQiOnRydWUsInVzYWdlTWV0cmljc1ZOZXh0Ijp0cnVlfX0%3d";

/// "{cluster}/v1.0/myorg[/groups/{g}]/$metadata#{what}".
inline std::string odata_context(std::string_view group_id, std::string_view what) {
    std::string out(odata_cluster);
    out += "/v1.0/myorg/";
    if (!group_id.empty()) {
        out.append("groups/").append(group_id).append("/");
    }
    return out.append("$metadata#").append(what);
}

inline boost::json::object odata_list(std::string_view group_id, std::string_view what,
                                      boost::json::array values) {
    return boost::json::object{{"@odata.context", odata_context(group_id, what)},
                               {"value", std::move(values)}};
}

/// Adds RequestId (a fresh GUID) and the other headers api.powerbi.com sends.
inline answer with_powerbi_headers(emulator_state& st, answer a) {
    std::string id;
    {
        std::lock_guard lock(st.mutex);
        id = st.random.guid();
    }
    if (!a.has("RequestId")) {
        a.headers.emplace_back("RequestId", id);
    }
    a.headers.emplace_back("Cache-Control", "no-store, must-revalidate, no-cache");
    a.headers.emplace_back("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    a.headers.emplace_back("X-Frame-Options", "deny");
    a.headers.emplace_back("X-Content-Type-Options", "nosniff");
    a.headers.emplace_back("Access-Control-Expose-Headers", "RequestId");
    return a;
}

/// `{"error":{"code":..,"message":..}}`.
inline answer powerbi_error(emulator_state& st, int status, std::string_view code, std::string_view message) {
    return with_powerbi_headers(
        st, json_answer(status, boost::json::object{{"error", {{"code", code}, {"message", message}}}}));
}

/// `{"error":{"code":..,"pbi.error":{"code":..,"parameters":{},"details":[],"exceptionCulprit":1}}}`.
inline answer powerbi_service_error(emulator_state& st, int status, std::string_view code) {
    boost::json::object pbi{{"code", code},
                            {"parameters", boost::json::object{}},
                            {"details", boost::json::array{}},
                            {"exceptionCulprit", 1}};
    return with_powerbi_headers(
        st,
        json_answer(status, boost::json::object{{"error", {{"code", code}, {"pbi.error", std::move(pbi)}}}}));
}

inline boost::json::object workspace_json(const emulator_workspace_info& ws) {
    boost::json::object o{
        {"id", ws.id}, {"isReadOnly", false}, {"isOnDedicatedCapacity", !ws.capacity_id.empty()}};
    if (!ws.capacity_id.empty()) {
        o["capacityId"] = ws.capacity_id;
    }
    o["type"] = "Workspace";
    o["name"] = ws.name;
    o["defaultDatasetStorageFormat"] = "Small";
    return o;
}

/// A report; `group_id` empty for My workspace.
inline boost::json::object report_json(std::string_view group_id, const emulator_report_info& r) {
    bool paginated = r.report_type == "PaginatedReport";
    std::string web = "https://app.powerbi.com/groups/" +
                      (group_id.empty() ? std::string("me") : std::string(group_id)) +
                      (paginated ? "/rdlreports/" : "/reports/") + r.id;
    std::string embed = std::string("https://app.powerbi.com/") + (paginated ? "rdlEmbed" : "reportEmbed") +
                        "?reportId=" + r.id;
    if (!group_id.empty()) {
        embed.append("&groupId=").append(group_id);
    }
    embed.append("&w=2&config=").append(embed_config);
    boost::json::object o{{"id", r.id},         {"reportType", r.report_type}, {"name", r.name},
                          {"webUrl", web},      {"embedUrl", embed},           {"isFromPbix", !paginated},
                          {"isOwnedByMe", true}};
    if (!r.dataset_id.empty()) {
        o["datasetId"] = r.dataset_id;
        if (!group_id.empty()) {
            o["datasetWorkspaceId"] = group_id;
        }
    }
    o["description"] = "";
    o["users"] = boost::json::array{};
    o["subscriptions"] = boost::json::array{};
    return o;
}

inline boost::json::object dataset_json(std::string_view group_id, const emulator_dataset_info& d,
                                        std::string_view configured_by) {
    std::string base = "https://app.powerbi.com/groups/" +
                       (group_id.empty() ? std::string("me") : std::string(group_id)) + "/datasets/" + d.id;
    std::string embed_base = "https://app.powerbi.com/";
    std::string group_param = group_id.empty() ? std::string() : "&groupId=" + std::string(group_id);
    return boost::json::object{{"id", d.id},
                               {"name", d.name},
                               {"webUrl", base},
                               {"addRowsAPIEnabled", false},
                               {"configuredBy", configured_by},
                               {"isRefreshable", true},
                               {"isEffectiveIdentityRequired", d.effective_identity_required},
                               {"isEffectiveIdentityRolesRequired", d.effective_identity_roles_required},
                               {"isOnPremGatewayRequired", false},
                               {"targetStorageMode", "Abf"},
                               {"createdDate", "2024-01-15T09:30:00.000Z"},
                               {"createReportEmbedURL", embed_base + "reportEmbed?datasetId=" + d.id +
                                                            group_param +
                                                            "&w=2&config=" + std::string(embed_config)},
                               {"qnaEmbedURL", embed_base + "qnaEmbed?datasetId=" + d.id + group_param +
                                                   "&w=2&config=" + std::string(embed_config)},
                               {"upstreamDatasets", boost::json::array{}},
                               {"users", boost::json::array{}}};
}

inline boost::json::object dashboard_json(std::string_view group_id, const emulator_dashboard_info& d) {
    return boost::json::object{
        {"id", d.id},
        {"displayName", d.display_name},
        {"isReadOnly", false},
        {"webUrl", "https://app.powerbi.com/groups/" + std::string(group_id) + "/dashboards/" + d.id},
        {"embedUrl", "https://app.powerbi.com/dashboardEmbed?dashboardId=" + d.id +
                         "&groupId=" + std::string(group_id) + "&w=2&config=" + std::string(embed_config)},
        {"users", boost::json::array{}},
        {"subscriptions", boost::json::array{}}};
}

inline boost::json::object tile_json(std::string_view group_id, const emulator_dashboard_info& d,
                                     const emulator_tile_info& t) {
    boost::json::object o{{"id", t.id},
                          {"title", t.title},
                          {"embedUrl", "https://app.powerbi.com/embed?dashboardId=" + d.id +
                                           "&tileId=" + t.id + "&groupId=" + std::string(group_id) +
                                           "&w=2&config=" + std::string(embed_config)},
                          {"rowSpan", t.row_span},
                          {"colSpan", t.col_span}};
    if (!t.report_id.empty()) {
        o["reportId"] = t.report_id;
    }
    if (!t.dataset_id.empty()) {
        o["datasetId"] = t.dataset_id;
    }
    return o;
}

inline boost::json::object refresh_json(const refresh_record& r) {
    return boost::json::object{{"requestId", r.request_id},
                               {"id", r.id},
                               {"refreshType", "ViaApi"},
                               {"startTime", format_iso8601(r.start)},
                               {"endTime", format_iso8601(r.start + std::chrono::seconds(1))},
                               {"status", "Completed"}};
}

inline boost::json::array pages_json(const emulator_report_info& r) {
    boost::json::array values;
    int order = 0;
    for (const auto& [name, display] : r.pages) {
        values.push_back(boost::json::object{{"name", name}, {"displayName", display}, {"order", order++}});
    }
    return values;
}

} // namespace pbi::testing::detail
