// Every sign-in failure an operator meets, against the emulator over TLS: each comes back as a
// named error with its raw facts and a hint that says what to do — and never with a secret.
#include "support.hpp"

#include <pbi/entra/discovery.hpp>
#include <pbi/entra/token_grant.hpp>
#include <pbi/testing/faults.hpp>

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

using pbi_test::as_tuple;
using pbi_test::failure;
using pbi_test::printed;
using pbi_test::sign_in_failure;
using pbi_test::stack;
using namespace std::chrono_literals;

namespace {

const std::string client_secret = "emulator-client-secret";

asio::awaitable<failure> fetch(pbi::entra::token_grant& grant) {
    failure f;
    auto attempt = grant.fetch(f.diag);
    auto r = co_await std::move(attempt);
    f.ec = r.ec;
    co_return f;
}

asio::awaitable<failure> list_first_workspace(pbi::powerbi::client& pc) {
    failure f;
    const pbi::powerbi::workspace_query first{std::nullopt, 1};
    auto [ec, list] = co_await pc.async_list_workspaces(first, f.diag, as_tuple);
    f.ec = ec;
    co_return f;
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

pbi::testing::emulator_options with_users() {
    pbi::testing::emulator_options eo;
    eo.users.push_back({"adfs@fabrikam.com", "Right-Pa55word", false, true});
    eo.users.push_back({"mfa@contoso.onmicrosoft.com", "Right-Pa55word", true});
    eo.users.push_back({"locked@contoso.onmicrosoft.com", "Right-Pa55word", false, false, true});
    return eo;
}

pbi::entra::ropc_credential as_user(const stack& s, std::string username, std::string password) {
    auto c = pbi_test::ropc_for(s.emu);
    c.username = std::move(username);
    c.password = pbi::secret(std::move(password));
    return c;
}

} // namespace

TEST_CASE("a wrong password fails as invalid_credentials once: never retried, no secret printed") {
    stack s;
    s.tokens.update_credential(as_user(s, "signage@contoso.onmicrosoft.com", "Wr0ng-Pa55word"));
    auto first = s.run(sign_in_failure(s.tokens));
    auto second = s.run(sign_in_failure(s.tokens));
    for (const auto* f : {&first, &second}) {
        CHECK(f->ec == pbi::errc::invalid_credentials);
        CHECK(f->ec == pbi::condition::auth);
        CHECK(f->ec != pbi::condition::retryable);
        CHECK(f->diag.error_codes == std::vector<std::int64_t>{50126});
        CHECK_FALSE(f->diag.trace_id.empty());
        CHECK_FALSE(f->diag.correlation_id.empty());
        CHECK(has(f->diag.hint, "managed account")); // realm discovery ruled federation out
        CHECK_FALSE(has(printed(f->diag), "Wr0ng-Pa55word"));
        CHECK_FALSE(has(printed(f->diag), client_secret));
    }
    CHECK(s.emu.request_count("token") == 1); // a retry loop would lock the account out
    CHECK(s.emu.request_count("userrealm") == 1);
}

TEST_CASE("a federated account fails as federated_account after one token request and one realm discovery") {
    stack s(with_users());
    s.tokens.update_credential(as_user(s, "adfs@fabrikam.com", "Right-Pa55word"));
    auto f = s.run(sign_in_failure(s.tokens));
    CHECK(f.ec == pbi::errc::federated_account);
    CHECK(f.ec == pbi::condition::auth);
    CHECK(f.diag.source == pbi::failure_source::entra);
    CHECK(f.diag.http_status == 400);
    CHECK(f.diag.error == "invalid_grant");
    CHECK(f.diag.error_codes == std::vector<std::int64_t>{50126}); // the raw facts stay the server's
    CHECK_FALSE(f.diag.trace_id.empty());
    CHECK(has(f.diag.message, "federated"));
    CHECK(has(f.diag.hint, "fabrikam.com is federated"));
    CHECK(has(f.diag.hint, "onmicrosoft.com"));
    CHECK(has(f.diag.hint, "service principal"));
    CHECK(has(f.diag.hint, "federated sign-in"));
    CHECK(has(f.diag.hint, "does not offer"));
    CHECK_FALSE(has(printed(f.diag), "Right-Pa55word"));
    CHECK(s.emu.request_count("token") == 1);
    CHECK(s.emu.request_count("userrealm") == 1);

    auto again = s.run(sign_in_failure(s.tokens)); // within the quiet period: no new request
    CHECK(again.ec == pbi::errc::federated_account);
    CHECK(s.emu.request_count("token") == 1);
    CHECK(s.emu.request_count("userrealm") == 1);
}

TEST_CASE("realm discovery runs once per user name however often the password grant is rejected") {
    stack s(with_users());
    pbi::entra::token_grant grant(s.http, as_user(s, "ADFS@fabrikam.com", "Right-Pa55word"),
                                  stack::token_options(s.emu), nullptr);
    CHECK(s.run(fetch(grant)).ec == pbi::errc::federated_account);
    CHECK(s.run(fetch(grant)).ec == pbi::errc::federated_account);
    CHECK(s.emu.request_count("token") == 2);
    CHECK(s.emu.request_count("userrealm") == 1);
}

TEST_CASE("an account that needs MFA fails as mfa_required and the hint names the ways out") {
    stack s(with_users());
    s.tokens.update_credential(as_user(s, "mfa@contoso.onmicrosoft.com", "Right-Pa55word"));
    auto f = s.run(sign_in_failure(s.tokens));
    CHECK(f.ec == pbi::errc::mfa_required);
    CHECK(f.ec == pbi::condition::auth);
    CHECK(f.diag.error_codes == std::vector<std::int64_t>{50076});
    CHECK(f.diag.suberror == "basic_action");
    CHECK(has(f.diag.hint, "exempt from MFA"));
    CHECK(has(f.diag.hint, "service principal"));
    CHECK(has(f.diag.hint, "device-code"));
    CHECK(s.emu.request_count("userrealm") == 0); // only AADSTS50126 asks about the realm
}

TEST_CASE("a locked account fails as account_locked and is not retried") {
    stack s(with_users());
    s.tokens.update_credential(as_user(s, "locked@contoso.onmicrosoft.com", "Right-Pa55word"));
    CHECK(s.run(sign_in_failure(s.tokens)).ec == pbi::errc::account_locked);
    auto f = s.run(sign_in_failure(s.tokens));
    CHECK(f.ec == pbi::errc::account_locked);
    CHECK(f.diag.error_codes == std::vector<std::int64_t>{50053});
    CHECK(has(f.diag.hint, "lockout"));
    CHECK(s.emu.request_count("token") == 1);
}

TEST_CASE("a wrong client secret fails as client_secret_invalid, a configuration error") {
    stack s;
    auto cred = pbi_test::ropc_for(s.emu);
    cred.client_secret = pbi::secret("Wr0ng-Client-Secret");
    s.tokens.update_credential(cred);
    auto f = s.run(sign_in_failure(s.tokens));
    CHECK(f.ec == pbi::errc::client_secret_invalid);
    CHECK(f.ec == pbi::condition::configuration);
    CHECK(f.diag.http_status == 401);
    CHECK(f.diag.error_codes == std::vector<std::int64_t>{7000215});
    CHECK(has(f.diag.hint, "Secret ID"));
    CHECK_FALSE(has(printed(f.diag), "Wr0ng-Client-Secret"));
    CHECK_FALSE(has(printed(f.diag), "emulator-password"));
}

TEST_CASE("an unknown tenant fails as tenant_not_found at sign-in and at the OpenID configuration check") {
    stack s;
    auto cred = pbi_test::ropc_for(s.emu);
    cred.tenant_id = "nosuch.onmicrosoft.com";
    s.tokens.update_credential(cred);
    auto f = s.run(sign_in_failure(s.tokens));
    CHECK(f.ec == pbi::errc::tenant_not_found);
    CHECK(f.ec == pbi::condition::configuration);
    CHECK(f.diag.error_codes == std::vector<std::int64_t>{90002});

    pbi::entra::discovery_options o;
    o.authority_origin = s.emu.origin();
    auto check = [&](std::string tenant) -> asio::awaitable<failure> {
        failure out;
        auto [ec, config] =
            co_await pbi::entra::async_get_openid_configuration(s.http, o, tenant, out.diag, as_tuple);
        out.ec = ec;
        co_return out;
    };
    auto unknown = s.run(check("nosuch.onmicrosoft.com"));
    CHECK(unknown.ec == pbi::errc::tenant_not_found);
    CHECK(unknown.diag.source == pbi::failure_source::entra);
    CHECK(unknown.diag.error_codes == std::vector<std::int64_t>{90002});
    CHECK(has(unknown.diag.message, "AADSTS90002"));
    CHECK(s.run(check(s.emu.options().tenant_domain)).ec == std::error_code{});
    CHECK(s.emu.request_count("openid") == 2);
}

TEST_CASE("a client-credentials scope without /.default fails as invalid_scope") {
    stack s;
    auto options = stack::token_options(s.emu);
    options.scope = "https://analysis.windows.net/powerbi/api/Report.Read.All";
    pbi::entra::token_source tokens(s.http, pbi_test::service_principal_for(s.emu), options);
    auto f = s.run(sign_in_failure(tokens));
    CHECK(f.ec == pbi::errc::invalid_scope);
    CHECK(f.ec == pbi::condition::configuration);
    CHECK(f.diag.error_codes == std::vector<std::int64_t>{1002012});
    CHECK(has(f.diag.hint, "/.default"));
    CHECK_FALSE(has(printed(f.diag), client_secret));
    tokens.shutdown();
}

TEST_CASE(
    "a service principal blocked by the Power BI tenant switch fails as service_principal_not_allowed") {
    stack s(pbi::testing::emulator_options{}, stack::grant::client_credentials);
    s.emu.inject_fault("groups",
                       pbi::testing::powerbi_error_fault(401, "PowerBINotAuthorizedException",
                                                         "ServicePrincipalIsNotAllowedByTenantAdminSwitch"));
    auto f = s.run(list_first_workspace(s.powerbi));
    CHECK(f.ec == pbi::errc::service_principal_not_allowed);
    CHECK(f.ec == pbi::condition::auth);
    CHECK(f.ec == pbi::condition::configuration);
    CHECK(f.diag.source == pbi::failure_source::powerbi);
    CHECK(f.diag.http_status == 401);
    CHECK(f.diag.error == "PowerBINotAuthorizedException");
    CHECK(f.diag.suberror == "ServicePrincipalIsNotAllowedByTenantAdminSwitch");
    CHECK(f.diag.powerbi_error_info == "ServicePrincipalIsNotAllowedByTenantAdminSwitch");
    CHECK_FALSE(f.diag.request_id.empty());
    CHECK(has(f.diag.hint, "Service principals can use"));
    CHECK_FALSE(has(printed(f.diag), client_secret));
}

TEST_CASE("every AADSTS code of WIRE.md scripted on the token endpoint comes back as its named error") {
    stack s;
    pbi::entra::token_grant grant(s.http, pbi_test::ropc_for(s.emu), stack::token_options(s.emu), nullptr);
    for (const auto& cause : pbi::entra::aadsts_causes()) {
        INFO("AADSTS" << cause.code);
        const bool client = cause.code == 7000215 || cause.code == 7000222 || cause.code == 7000218 ||
                            cause.code == 700025 || cause.code == 700024;
        pbi::testing::entra_error_options o;
        if (cause.code == 90055) {
            o.status = 429;
            o.retry_after = "30";
        }
        if (cause.code == 50079)
            o.suberror = "basic_action";
        s.emu.inject_fault("token", pbi::testing::entra_error_fault(
                                        cause.code, client ? "invalid_client" : "invalid_grant", o));
        auto f = s.run(fetch(grant));
        CHECK(f.ec == cause.error);
        CHECK(f.diag.source == pbi::failure_source::entra);
        CHECK(f.diag.error_codes == std::vector<std::int64_t>{cause.code});
        CHECK_FALSE(f.diag.trace_id.empty());
        CHECK_FALSE(f.diag.correlation_id.empty());
        CHECK_FALSE(f.diag.client_request_id.empty());
        CHECK(has(f.diag.message, "AADSTS" + std::to_string(cause.code)));
        CHECK_FALSE(f.diag.hint.empty());
        if (cause.code == 90055)
            CHECK(f.diag.retry_after == 30s);
        if (cause.code == 50079)
            CHECK(f.diag.suberror == "basic_action");
        const auto text = printed(f.diag);
        CHECK_FALSE(has(text, "emulator-password"));
        CHECK_FALSE(has(text, client_secret));
    }
}

TEST_CASE("every Power BI error shape scripted on the groups route comes back typed with its raw facts") {
    struct row {
        pbi::testing::fault f;
        pbi::errc expected;
        std::string error;
    };
    auto shaped = [](int status, std::vector<std::pair<std::string, std::string>> headers, std::string body) {
        pbi::testing::fault f;
        f.status = status;
        f.headers = std::move(headers);
        f.body = std::move(body);
        return f;
    };
    const std::vector<row> rows = {
        {pbi::testing::powerbi_error_fault(400, "InvalidRequest", {}, "Invalid filter"),
         pbi::errc::bad_request, "InvalidRequest"},
        {pbi::testing::powerbi_error_fault(401, "PowerBINotAuthorizedException",
                                           "PowerBINotAuthorizedException"),
         pbi::errc::not_authorized, "PowerBINotAuthorizedException"},
        {shaped(429, {}, R"({"message":"Rate limit is exceeded. Retry in 30 seconds."})"),
         pbi::errc::throttled, ""},
        {shaped(403, {{"X-PowerBI-Error-Info", "GroupNotAccessible"}}, ""), pbi::errc::not_workspace_member,
         "GroupNotAccessible"},
        {shaped(500, {}, R"({"Message":"An error has occurred."})"), pbi::errc::server_error, ""},
        {shaped(502, {{"Content-Type", "text/html"}}, "<html><title>502 Bad Gateway</title></html>"),
         pbi::errc::server_error, ""},
        {pbi::testing::powerbi_error_fault(404, "PowerBIEntityNotFound"), pbi::errc::entity_not_found,
         "PowerBIEntityNotFound"},
    };
    stack s;
    for (const auto& r : rows) {
        INFO(r.f.status << " " << r.f.body);
        s.emu.inject_fault("groups", r.f, r.f.status >= 500 ? 3 : 1); // a GET meeting 5xx is tried 3 times
        auto f = s.run(list_first_workspace(s.powerbi));
        CHECK(f.ec == r.expected);
        CHECK(f.diag.source == pbi::failure_source::powerbi);
        CHECK(f.diag.http_status == r.f.status);
        CHECK(f.diag.error == r.error);
        CHECK_FALSE(f.diag.request_id.empty());
        CHECK_FALSE(f.diag.hint.empty());
        if (r.f.status == 429)
            CHECK(f.diag.retry_after == 30s);
    }

    // 403 TokenExpired in an empty body: renewed once, then reported.
    pbi::testing::fault expired = shaped(403, {{"X-PowerBI-Error-Info", "TokenExpired"}}, "");
    s.emu.inject_fault("groups", expired, 2);
    auto f = s.run(list_first_workspace(s.powerbi));
    CHECK(f.ec == pbi::errc::token_expired);
    CHECK(f.diag.powerbi_error_info == "TokenExpired");
    CHECK(s.tokens.counters().cache.invalidations == 1);
}

TEST_CASE("a server clock ten minutes ahead adds a clock-skew warning to the diagnostics") {
    pbi::testing::emulator_options eo;
    eo.now = [] {
        return std::chrono::system_clock::now() + 10min;
    };
    stack s(eo);

    auto ok = s.run(list_first_workspace(s.powerbi)); // succeeds: lifetimes are measured locally
    REQUIRE_FALSE(ok.ec);
    REQUIRE(ok.diag.clock_skew);
    CHECK(*ok.diag.clock_skew > 590s);
    CHECK(*ok.diag.clock_skew < 610s);
    REQUIRE(ok.diag.warnings.size() == 1);
    CHECK(has(ok.diag.warnings[0], "behind the server's"));

    pbi::entra::token_grant grant(s.http, pbi_test::ropc_for(s.emu), stack::token_options(s.emu), nullptr);
    auto signed_in = s.run(fetch(grant));
    REQUIRE_FALSE(signed_in.ec);
    CHECK(signed_in.diag.warnings.size() == 1);

    s.tokens.update_credential(as_user(s, "signage@contoso.onmicrosoft.com", "Wr0ng-Pa55word"));
    auto failed = s.run(sign_in_failure(s.tokens));
    CHECK(failed.ec == pbi::errc::invalid_credentials);
    CHECK(has(printed(failed.diag), "warning: this machine's clock is "));
    CHECK(has(printed(failed.diag), "behind the server's"));
    CHECK(has(printed(failed.diag), "clock skew: +"));
}

TEST_CASE("a clock that agrees with the server's adds no warning") {
    stack s;
    auto ok = s.run(list_first_workspace(s.powerbi));
    REQUIRE_FALSE(ok.ec);
    REQUIRE(ok.diag.clock_skew);
    CHECK(std::chrono::abs(*ok.diag.clock_skew) <= 2s);
    CHECK(ok.diag.warnings.empty());
}

TEST_CASE("a server certificate that is not yet valid fails with a hint to check this machine's clock") {
    pbi::testing::certificate_options co;
    co.not_before_offset = std::chrono::hours(24);
    co.not_after_offset = std::chrono::hours(48);
    auto certs = pbi::testing::make_certificates(co);
    pbi::testing::emulator_options eo;
    eo.certificate_pem = certs.leaf_cert_pem;
    eo.private_key_pem = certs.leaf_key_pem;
    eo.ca_certificate_pem = certs.ca_cert_pem;
    stack s(eo);
    auto f = s.run(sign_in_failure(s.tokens));
    CHECK(f.ec == pbi::errc::certificate_expired);
    CHECK(f.diag.source == pbi::failure_source::transport);
    CHECK(has(f.diag.hint, "clock"));
    CHECK(s.emu.request_count("token") == 0);
}

TEST_CASE("realm discovery tells managed, federated and unknown accounts apart") {
    stack s(with_users());
    pbi::entra::discovery_options o;
    o.authority_origin = s.emu.origin();
    auto realm_of = [&](std::string upn) -> asio::awaitable<std::pair<failure, pbi::entra::user_realm>> {
        failure f;
        auto [ec, realm] = co_await pbi::entra::async_discover_realm(s.http, o, upn, f.diag, as_tuple);
        f.ec = ec;
        co_return std::pair{f, realm};
    };
    using kind = pbi::entra::user_realm::kind;
    auto [mf, managed] = s.run(realm_of("signage@contoso.onmicrosoft.com"));
    CHECK_FALSE(mf.ec);
    CHECK(managed.account_type == kind::managed);
    CHECK(managed.domain_name == "contoso.onmicrosoft.com");
    auto [ff, federated] = s.run(realm_of("adfs@fabrikam.com"));
    CHECK_FALSE(ff.ec);
    CHECK(federated.account_type == kind::federated);
    CHECK(federated.federation_protocol == "WSTrust");
    CHECK(has(federated.federation_active_auth_url, "usernamemixed"));
    auto [uf, unknown] = s.run(realm_of("nobody@unknown.example"));
    CHECK_FALSE(uf.ec);
    CHECK(unknown.account_type == kind::unknown);

    // The throwing form, and an empty user name refused without I/O.
    auto throwing = [&]() -> asio::awaitable<pbi::entra::user_realm> {
        const std::string upn = "adfs@fabrikam.com";
        co_return co_await pbi::entra::async_discover_realm(s.http, o, upn);
    };
    CHECK(s.run(throwing()).account_type == kind::federated);
    auto [ef, empty] = s.run(realm_of(""));
    CHECK(ef.ec == pbi::errc::invalid_argument);
    CHECK(s.emu.request_count("userrealm") == 4);
}
