// pbi-async — emulator internals: the Power BI REST routes under /v1.0/myorg.
#pragma once

#include <pbi/testing/detail/powerbi_export.hpp>
#include <pbi/testing/detail/powerbi_generate_token.hpp>
#include <pbi/testing/detail/powerbi_json.hpp>
#include <pbi/testing/detail/request_parser.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbi::testing::detail {

/// Checks `Authorization: Bearer <token>`. Returns the failure answer, or nullopt and the
/// token's expiry in `expires_at`. Missing/unknown → 401, expired → 403 TokenExpired.
inline std::optional<answer> check_bearer(emulator_state& st, const server_request& req,
                                          std::chrono::system_clock::time_point& expires_at) {
    auto auth = req.headers.get("Authorization");
    std::string_view token;
    if (auth && auth->size() > 7 && http::iequals(auth->substr(0, 7), "Bearer ")) {
        token = auth->substr(7);
        while (!token.empty() && token.front() == ' ') {
            token.remove_prefix(1);
        }
    }
    bool known = false, expired = false;
    if (!token.empty()) {
        auto now = st.now();
        std::lock_guard lock(st.mutex);
        auto it = st.access_tokens.find(token);
        if (it != st.access_tokens.end()) {
            known = true;
            expired = it->second.force_expired || now >= it->second.expires_at;
            expires_at = it->second.expires_at;
        }
    }
    if (!known) {
        answer a = powerbi_service_error(st, 401, "PowerBINotAuthorizedException");
        a.headers.emplace_back("WWW-Authenticate",
                               "Bearer authorization_uri=https://login.windows.net/common/oauth2/authorize, "
                               "error=\"invalid_token\"");
        return a;
    }
    if (expired) {
        answer a = powerbi_error(st, 403, "TokenExpired",
                                 "Access token has expired, resubmit with a new access token");
        a.headers.emplace_back("X-PowerBI-Error-Info", "TokenExpired");
        return a;
    }
    return std::nullopt;
}

/// Parses `name eq '...'` (quotes doubled inside). nullopt when the filter is anything else.
inline std::optional<std::string> parse_name_filter(std::string_view f) {
    auto skip_ws = [&] {
        while (!f.empty() && f.front() == ' ') {
            f.remove_prefix(1);
        }
    };
    skip_ws();
    if (f.substr(0, 4) != "name") {
        return std::nullopt;
    }
    f.remove_prefix(4);
    skip_ws();
    if (f.substr(0, 3) != "eq ") {
        return std::nullopt;
    }
    f.remove_prefix(3);
    skip_ws();
    if (f.empty() || f.front() != '\'') {
        return std::nullopt;
    }
    f.remove_prefix(1);
    std::string value;
    for (;;) {
        if (f.empty()) {
            return std::nullopt;
        }
        if (f.front() == '\'') {
            if (f.size() > 1 && f[1] == '\'') {
                value += '\'';
                f.remove_prefix(2);
                continue;
            }
            f.remove_prefix(1);
            break;
        }
        value += f.front();
        f.remove_prefix(1);
    }
    skip_ws();
    return f.empty() ? std::optional<std::string>(value) : std::nullopt;
}

