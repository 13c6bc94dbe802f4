// pbi CLI — `pbi diagnose`: checks a configuration step by step (tenant, realm, sign-in, a
// Power BI call, clock) and says, for each step, ok or failed and what to do. Kept apart from
// pbi_cli.cpp so the integration tests can run the same steps against emulator configurations.
#pragma once

#include "cli_settings.hpp"

#include <pbi/entra/discovery.hpp>
#include <pbi/entra/token_grant.hpp>
#include <pbi/pbi.hpp>

#include <asio/awaitable.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace pbi_cli {

enum class step_status {
    ok,
    failed,  ///< the configuration does not work; `ec` and `diag` say why
    warning, ///< works, but needs attention (clock skew, an unknown realm, no workspace)
    skipped, ///< not run (nothing to check, or an earlier step failed)
};

inline const char* to_string(step_status s) {
    switch (s) {
    case step_status::ok:
        return "ok";
    case step_status::failed:
        return "failed";
    case step_status::warning:
        return "warning";
    case step_status::skipped:
        return "skipped";
    }
    return "unknown";
}

/// One checked step. Never holds a secret: details name user names, ids and hosts only.
struct diagnose_step {
    explicit diagnose_step(std::string step_name) : name(std::move(step_name)) {}

    std::string name; ///< "proxy", "tenant", "realm", "sign-in", "powerbi", "clock"
    step_status status = step_status::skipped;
    std::string detail;    ///< what was checked and what came back, in plain words
    std::string hint;      ///< what to do about a failure or a warning
    std::error_code ec;    ///< the failure
    pbi::diagnostics diag; ///< the raw facts of the step's last answer (failures; clock skew always)
};

struct diagnosis {
    std::vector<diagnose_step> steps;

    bool ok() const { return first_failure() == nullptr; }
    const diagnose_step* first_failure() const {
        for (const auto& s : steps)
            if (s.status == step_status::failed)
                return &s;
        return nullptr;
    }
};

namespace detail {

inline asio::awaitable<pbi::result<pbi::powerbi::client::token_handle>>
ready_token(pbi::powerbi::client::token_handle token) {
    co_return pbi::result<pbi::powerbi::client::token_handle>{{}, std::move(token)};
}

inline void fail(diagnose_step& step, std::error_code ec, const pbi::diagnostics& d) {
    step.status = step_status::failed;
    step.ec = ec;
    step.detail = d.message.empty() ? ec.message() : d.message;
    step.hint = d.hint;
    step.diag = d;
}

inline std::string seconds_text(std::chrono::seconds s) {
    return std::to_string(s.count()) + " s";
}

} // namespace detail

