// pbi-async — emulator internals: which route a request names, and who answers it.
#pragma once

#include <pbi/testing/detail/entra_discovery.hpp>
#include <pbi/testing/detail/entra_token.hpp>
#include <pbi/testing/detail/powerbi_routes.hpp>

#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace pbi::testing::detail {

struct route_match {
    std::string name = "not_found"; // the key of counters and faults
    std::vector<std::string> params;
    std::string_view method = "GET"; // the method the route answers
    bool powerbi = false;            // under /v1.0/myorg: bearer-checked, RequestId on every answer
};

/// `method` only tells apart the routes that share a path (a dataset's refreshes: GET reads the
/// history, POST starts one).
inline route_match match_route(std::string_view path, std::string_view method = "GET") {
    route_match m;
    auto segments = split_path(path);
    if (!segments) {
        return m;
    }
    const auto& s = *segments;
    auto is = [&](std::size_t i, std::string_view literal) {
        return i < s.size() && http::iequals(s[i], literal);
    };
    auto found = [&](std::string name, std::vector<std::string> params, std::string_view method = "GET") {
        m.name = std::move(name);
        m.params = std::move(params);
        m.method = method;
        return m;
    };
    const std::size_t n = s.size();
    if (n == 4 && is(1, "oauth2") && is(2, "v2.0") && is(3, "token")) {
        return found("token", {s[0]}, "POST");
    }
    if (n == 3 && is(1, "oauth2") && is(2, "token")) {
        return found("token_v1", {s[0]}, "POST");
    }
    if (n == 3 && is(0, "common") && is(1, "userrealm")) {
        return found("userrealm", {s[2]});
    }
    if (n == 4 && is(1, "v2.0") && is(2, ".well-known") && is(3, "openid-configuration")) {
        return found("openid", {s[0]});
    }
    if (!is(0, "v1.0") || !is(1, "myorg")) {
        return m;
    }
    m.powerbi = true;
    const std::size_t k = n - 2; // segments after /v1.0/myorg
    if (k == 1 && is(2, "groups")) {
        return found("groups", {});
    }
    if (k == 1 && is(2, "GenerateToken")) {
        return found("generate_token_v2", {}, "POST");
    }
    if (is(2, "reports")) {
        if (k == 1) {
            return found("reports", {""});
        }
        if (k == 2) {
            return found("report", {"", s[3]});
        }
        if (k == 3 && is(4, "pages")) {
            return found("pages", {"", s[3]});
        }
        if (k == 3 && is(4, "ExportTo")) {
            return found("export_to", {"", s[3]}, "POST");
        }
        if (k == 4 && is(4, "exports")) {
            return found("export_status", {"", s[3], s[5]});
        }
        if (k == 5 && is(4, "exports") && is(6, "file")) {
            return found("export_file", {"", s[3], s[5]});
        }
    }
    auto refreshes = [&](std::string group, std::string dataset) {
        if (method == "POST") {
            return found("refresh_dataset", {std::move(group), std::move(dataset)}, "POST");
        }
        return found("refreshes", {std::move(group), std::move(dataset)});
    };
    if (is(2, "datasets")) {
        if (k == 1) {
            return found("datasets", {""});
        }
        if (k == 2) {
            return found("dataset", {"", s[3]});
        }
        if (k == 3 && is(4, "refreshes")) {
            return refreshes("", s[3]);
        }
    }
    if (is(2, "groups") && k >= 3) {
        const std::string& g = s[3];
        if (k == 3 && is(4, "reports")) {
            return found("reports", {g});
        }
        if (k == 3 && is(4, "datasets")) {
            return found("datasets", {g});
        }
        if (k == 4 && is(4, "datasets")) {
            return found("dataset", {g, s[5]});
        }
        if (k == 5 && is(4, "datasets") && is(6, "refreshes")) {
            return refreshes(g, s[5]);
        }
        if (k == 4 && is(4, "reports")) {
            return found("report", {g, s[5]});
        }
        if (k == 5 && is(4, "reports") && is(6, "pages")) {
            return found("pages", {g, s[5]});
        }
        if (k == 5 && is(4, "reports") && is(6, "GenerateToken")) {
            return found("generate_token", {g, s[5]}, "POST");
        }
        if (k == 5 && is(4, "reports") && is(6, "ExportTo")) {
            return found("export_to", {g, s[5]}, "POST");
        }
        if (k == 6 && is(4, "reports") && is(6, "exports")) {
            return found("export_status", {g, s[5], s[7]});
        }
        if (k == 7 && is(4, "reports") && is(6, "exports") && is(8, "file")) {
            return found("export_file", {g, s[5], s[7]});
        }
        if (k == 3 && is(4, "dashboards")) {
            return found("dashboards", {g});
        }
        if (k == 4 && is(4, "dashboards")) {
            return found("dashboard", {g, s[5]});
        }
        if (k == 5 && is(4, "dashboards") && is(6, "tiles")) {
            return found("tiles", {g, s[5]});
        }
        if (k == 6 && is(4, "dashboards") && is(6, "tiles")) {
            return found("tile", {g, s[5], s[7]});
        }
        if (k == 5 && is(4, "dashboards") && is(6, "GenerateToken")) {
            return found("dashboard_generate_token", {g, s[5]}, "POST");
        }
        if (k == 7 && is(4, "dashboards") && is(6, "tiles") && is(8, "GenerateToken")) {
            return found("tile_generate_token", {g, s[5], s[7]}, "POST");
        }
    }
    return m;
}

/// The normal answer of a route (no faults, no latency).
inline answer dispatch(emulator_state& st, const server_request& req, const route_match& m) {
    try {
        if (m.name == "not_found") {
            if (m.powerbi) {
                std::string message = "No HTTP resource was found that matches the request URI '" +
                                      st.origin + req.target + "'.";
                return with_powerbi_headers(st, json_answer(404, boost::json::object{{"Message", message}}));
            }
            answer a;
            a.status = 404;
            a.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
            a.body = "Not Found";
            return a;
        }
        if (req.method != m.method && (m.name == "token" || m.name == "token_v1")) {
            return entra_error(make_entra_context(st, req), "invalid_request", 900561,
                               "The endpoint only accepts POST, OPTIONS requests. Received a " + req.method +
                                   " request.");
        }
        if (req.method != m.method) {
            std::string message = "The requested resource does not support http method '" + req.method + "'.";
            answer a = json_answer(405, boost::json::object{{"Message", message}});
            a.headers.emplace_back("Allow", std::string(m.method));
            return m.powerbi ? with_powerbi_headers(st, std::move(a)) : a;
        }
        if (m.name == "token" || m.name == "token_v1") {
            return token_endpoint(st, req, m.params[0], m.name == "token_v1");
        }
        if (m.name == "userrealm") {
            return userrealm_endpoint(st, req, m.params[0]);
        }
        if (m.name == "openid") {
            return openid_endpoint(st, req, m.params[0]);
        }
        return powerbi_route(st, req, m.name, m.params);
    } catch (const std::exception& e) {
        answer a;
        a.status = 500;
        a.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
        a.body = std::string("emulator error: ") + e.what();
        return a;
    }
}

} // namespace pbi::testing::detail