/// GET /groups?$filter=&$top=&$skip=
inline answer groups_route(emulator_state& st, const server_request& req) {
    auto query = parse_query(req.query());
    if (!query) {
        return powerbi_error(st, 400, "InvalidRequest", "The query string is not correctly encoded.");
    }
    auto number = [&](std::string_view name, std::size_t fallback, std::optional<std::size_t>& out) {
        const std::string* v = find_param(*query, name);
        out = fallback;
        if (!v) {
            return true;
        }
        std::size_t n = 0;
        auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
        if (ec != std::errc() || end != v->data() + v->size()) {
            return false;
        }
        out = n;
        return true;
    };
    std::optional<std::size_t> top, skip;
    if (!number("$top", 5000, top) || !number("$skip", 0, skip)) {
        return powerbi_error(st, 400, "InvalidRequest", "Invalid $top or $skip value.");
    }
    std::optional<std::string> name;
    if (const std::string* filter = find_param(*query, "$filter")) {
        name = parse_name_filter(*filter);
        if (!name) {
            return powerbi_error(st, 400, "InvalidRequest", "The $filter query is not supported: " + *filter);
        }
    }
    boost::json::array values;
    {
        std::lock_guard lock(st.mutex);
        std::size_t index = 0;
        for (const auto& ws : st.workspaces) {
            if (name && ws.name != *name) {
                continue;
            }
            if (index++ >= *skip && values.size() < *top) {
                values.push_back(workspace_json(ws));
            }
        }
    }
    return with_powerbi_headers(st, json_answer(200, odata_list({}, "groups", std::move(values))));
}

/// POST .../datasets/{d}/refreshes: 202, empty body, RequestId; a `Location` only for an
/// enhanced refresh (a body with `type`), as the service documents. Caller holds st.mutex.
inline answer refresh_dataset_locked(emulator_state& st, const server_request& req, std::string_view gid,
                                     const emulator_dataset_info& d) {
    boost::json::value parsed = boost::json::object{};
    if (!req.body.empty()) {
        boost::json::error_code ec;
        parsed = boost::json::parse(req.body, ec);
        if (ec || !parsed.is_object()) {
            return invalid_request("The request body is not a valid JSON object.");
        }
    }
    const auto& body = parsed.as_object();
    if (auto* notify = body.if_contains("notifyOption")) {
        std::string_view n = notify->is_string() ? std::string_view(notify->as_string()) : std::string_view();
        if (n != "NoNotification" && n != "MailOnFailure" && n != "MailOnCompletion") {
            return json_answer(
                400, boost::json::object{
                         {"error", {{"code", "InvalidRequest"}, {"message", "Invalid notifyOption."}}}});
        }
    }
    refresh_record r;
    r.id = static_cast<std::int64_t>(st.refreshes.size()) + 1;
    r.request_id = st.random.guid();
    r.dataset_id = d.id;
    r.start = st.now();
    answer a;
    a.status = 202;
    a.headers.emplace_back("RequestId", r.request_id);
    if (body.contains("type")) {
        std::string location = st.origin + "/v1.0/myorg";
        if (!gid.empty()) {
            location.append("/groups/").append(gid);
        }
        location.append("/datasets/").append(d.id).append("/refreshes/").append(r.request_id);
        a.headers.emplace_back("Location", std::move(location));
    }
    st.refreshes.push_back(std::move(r));
    return a;
}