/// Runs every step on `http`'s executor. `s` is copied. Steps:
/// - proxy: which proxy (or none) each origin uses, and whether the tunnel to the authority opens;
/// - tenant: the tenant's OpenID configuration exists (AADSTS90002: a typo, or another cloud);
/// - realm (password grant only): managed, federated (the password grant cannot work: failed)
///   or unknown (warning);
/// - sign-in: one token request with the configured credential (skipped after a failed tenant
///   or a federated realm, so a doomed password is not sent: failures count towards lockout);
/// - powerbi: `GET /groups?$top=1` with that token;
/// - clock: the servers' Date headers against this machine's clock.
inline asio::awaitable<diagnosis> diagnose(pbi::http::client& http, settings s) {
    using pbi::entra::user_realm;
    diagnosis out;
    const auto& cred = s.credential;
    const auto* ropc = std::get_if<pbi::entra::ropc_credential>(&cred);
    pbi::entra::discovery_options discovery = pbi::entra::discovery_options::for_cloud(s.cloud);

    // --- proxy: which proxy each origin uses (settings or HTTPS_PROXY/NO_PROXY). Whether the
    // tunnel opens is learnt from the tenant step, the first request through it.
    diagnose_step proxy{"proxy"};
    const pbi::http::proxy_server* authority_proxy = nullptr;
    {
        std::string detail;
        for (const auto& [what, origin] :
             {std::pair<std::string, std::string>{"Entra ID", s.cloud.authority_host_origin},
              std::pair<std::string, std::string>{"Power BI", s.cloud.api_origin}}) {
            std::error_code uec;
            const auto u = pbi::http::url::parse(origin, uec);
            const pbi::http::proxy_server* p = uec ? nullptr : http.proxy_for(u);
            if (what == "Entra ID")
                authority_proxy = p;
            if (!detail.empty())
                detail += "; ";
            detail +=
                what + " (" + origin + "): " +
                (p ? "through proxy " + p->display() + " (from " +
                         (http.proxy().source.empty() ? std::string("the options") : http.proxy().source) +
                         ")"
                   : std::string("direct"));
        }
        proxy.detail = detail;
        proxy.status = step_status::ok;
    }

    // --- tenant
    diagnose_step tenant{"tenant"};
    {
        const std::string tenant_id = pbi::entra::tenant_of(cred);
        auto check = pbi::entra::get_openid_configuration(http, discovery, tenant_id, tenant.diag);
        auto [ec, config] = co_await std::move(check);
        if (ec) {
            detail::fail(tenant, ec, tenant.diag);
        } else {
            tenant.status = step_status::ok;
            tenant.detail = "tenant " + tenant_id + " exists at " + discovery.authority_origin;
            if (!config.tenant_id.empty() && config.tenant_id != tenant_id)
                tenant.detail += " (id " + config.tenant_id + ")";
            if (!config.cloud_instance_name.empty())
                tenant.detail += " in " + config.cloud_instance_name;
            if (!config.tenant_region_scope.empty())
                tenant.detail += ", region " + config.tenant_region_scope;
        }
    }
    if (authority_proxy) {
        const bool proxy_failed = tenant.ec == pbi::errc::proxy_auth_required ||
                                  tenant.ec == pbi::errc::proxy_refused ||
                                  tenant.ec == pbi::errc::proxy_protocol_error ||
                                  (tenant.status == step_status::failed && !tenant.diag.proxy.empty() &&
                                   tenant.diag.source == pbi::failure_source::transport);
        if (proxy_failed) {
            detail::fail(proxy, tenant.ec, tenant.diag);
            proxy.detail =
                "the tunnel to " + s.cloud.authority_host_origin + " did not open: " + proxy.detail;
            tenant.status = step_status::skipped;
            tenant.detail = "not checked: the proxy did not open a tunnel";
            tenant.ec = {};
        } else if (tenant.status == step_status::ok) {
            proxy.detail += "; the tunnel to " + s.cloud.authority_host_origin + " opened";
        }
    }
    out.steps.push_back(proxy);
    out.steps.push_back(tenant);

    // --- realm of the user name (password grant only)
    diagnose_step realm{"realm"};
    bool federated = false;
    if (!ropc) {
        realm.detail = "no user name configured: client credentials (a service principal) have no realm";
    } else {
        auto lookup = pbi::entra::discover_realm(http, discovery, ropc->username, realm.diag);
        auto [ec, r] = co_await std::move(lookup);
        if (ec) {
            detail::fail(realm, ec, realm.diag);
        } else if (r.account_type == user_realm::kind::federated) {
            federated = true;
            pbi::diagnostics d = realm.diag;
            d.source = pbi::failure_source::entra;
            d.message = ropc->username + " is a federated account" +
                        (r.domain_name.empty() ? std::string() : " (domain " + r.domain_name + ")") +
                        ": the password grant cannot sign it in";
            d.hint = pbi::entra::federated_account_hint(r);
            detail::fail(realm, pbi::errc::federated_account, d);
        } else if (r.account_type == user_realm::kind::managed) {
            realm.status = step_status::ok;
            realm.detail = ropc->username + " is a managed account" +
                           (r.domain_name.empty() ? std::string() : " (domain " + r.domain_name + ")") +
                           ": the password grant can sign it in";
        } else {
            realm.status = step_status::warning;
            realm.detail = "Entra ID does not know the domain of " + ropc->username;
            realm.hint = "check the user name for a typo, and the cloud setting (PBI_CLOUD): an account of a "
                         "national cloud is unknown to the public cloud";
        }
    }
    out.steps.push_back(realm);

    // --- the sign-in itself
    diagnose_step sign_in{"sign-in"};
    std::shared_ptr<const pbi::entra::access_token> token;
    if (tenant.status == step_status::failed) {
        sign_in.detail = "not attempted: the tenant check failed";
    } else if (federated) {
        sign_in.detail = "not attempted: the password grant cannot sign in a federated account, and every "
                         "failed attempt counts towards the account's lockout";
    } else {
        auto options = pbi::entra::token_source_options::for_cloud(s.cloud);
        pbi::entra::token_grant grant(http, cred, options, nullptr);
        auto fetch = grant.fetch(sign_in.diag);
        auto r = co_await std::move(fetch);
        if (r.ec) {
            detail::fail(sign_in, r.ec, sign_in.diag);
        } else {
            sign_in.status = step_status::ok;
            sign_in.detail =
                std::string(ropc ? "signed in with the password grant as " + ropc->username
                                 : "signed in with client credentials as app " +
                                       pbi::entra::client_id_of(cred)) +
                ": a " + std::to_string(r.value.token.reveal().size()) + "-byte " + r.value.token_type +
                " token valid for " +
                detail::seconds_text(std::chrono::duration_cast<std::chrono::seconds>(r.value.lifetime));
            token = std::make_shared<const pbi::entra::access_token>(std::move(r.value));
        }
    }
    out.steps.push_back(sign_in);

    // --- one Power BI call
    diagnose_step powerbi{"powerbi"};
    if (!token) {
        powerbi.detail = "not attempted: the sign-in did not succeed";
    } else {
        pbi::powerbi::client::bearer_source bearer;
        bearer.get = [token](pbi::diagnostics&) {
            return detail::ready_token(token);
        };
        bearer.invalidate = [](const pbi::powerbi::client::token_handle&) {
        };
        pbi::powerbi::client_options po;
        po.api_origin = s.cloud.api_origin;
        std::optional<pbi::powerbi::client> pc;
        try {
            pc.emplace(http, std::move(bearer), std::move(po));
        } catch (const pbi::error& e) {
            detail::fail(powerbi, e.code(), e.get_diagnostics());
        }
        if (pc) {
            const pbi::powerbi::workspace_query first{std::nullopt, 1};
            auto list = pc->list_workspaces(first, powerbi.diag);
            auto [ec, workspaces] = co_await std::move(list);
            if (ec) {
                detail::fail(powerbi, ec, powerbi.diag);
            } else if (workspaces.empty()) {
                powerbi.status = step_status::warning;
                powerbi.detail = "GET " + s.cloud.api_origin +
                                 "/v1.0/myorg/groups?$top=1 answered, but the identity sees no workspace";
                powerbi.hint =
                    "add the user or the service principal to a workspace (Member or Admin to mint "
                    "embed tokens)";
            } else {
                powerbi.status = step_status::ok;
                powerbi.detail = "GET " + s.cloud.api_origin + "/v1.0/myorg/groups?$top=1 answered: the " +
                                 "identity sees workspace '" + workspaces.front().name + "'";
            }
        }
    }
    out.steps.push_back(powerbi);

    // --- clock: every answer's Date header against this machine's clock
    diagnose_step clock{"clock"};
    std::optional<std::chrono::seconds> worst;
    bool certificate_time = false;
    for (const auto& step : out.steps) {
        if (step.diag.clock_skew &&
            (!worst || std::chrono::abs(*step.diag.clock_skew) > std::chrono::abs(*worst)))
            worst = step.diag.clock_skew;
        certificate_time = certificate_time || step.ec == pbi::errc::certificate_expired;
    }
    if (certificate_time) {
        clock.status = step_status::warning;
        clock.detail = "a server certificate was reported expired or not yet valid";
        clock.hint =
            "check this machine's clock (date, time and time zone) and synchronise it (NTP); if it is "
            "right, the server's certificate has expired";
    } else if (!worst) {
        clock.detail = "not checked: no server answered with a Date header";
    } else if (std::chrono::abs(*worst) > pbi::clock_skew_tolerance) {
        clock.status = step_status::warning;
        clock.detail = "this machine's clock differs from the servers' by " + detail::seconds_text(*worst) +
                       " (server minus this machine)";
        clock.hint =
            "synchronise this machine's clock (NTP); tokens still work (their lifetimes are measured "
            "locally), but certificate checks and time-stamped logs do not";
        for (const auto& step : out.steps)
            if (step.diag.clock_skew == worst)
                clock.diag = step.diag;
    } else {
        clock.status = step_status::ok;
        clock.detail = "this machine's clock agrees with the servers' Date headers (largest difference " +
                       detail::seconds_text(std::chrono::abs(*worst)) + ")";
    }
    out.steps.push_back(clock);
    co_return out;
}

