// `pbi diagnose`'s steps against emulator configurations: a working one, and the federated,
// MFA, wrong-secret, wrong-tenant, service-principal-not-allowed and skewed-clock ones.
#include "../../examples/cli_diagnose.hpp"
#include "support.hpp"

#include <pbi/testing/connect_proxy.hpp>
#include <pbi/testing/faults.hpp>

#include <catch2/catch.hpp>

#include <string>

using pbi_cli::step_status;
using pbi_test::stack;
using namespace std::chrono_literals;

namespace {

pbi_cli::diagnosis run_diagnose(stack& s, const pbi_cli::settings& settings) {
    return s.run(pbi_cli::diagnose(s.http, settings));
}

const pbi_cli::diagnose_step& step(const pbi_cli::diagnosis& d, const std::string& name) {
    for (const auto& s : d.steps)
        if (s.name == name)
            return s;
    throw std::runtime_error("no step " + name);
}

pbi_cli::settings as_user(const stack& s, std::string username) {
    auto settings = pbi_cli::settings_for(s.emu);
    auto c = std::get<pbi::entra::ropc_credential>(settings.credential);
    c.username = std::move(username);
    c.password = pbi::secret("Right-Pa55word");
    settings.credential = std::move(c);
    return settings;
}

pbi::testing::emulator_options with_users() {
    pbi::testing::emulator_options eo;
    eo.users.push_back({"adfs@fabrikam.com", "Right-Pa55word", false, true});
    eo.users.push_back({"mfa@contoso.onmicrosoft.com", "Right-Pa55word", true});
    return eo;
}

std::string report_text(const pbi_cli::diagnosis& d) {
    std::ostringstream os;
    pbi_cli::print(os, d);
    return os.str() + boost::json::serialize(pbi_cli::to_json(d));
}

} // namespace

TEST_CASE("diagnose passes every step for a working configuration and reports it as JSON") {
    stack s;
    auto d = run_diagnose(s, pbi_cli::settings_for(s.emu));
    CHECK(d.ok());
    std::vector<std::string> names;
    for (const auto& st : d.steps) {
        names.push_back(st.name);
        INFO(st.name << ": " << st.detail);
        CHECK(st.status == step_status::ok);
    }
    CHECK(names == std::vector<std::string>{"proxy", "tenant", "realm", "sign-in", "powerbi", "clock"});
    CHECK(step(d, "proxy").detail.find("Entra ID (" + s.emu.origin() + "): direct") != std::string::npos);
    auto json = boost::json::parse(boost::json::serialize(pbi_cli::to_json(d))).as_object();
    CHECK(json.at("ok") == true);
    CHECK(json.at("steps").as_array().size() == 6);
    CHECK(json.at("steps").as_array()[0].as_object().at("name") == "proxy");
    const auto text = report_text(d);
    CHECK(text.find("emulator-password") == std::string::npos);
    CHECK(text.find("emulator-client-secret") == std::string::npos);
    CHECK(s.emu.request_count("groups") == 1);
}

TEST_CASE("diagnose names a federated account at the realm step and sends no password") {
    stack s(with_users());
    auto d = run_diagnose(s, as_user(s, "adfs@fabrikam.com"));
    CHECK_FALSE(d.ok());
    REQUIRE(d.first_failure());
    CHECK(d.first_failure()->name == "realm");
    CHECK(d.first_failure()->ec == pbi::errc::federated_account);
    CHECK(d.first_failure()->diag.source == pbi::failure_source::entra); // exit code 3
    CHECK(d.first_failure()->hint.find("onmicrosoft.com") != std::string::npos);
    CHECK(step(d, "sign-in").status == step_status::skipped);
    CHECK(step(d, "powerbi").status == step_status::skipped);
    CHECK(s.emu.request_count("token") == 0);
    CHECK(report_text(d).find("Right-Pa55word") == std::string::npos);
}

TEST_CASE("diagnose names an MFA requirement at the sign-in step") {
    stack s(with_users());
    auto d = run_diagnose(s, as_user(s, "mfa@contoso.onmicrosoft.com"));
    CHECK(step(d, "realm").status == step_status::ok);
    REQUIRE(d.first_failure());
    CHECK(d.first_failure()->name == "sign-in");
    CHECK(d.first_failure()->ec == pbi::errc::mfa_required);
    CHECK(d.first_failure()->hint.find("exempt from MFA") != std::string::npos);
    auto json = pbi_cli::to_json(d);
    auto& sign_in = json.at("steps").as_array()[3].as_object();
    CHECK(sign_in.at("ok") == false);
    CHECK(sign_in.at("error") == "mfa_required");
    CHECK(sign_in.at("aadsts").as_array()[0] == 50076);
}

TEST_CASE("diagnose names a wrong client secret at the sign-in step and never prints it") {
    stack s;
    auto settings = pbi_cli::settings_for(s.emu);
    auto c = std::get<pbi::entra::ropc_credential>(settings.credential);
    c.client_secret = pbi::secret("Wr0ng-Client-Secret");
    settings.credential = c;
    auto d = run_diagnose(s, settings);
    REQUIRE(d.first_failure());
    CHECK(d.first_failure()->name == "sign-in");
    CHECK(d.first_failure()->ec == pbi::errc::client_secret_invalid);
    CHECK(report_text(d).find("Wr0ng-Client-Secret") == std::string::npos);
}