/// Every route under /v1.0/myorg. `params` are the route's ids: {} for "groups", {g} for
/// group lists ("" = My workspace), {g, r} for one report.
inline answer powerbi_route(emulator_state& st, const server_request& req, std::string_view route,
                            const std::vector<std::string>& params) {
    std::chrono::system_clock::time_point entra_expiry;
    if (auto failure = check_bearer(st, req, entra_expiry)) {
        return *failure;
    }
    if (route == "groups") {
        return groups_route(st, req);
    }
    if (route == "export_to" || route == "export_status" || route == "export_file") {
        return export_route(st, req, route, params);
    }
    if (route == "generate_token_v2") {
        std::optional<answer> v2;
        {
            std::lock_guard lock(st.mutex);
            v2 = generate_token_v2_locked(st, req, entra_expiry);
        }
        return v2 ? with_powerbi_headers(st, std::move(*v2))
                  : powerbi_service_error(st, 404, "PowerBIEntityNotFound");
    }
    std::string_view group = params.empty() ? std::string_view() : std::string_view(params[0]);
    const std::string configured_by =
        st.options().users.empty() ? std::string() : st.options().users[0].username;
    std::optional<answer> result;
    {
        std::lock_guard lock(st.mutex);
        emulator_workspace_info* ws = group.empty() ? nullptr : st.find_workspace(group);
        if (group.empty() || ws) {
            auto& reports = ws ? ws->reports : st.my_reports;
            auto& datasets = ws ? ws->datasets : st.my_datasets;
            std::string gid = ws ? ws->id : std::string();
            if (route == "reports") {
                boost::json::array values;
                for (const auto& r : reports) {
                    values.push_back(report_json(gid, r));
                }
                result = json_answer(200, odata_list(gid, "reports", std::move(values)));
            } else if (route == "datasets") {
                boost::json::array values;
                for (const auto& d : datasets) {
                    values.push_back(dataset_json(gid, d, configured_by));
                }
                result = json_answer(200, odata_list(gid, "datasets", std::move(values)));
            } else if (route == "dataset" || route == "refreshes" || route == "refresh_dataset") {
                const auto* d =
                    params.size() > 1 ? emulator_state::find_dataset(datasets, params[1]) : nullptr;
                if (d && route == "dataset") {
                    auto o = dataset_json(gid, *d, configured_by);
                    o.emplace("@odata.context", odata_context(gid, "datasets/$entity"));
                    result = json_answer(200, o);
                } else if (d && route == "refreshes") {
                    boost::json::array values;
                    for (auto it = st.refreshes.rbegin(); it != st.refreshes.rend(); ++it) {
                        if (same_id(it->dataset_id, d->id)) {
                            values.push_back(refresh_json(*it));
                        }
                    }
                    result = json_answer(200, odata_list(gid, "refreshes", std::move(values)));
                } else if (d) {
                    result = refresh_dataset_locked(st, req, gid, *d);
                }
            } else if (route == "dashboards" && ws) {
                boost::json::array values;
                for (const auto& d : ws->dashboards) {
                    values.push_back(dashboard_json(gid, d));
                }
                result = json_answer(200, odata_list(gid, "dashboards", std::move(values)));
            } else if (route == "tiles" || route == "dashboard_generate_token" ||
                       route == "tile_generate_token" || route == "dashboard" || route == "tile") {
                const auto* d = ws && params.size() > 1
                                    ? emulator_state::find_dashboard(ws->dashboards, params[1])
                                    : nullptr;
                const auto* t = d && params.size() > 2 ? emulator_state::find_tile(*d, params[2]) : nullptr;
                if (d && route == "dashboard") {
                    auto o = dashboard_json(gid, *d);
                    o.emplace("@odata.context", odata_context(gid, "dashboards/$entity"));
                    result = json_answer(200, o);
                } else if (t && route == "tile") {
                    auto o = tile_json(gid, *d, *t);
                    o.emplace("@odata.context", odata_context(gid, "tiles/$entity"));
                    result = json_answer(200, o);
                } else if (d && route == "tiles") {
                    boost::json::array values;
                    for (const auto& tl : d->tiles) {
                        values.push_back(tile_json(gid, *d, tl));
                    }
                    result = json_answer(200, odata_list(gid, "tiles", std::move(values)));
                } else if (d && route == "dashboard_generate_token") {
                    result = generate_token_locked(st, req, *ws, {}, entra_expiry);
                } else if (t) {
                    result = generate_token_locked(st, req, *ws, t->dataset_id, entra_expiry);
                }
            } else if (auto* r =
                           params.size() > 1 ? emulator_state::find_report(reports, params[1]) : nullptr) {
                if (route == "report") {
                    auto o = report_json(gid, *r);
                    o.emplace("@odata.context", odata_context(gid, "reports/$entity"));
                    result = json_answer(200, o);
                } else if (route == "pages") {
                    result = json_answer(200, odata_list(gid, "pages", pages_json(*r)));
                } else if (route == "generate_token" && ws) {
                    result = generate_token_locked(st, req, *ws, r->dataset_id, entra_expiry);
                }
            }
        }
    }
    if (!result) {
        return powerbi_service_error(st, 404, "PowerBIEntityNotFound");
    }
    return with_powerbi_headers(st, std::move(*result));
}

} // namespace pbi::testing::detail