/// The machine-readable report: {"ok":bool,"steps":[{"name","ok","status","detail","hint",...}]}.
/// A step's "ok" is false only when it failed; a failed step adds the error and the raw facts.
inline boost::json::object to_json(const diagnosis& d) {
    namespace json = boost::json;
    json::array steps;
    for (const auto& s : d.steps) {
        json::object o{{"name", s.name},
                       {"ok", s.status != step_status::failed},
                       {"status", to_string(s.status)},
                       {"detail", s.detail},
                       {"hint", s.hint}};
        const auto& g = s.diag;
        if (s.status == step_status::failed) {
            o["error"] = pbi::error_name(s.ec);
            o["error_message"] = s.ec.message();
            o["category"] = s.ec.category().name();
            o["code"] = s.ec.value();
            o["source"] = pbi::to_string(g.source);
            if (g.http_status)
                o["http_status"] = g.http_status;
            if (!g.error.empty())
                o["server_error"] = g.error;
            if (!g.suberror.empty())
                o["server_suberror"] = g.suberror;
            if (!g.error_codes.empty()) {
                json::array codes;
                for (auto c : g.error_codes)
                    codes.push_back(c);
                o["aadsts"] = std::move(codes);
            }
            if (!g.server_message.empty())
                o["server_message"] = g.server_message;
            for (auto [key, value] :
                 {std::pair{"trace_id", &g.trace_id}, std::pair{"correlation_id", &g.correlation_id},
                  std::pair{"request_id", &g.request_id},
                  std::pair{"powerbi_error_info", &g.powerbi_error_info},
                  std::pair{"client_request_id", &g.client_request_id}})
                if (!value->empty())
                    o[key] = *value;
            if (g.retry_after)
                o["retry_after_seconds"] = g.retry_after->count();
        }
        if (g.clock_skew)
            o["clock_skew_seconds"] = g.clock_skew->count();
        if (!g.warnings.empty()) {
            json::array w;
            for (const auto& text : g.warnings)
                w.push_back(json::string(text));
            o["warnings"] = std::move(w);
        }
        steps.push_back(std::move(o));
    }
    return json::object{{"ok", d.ok()}, {"steps", std::move(steps)}};
}

/// The human report: one line per step, then the hint and the raw facts of a failure.
inline void print(std::ostream& os, const diagnosis& d) {
    for (const auto& s : d.steps) {
        std::string tag = std::string("[") + to_string(s.status) + "]";
        tag.resize(10, ' ');
        os << tag << s.name << ": " << s.detail << '\n';
        if (!s.hint.empty() && s.status != step_status::ok && s.status != step_status::skipped)
            os << "          hint: " << s.hint << '\n';
        if (s.status == step_status::failed) {
            std::ostringstream facts;
            facts << s.diag;
            std::istringstream lines(facts.str());
            for (std::string line; std::getline(lines, line);)
                if (line.rfind("message:", 0) != 0 && line.rfind("hint:", 0) != 0)
                    os << "          " << line << '\n';
        }
    }
}

} // namespace pbi_cli