TEST_CASE("diagnose names an unknown tenant at the tenant step and skips the sign-in") {
    stack s;
    auto settings = pbi_cli::settings_for(s.emu);
    auto c = std::get<pbi::entra::ropc_credential>(settings.credential);
    c.tenant_id = "nosuch.onmicrosoft.com";
    settings.credential = c;
    auto d = run_diagnose(s, settings);
    REQUIRE(d.first_failure());
    CHECK(d.first_failure()->name == "tenant");
    CHECK(d.first_failure()->ec == pbi::errc::tenant_not_found);
    CHECK(step(d, "sign-in").status == step_status::skipped);
    CHECK(s.emu.request_count("token") == 0);
}

TEST_CASE("diagnose names a service principal the Power BI tenant switch blocks at the powerbi step") {
    stack s;
    auto settings = pbi_cli::settings_for(s.emu);
    settings.credential = pbi_test::service_principal_for(s.emu);
    s.emu.inject_fault("groups",
                       pbi::testing::powerbi_error_fault(401, "PowerBINotAuthorizedException",
                                                         "ServicePrincipalIsNotAllowedByTenantAdminSwitch"));
    auto d = run_diagnose(s, settings);
    CHECK(step(d, "realm").status == step_status::skipped);
    CHECK(step(d, "sign-in").status == step_status::ok);
    REQUIRE(d.first_failure());
    CHECK(d.first_failure()->name == "powerbi");
    CHECK(d.first_failure()->ec == pbi::errc::service_principal_not_allowed);
    CHECK(d.first_failure()->diag.source == pbi::failure_source::powerbi); // exit code 4
    CHECK_FALSE(d.first_failure()->diag.request_id.empty());
    CHECK(report_text(d).find("emulator-client-secret") == std::string::npos);
}

TEST_CASE("diagnose warns about a skewed clock but still calls the configuration working") {
    pbi::testing::emulator_options eo;
    eo.now = [] {
        return std::chrono::system_clock::now() - 10min;
    };
    stack s(eo);
    auto d = run_diagnose(s, pbi_cli::settings_for(s.emu));
    CHECK(d.ok());
    const auto& clock = step(d, "clock");
    CHECK(clock.status == step_status::warning);
    CHECK(clock.hint.find("NTP") != std::string::npos);
    auto json = pbi_cli::to_json(d);
    auto& c = json.at("steps").as_array()[5].as_object();
    CHECK(c.at("status") == "warning");
    CHECK(c.at("ok") == true);
    CHECK(c.at("clock_skew_seconds").as_int64() < -590);
}

TEST_CASE("diagnose warns when the identity sees no workspace") {
    pbi::testing::emulator_options eo;
    eo.seed_content = false;
    stack s(eo);
    auto d = run_diagnose(s, pbi_cli::settings_for(s.emu));
    CHECK(d.ok());
    CHECK(step(d, "powerbi").status == step_status::warning);
}

namespace {

/// The emulator's stack, but its http::client goes through `proxy` (loopback not bypassed).
pbi_cli::diagnosis diagnose_through(stack& s, const pbi::testing::connect_proxy& proxy,
                                    const std::string& proxy_url) {
    pbi::http::client_options o = stack::http_options(s.emu);
    std::error_code ec;
    pbi::http::proxy_config config;
    config.server = pbi::http::proxy_server::parse(proxy_url, ec);
    REQUIRE_FALSE(ec);
    config.bypass_loopback = false;
    o.proxy = config;
    pbi::http::client through_proxy(s.io.get_executor(), o);
    (void)proxy;
    return s.run(pbi_cli::diagnose(through_proxy, pbi_cli::settings_for(s.emu)));
}

} // namespace

TEST_CASE("diagnose names the proxy each origin uses and reports that the tunnel opens", "[proxy]") {
    stack s;
    pbi::testing::connect_proxy proxy;
    auto d = diagnose_through(s, proxy, proxy.url());
    CHECK(d.ok());
    const auto& p = step(d, "proxy");
    CHECK(p.status == step_status::ok);
    CHECK(p.detail.find("through proxy " + proxy.url()) != std::string::npos);
    CHECK(p.detail.find("tunnel to " + s.emu.origin() + " opened") != std::string::npos);
    CHECK(proxy.tunnel_count() >= 1);
}

TEST_CASE("diagnose fails the proxy step when the proxy wants credentials, without printing them",
          "[proxy]") {
    stack s;
    pbi::testing::connect_proxy_options po;
    po.username = "corp-user";
    po.password = "Pr0xy-Secret";
    pbi::testing::connect_proxy proxy(po);
    const std::string wrong = "http://corp-user:Wr0ng-Secret@127.0.0.1:" + std::to_string(proxy.port());
    auto d = diagnose_through(s, proxy, wrong);
    CHECK_FALSE(d.ok());
    REQUIRE(d.first_failure() != nullptr);
    CHECK(d.first_failure()->name == "proxy");
    CHECK(d.first_failure()->ec == pbi::errc::proxy_auth_required);
    CHECK(step(d, "tenant").status == step_status::skipped);
    const auto text = report_text(d);
    CHECK(text.find("Wr0ng-Secret") == std::string::npos);
    CHECK(text.find("Pr0xy-Secret") == std::string::npos);
}
