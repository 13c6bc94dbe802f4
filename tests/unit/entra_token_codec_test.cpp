#include <pbi/entra/token_codec.hpp>
#include <pbi/http/date.hpp>

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

using namespace pbi::entra;
using std::chrono::seconds;

namespace {

const std::string password = "p&ss+w%rd =x";
const std::string encoded_password = "p%26ss%2Bw%25rd+%3Dx";
const std::string scope = "https://analysis.windows.net/powerbi/api/.default";
const std::string encoded_scope = "https%3A%2F%2Fanalysis.windows.net%2Fpowerbi%2Fapi%2F.default";
const std::string resource = "https://analysis.windows.net/powerbi/api";
const std::string encoded_resource = "https%3A%2F%2Fanalysis.windows.net%2Fpowerbi%2Fapi";
const std::string client_id = "11111111-2222-3333-4444-555555555555";

ropc_credential ropc(std::string client_secret = {}) {
    ropc_credential c;
    c.tenant_id = "contoso.onmicrosoft.com";
    c.client_id = client_id;
    c.client_secret = pbi::secret{std::move(client_secret)};
    c.username = "signage@contoso.onmicrosoft.com";
    c.password = pbi::secret{password};
    return c;
}

client_secret_credential service_principal() {
    client_secret_credential c;
    c.tenant_id = "contoso.onmicrosoft.com";
    c.client_id = client_id;
    c.client_secret = pbi::secret{std::string("s3cr=t+/~")};
    return c;
}

pbi::http::fields json_headers() {
    pbi::http::fields h;
    h.add("Content-Type", "application/json; charset=utf-8");
    return h;
}

const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours{1000};

std::string printed(const pbi::diagnostics& d) {
    std::ostringstream os;
    os << d;
    return os.str();
}

std::string error_body(std::int64_t code, const std::string& error) {
    return R"({"error":")" + error + R"(","error_description":"AADSTS)" + std::to_string(code) +
           R"(: Something went wrong.\r\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: )"
           R"(aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2024-05-01 10:00:00Z","error_codes":[)" +
           std::to_string(code) +
           R"(],"timestamp":"2024-05-01 10:00:00Z","trace_id":"0000aaaa-11bb-cccc-dd22-eeeeee333333",)"
           R"("correlation_id":"aaaa0000-bb11-2222-33cc-444444dddddd",)"
           R"("error_uri":"https://login.microsoftonline.com/error?code=)" +
           std::to_string(code) + R"("})";
}

} // namespace

// --- requests -------------------------------------------------------------------------------------

TEST_CASE("token endpoint paths for v2 and v1 encode the tenant as one segment") {
    CHECK(token_endpoint_path("contoso.onmicrosoft.com", endpoint_version::v2) ==
          "/contoso.onmicrosoft.com/oauth2/v2.0/token");
    CHECK(token_endpoint_path("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", endpoint_version::v1) ==
          "/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/oauth2/token");
    CHECK(token_endpoint_path("a/b c", endpoint_version::v2) == "/a%2Fb%20c/oauth2/v2.0/token");
}

TEST_CASE("ROPC v2 form for a public client is byte-exact and sends no client_secret") {
    auto body = build_token_request_body(ropc(), scope, endpoint_version::v2);
    CHECK(body == "grant_type=password&client_id=" + client_id +
                      "&username=signage%40contoso.onmicrosoft.com&password=" + encoded_password +
                      "&scope=" + encoded_scope + "+offline_access");
    CHECK(body.find("client_secret") == std::string::npos);
}

TEST_CASE("ROPC v2 form for a confidential client includes the client secret") {
    auto body = build_token_request_body(ropc("app&secret"), scope, endpoint_version::v2);
    CHECK(body == "grant_type=password&client_id=" + client_id +
                      "&client_secret=app%26secret&username=signage%40contoso.onmicrosoft.com&password=" +
                      encoded_password + "&scope=" + encoded_scope + "+offline_access");
}

TEST_CASE("ROPC v1 form sends resource instead of scope") {
    auto body = build_token_request_body(ropc(), resource, endpoint_version::v1);
    CHECK(body == "grant_type=password&client_id=" + client_id +
                      "&username=signage%40contoso.onmicrosoft.com&password=" + encoded_password +
                      "&resource=" + encoded_resource);
}

TEST_CASE("ROPC does not add offline_access twice") {
    auto body = build_token_request_body(ropc(), scope + " offline_access", endpoint_version::v2);
    CHECK(body.ends_with("&scope=" + encoded_scope + "+offline_access"));
}

TEST_CASE("client credentials forms for v2 and v1 are byte-exact") {
    CHECK(build_token_request_body(service_principal(), scope, endpoint_version::v2) ==
          "grant_type=client_credentials&client_id=" + client_id +
              "&client_secret=s3cr%3Dt%2B%2F%7E&scope=" + encoded_scope);
    CHECK(build_token_request_body(service_principal(), resource, endpoint_version::v1) ==
          "grant_type=client_credentials&client_id=" + client_id +
              "&client_secret=s3cr%3Dt%2B%2F%7E&resource=" + encoded_resource);
}

TEST_CASE("refresh form carries the refresh token, and the client secret only for a confidential client") {
    pbi::secret rt{std::string("1.AX+rt/=")};
    CHECK(build_refresh_request_body(ropc(), rt, scope, endpoint_version::v2) ==
          "grant_type=refresh_token&client_id=" + client_id +
              "&refresh_token=1.AX%2Brt%2F%3D&scope=" + encoded_scope + "+offline_access");
    CHECK(build_refresh_request_body(ropc("cs"), rt, resource, endpoint_version::v1) ==
          "grant_type=refresh_token&client_id=" + client_id +
              "&client_secret=cs&refresh_token=1.AX%2Brt%2F%3D&resource=" + encoded_resource);
}

// --- success answers ------------------------------------------------------------------------------

TEST_CASE("v2 answer with integer numbers gives a token that expires expires_in after receipt") {
    std::string body =
        R"({"token_type":"Bearer","scope":"https://analysis.windows.net/powerbi/api/Report.Read.All",)"
        R"("expires_in":4435,"ext_expires_in":4435,"access_token":"eyJ.a.b","refresh_token":"1.AX","id_token":"x"})";
    access_token t;
    pbi::diagnostics diag;
    auto ec = parse_token_response(200, json_headers(), body, t0, t, diag);
    REQUIRE_FALSE(ec);
    CHECK(t.token.reveal() == "eyJ.a.b");
    CHECK(t.token_type == "Bearer");
    CHECK(t.scope == "https://analysis.windows.net/powerbi/api/Report.Read.All");
    CHECK(t.lifetime == seconds{4435});
    CHECK(t.received_at == t0);
    CHECK(t.expires_at == t0 + seconds{4435});
    CHECK(t.refresh_token.reveal() == "1.AX");
    CHECK_FALSE(t.refresh_in);
    CHECK_FALSE(t.expires_on);
    CHECK(diag.empty());
}

TEST_CASE("v1 answer with numbers as strings is accepted, with expires_on") {
    std::string body = R"({"token_type":"Bearer","expires_in":"3599","ext_expires_in":"3599",)"
                       R"("expires_on":"1612794445","not_before":"1612790545",)"
                       R"("resource":"https://analysis.windows.net/powerbi/api","access_token":"eyJ.v1",)"
                       R"("refresh_token":"rt-v1"})";
    access_token t;
    pbi::diagnostics diag;
    REQUIRE_FALSE(parse_token_response(200, json_headers(), body, t0, t, diag));
    CHECK(t.lifetime == seconds{3599});
    CHECK(t.expires_at == t0 + seconds{3599});
    CHECK(t.expires_on == 1612794445);
    CHECK(t.refresh_token.reveal() == "rt-v1");
}

TEST_CASE("client credentials answer without scope or refresh token, and refresh_in is kept") {
    std::string body =
        R"({"token_type":"Bearer","expires_in":86399,"refresh_in":43199,"access_token":"eyJ.sp"})";
    access_token t;
    pbi::diagnostics diag;
    REQUIRE_FALSE(parse_token_response(200, pbi::http::fields{}, body, t0, t, diag));
    CHECK(t.scope.empty());
    CHECK(t.refresh_token.empty());
    CHECK(t.refresh_in == seconds{43199});
}

TEST_CASE("a missing token_type defaults to Bearer") {
    access_token t;
    pbi::diagnostics diag;
    REQUIRE_FALSE(
        parse_token_response(200, json_headers(), R"({"expires_in":60,"access_token":"x"})", t0, t, diag));
    CHECK(t.token_type == "Bearer");
}

TEST_CASE("the token's lifetime never comes from the JWT exp claim") {
    // A JWT whose payload says exp=1 (1970): ignored; expires_in decides.
    std::string jwt = "eyJhbGciOiJub25lIn0.eyJleHAiOjF9.sig";
    access_token t;
    pbi::diagnostics diag;
    REQUIRE_FALSE(parse_token_response(200, json_headers(),
                                       R"({"expires_in":3700,"access_token":")" + jwt + "\"}", t0, t, diag));
    CHECK(t.expires_at == t0 + seconds{3700});
}

TEST_CASE("malformed success answers are unexpected_json") {
    const std::vector<std::string> bodies = {
        R"({"token_type":"Bearer","expires_in":3600})",                      // missing access_token
        R"({"token_type":"Bearer","expires_in":3600,"access_token":null})",  // null token
        R"({"token_type":"Bearer","expires_in":3600,"access_token":""})",    // empty token
        R"({"token_type":"Bearer","expires_in":3600,"access_token":42})",    // wrong type
        R"({"token_type":"Bearer","expires_in":{},"access_token":"x"})",     // expires_in object
        R"({"token_type":"Bearer","expires_in":"soon","access_token":"x"})", // not numeric
        R"({"token_type":"Bearer","expires_in":0,"access_token":"x"})",      // not positive
        R"({"token_type":"Bearer","expires_in":-5,"access_token":"x"})",
        R"({"token_type":"Bearer","access_token":"x"})", // no expires_in
        R"({"token_type":7,"expires_in":60,"access_token":"x"})",
        R"(["access_token"])",
    };
    for (const auto& body : bodies) {
        INFO(body);
        access_token t;
        pbi::diagnostics diag;
        CHECK(parse_token_response(200, json_headers(), body, t0, t, diag) == pbi::errc::unexpected_json);
        CHECK(diag.source == pbi::failure_source::entra);
        CHECK(diag.http_status == 200);
        CHECK_FALSE(diag.message.empty());
        CHECK(t.token.empty());
    }
}

TEST_CASE("an HTML page from a gateway is unexpected_content_type") {
    pbi::http::fields h;
    h.add("Content-Type", "text/html");
    access_token t;
    pbi::diagnostics diag;
    std::string html =
        "<!DOCTYPE html><html><head><title>Proxy Login</title></head><body>sign in</body></html>";
    CHECK(parse_token_response(200, h, html, t0, t, diag) == pbi::errc::unexpected_content_type);
    CHECK(diag.message.find("HTML") != std::string::npos);
    CHECK(diag.server_message == "Proxy Login");

    // No Content-Type at all: the first character decides.
    pbi::diagnostics d2;
    CHECK(parse_token_response(200, pbi::http::fields{}, "  <html>", t0, t, d2) ==
          pbi::errc::unexpected_content_type);
    pbi::diagnostics d3;
    pbi::http::fields text;
    text.add("Content-Type", "text/plain");
    CHECK(parse_token_response(200, text, "OK", t0, t, d3) == pbi::errc::unexpected_content_type);
}

TEST_CASE("truncated JSON is malformed_json and the partial token is not copied into diagnostics") {
    access_token t;
    pbi::diagnostics diag;
    std::string body = R"({"token_type":"Bearer","expires_in":3600,"access_token":"eyJSECRETPART)";
    CHECK(parse_token_response(200, json_headers(), body, t0, t, diag) == pbi::errc::malformed_json);
    CHECK(printed(diag).find("SECRETPART") == std::string::npos);
}

TEST_CASE("a 502 HTML page is a server error that keeps the page title") {
    pbi::http::fields h;
    h.add("Content-Type", "text/html; charset=us-ascii");
    access_token t;
    pbi::diagnostics diag;
    auto ec =
        parse_token_response(502, h, "<html><head><title>502 Bad Gateway</title></head></html>", t0, t, diag);
    CHECK(ec == pbi::errc::server_error);
    CHECK(ec == pbi::condition::retryable);
    CHECK(diag.server_message == "502 Bad Gateway");
    CHECK(diag.message.find("HTML (a gateway or proxy page?)") != std::string::npos);
}

TEST_CASE("a 404 HTML page is unexpected_content_type") {
    access_token t;
    pbi::diagnostics diag;
    CHECK(parse_token_response(404, pbi::http::fields{}, "<html>Not Found</html>", t0, t, diag) ==
          pbi::errc::unexpected_content_type);
    CHECK_FALSE(diag.hint.empty());
}

TEST_CASE("a redirect status is unexpected_status") {
    access_token t;
    pbi::diagnostics diag;
    CHECK(parse_token_response(302, pbi::http::fields{}, "", t0, t, diag) == pbi::errc::unexpected_status);
}

// --- error answers --------------------------------------------------------------------------------

TEST_CASE("AADSTS codes map to their error codes") {
    struct row {
        std::int64_t code;
        const char* error;
        int status;
        pbi::errc expected;
    };
    using pbi::errc;
    const row rows[] = {
        {50126, "invalid_grant", 400, errc::invalid_credentials},
        {50034, "invalid_grant", 400, errc::user_not_found},
        {50053, "invalid_grant", 400, errc::account_locked},
        {50055, "user_password_expired", 400, errc::password_expired},
        {50057, "invalid_grant", 400, errc::account_disabled},
        {50076, "interaction_required", 400, errc::mfa_required},
        {50079, "invalid_grant", 400, errc::mfa_required},
        {50158, "invalid_grant", 400, errc::mfa_required},
        {53003, "invalid_grant", 400, errc::conditional_access_blocked},
        {530035, "interaction_required", 400, errc::conditional_access_blocked},
        {50173, "invalid_grant", 400, errc::refresh_token_expired},
        {700082, "invalid_grant", 400, errc::refresh_token_expired},
        {70043, "invalid_grant", 400, errc::refresh_token_expired},
        {700081, "invalid_grant", 400, errc::refresh_token_expired},
        {65001, "invalid_grant", 400, errc::consent_required},
        {50105, "invalid_grant", 400, errc::user_not_assigned},
        {700016, "unauthorized_client", 400, errc::app_not_found},
        {7000112, "unauthorized_client", 400, errc::app_disabled},
        {7000215, "invalid_client", 401, errc::client_secret_invalid},
        {7000222, "invalid_client", 401, errc::client_secret_expired},
        {7000218, "invalid_client", 401, errc::client_secret_missing},
        {700025, "invalid_client", 401, errc::public_client_sent_secret},
        {700024, "invalid_client", 401, errc::clock_skew},
        {90002, "invalid_request", 400, errc::tenant_not_found},
        {90014, "invalid_request", 400, errc::malformed_token_request},
        {900144, "invalid_request", 400, errc::malformed_token_request},
        {500011, "invalid_resource", 400, errc::wrong_cloud},
        {70011, "invalid_scope", 400, errc::invalid_scope},
        {28000, "invalid_scope", 400, errc::invalid_scope},
        {28003, "invalid_request", 400, errc::invalid_scope},
        {1002012, "invalid_scope", 400, errc::invalid_scope},
        {50196, "invalid_request", 400, errc::request_loop_throttled},
        {90055, "invalid_request", 429, errc::throttled},
        {90024, "temporarily_unavailable", 503, errc::throttled},
        {50033, "invalid_request", 400, errc::throttled},
        {90006, "invalid_request", 400, errc::throttled},
    };
    for (const auto& r : rows) {
        INFO("AADSTS" << r.code);
        access_token t;
        pbi::diagnostics diag;
        auto ec = parse_token_response(r.status, json_headers(), error_body(r.code, r.error), t0, t, diag);
        CHECK(ec == r.expected);
        CHECK(errc_from_aadsts(r.code) == r.expected);
        CHECK(diag.source == pbi::failure_source::entra);
        CHECK(diag.http_status == r.status);
        CHECK(diag.error == r.error);
        REQUIRE(diag.error_codes.size() == 1);
        CHECK(diag.error_codes[0] == r.code);
        CHECK(diag.trace_id == "0000aaaa-11bb-cccc-dd22-eeeeee333333");
        CHECK(diag.correlation_id == "aaaa0000-bb11-2222-33cc-444444dddddd");
        CHECK(diag.server_message == "AADSTS" + std::to_string(r.code) + ": Something went wrong.");
        CHECK(diag.message.find(std::to_string(r.code)) != std::string::npos);
        CHECK_FALSE(diag.hint.empty());
    }
}

TEST_CASE(
    "AADSTS50126 is invalid_credentials with a hint about federated accounts, never federated_account") {
    access_token t;
    pbi::diagnostics diag;
    auto ec = parse_token_response(400, json_headers(), error_body(50126, "invalid_grant"), t0, t, diag);
    CHECK(ec == pbi::errc::invalid_credentials);
    CHECK(ec != pbi::errc::federated_account);
    CHECK(diag.hint.find("check the user name and password") != std::string::npos);
    CHECK(diag.hint.find("federated (ADFS)") != std::string::npos);
    CHECK(ec == pbi::condition::auth);
}

TEST_CASE("MFA answers point at MFA-exempt accounts or a service principal") {
    access_token t;
    pbi::diagnostics diag;
    CHECK(parse_token_response(400, json_headers(), error_body(50076, "interaction_required"), t0, t, diag) ==
          pbi::errc::mfa_required);
    CHECK(diag.hint.find("exempt from MFA") != std::string::npos);
    CHECK(diag.hint.find("service principal (client credentials)") != std::string::npos);
}

TEST_CASE("AADSTS1002012 explains that a client-credentials scope ends in /.default") {
    access_token t;
    pbi::diagnostics diag;
    CHECK(parse_token_response(400, json_headers(), error_body(1002012, "invalid_scope"), t0, t, diag) ==
          pbi::errc::invalid_scope);
    CHECK(diag.hint.find("/.default") != std::string::npos);
}

TEST_CASE("an old answer with two codes maps by the first code the SDK knows") {
    std::string body = R"({"error":"invalid_grant","error_codes":[70002,50126]})";
    access_token t;
    pbi::diagnostics diag;
    CHECK(parse_token_response(400, json_headers(), body, t0, t, diag) == pbi::errc::invalid_credentials);
    CHECK(diag.error_codes == std::vector<std::int64_t>{70002, 50126});
}

TEST_CASE("without a known code the error string decides") {
    struct row {
        const char* error;
        int status;
        pbi::errc expected;
    };
    const row rows[] = {
        {"invalid_client", 401, pbi::errc::client_secret_invalid},
        {"interaction_required", 400, pbi::errc::mfa_required},
        {"invalid_tenant", 400, pbi::errc::tenant_not_found},
        {"invalid_grant", 400, pbi::errc::sign_in_failed},
    };
    for (const auto& r : rows) {
        INFO(r.error);
        access_token t;
        pbi::diagnostics diag;
        std::string body = std::string(R"({"error":")") + r.error + R"(","error_codes":[123456]})";
        CHECK(parse_token_response(r.status, json_headers(), body, t0, t, diag) == r.expected);
        CHECK(diag.error_codes == std::vector<std::int64_t>{123456});
    }
}

TEST_CASE("error_description never decides the error code") {
    std::string body =
        R"({"error":"invalid_grant","error_description":"AADSTS50126: Error validating credentials"})";
    access_token t;
    pbi::diagnostics diag;
    CHECK(parse_token_response(400, json_headers(), body, t0, t, diag) == pbi::errc::sign_in_failed);
    CHECK(diag.server_message == "AADSTS50126: Error validating credentials");
}

TEST_CASE("without codes or a known error the status decides") {
    access_token t;
    pbi::diagnostics d1, d2, d3;
    CHECK(parse_token_response(429, json_headers(), R"({"error":"too_many"})", t0, t, d1) ==
          pbi::errc::throttled);
    CHECK(parse_token_response(503, json_headers(), R"({})", t0, t, d2) == pbi::errc::server_error);
    CHECK(parse_token_response(400, json_headers(), R"({"error":"whatever"})", t0, t, d3) ==
          pbi::errc::sign_in_failed);
    CHECK_FALSE(d3.hint.empty());
}

TEST_CASE("suberror and claims are kept in diagnostics") {
    std::string body =
        R"({"error":"invalid_grant","suberror":"basic_action","claims":"{\"access_token\":{}}",)"
        R"("error_codes":[50079]})";
    access_token t;
    pbi::diagnostics diag;
    CHECK(parse_token_response(400, json_headers(), body, t0, t, diag) == pbi::errc::mfa_required);
    CHECK(diag.suberror == "basic_action");
    CHECK(diag.claims == R"({"access_token":{}})");
}

TEST_CASE("a 200 answer that carries an error is mapped like an error answer") {
    access_token t;
    pbi::diagnostics diag;
    CHECK(parse_token_response(200, json_headers(), error_body(50053, "invalid_grant"), t0, t, diag) ==
          pbi::errc::account_locked);
}

TEST_CASE("the client request id survives parsing") {
    access_token t;
    pbi::diagnostics diag;
    diag.client_request_id = "abc";
    diag.message = "stale";
    parse_token_response(400, json_headers(), error_body(50126, "invalid_grant"), t0, t, diag);
    CHECK(diag.client_request_id == "abc");
    pbi::diagnostics ok;
    ok.client_request_id = "def";
    ok.message = "stale";
    REQUIRE_FALSE(
        parse_token_response(200, json_headers(), R"({"expires_in":60,"access_token":"x"})", t0, t, ok));
    CHECK(ok.client_request_id == "def");
    CHECK(ok.message.empty());
}

TEST_CASE("Retry-After in seconds is kept on a throttled answer") {
    auto h = json_headers();
    h.add("Retry-After", "120");
    access_token t;
    pbi::diagnostics diag;
    CHECK(parse_token_response(429, h, "{}", t0, t, diag) == pbi::errc::throttled);
    CHECK(diag.retry_after == seconds{120});
    CHECK(diag.message.find("retry after 120 s") != std::string::npos); // not only in the fields
}

TEST_CASE("Retry-After as an HTTP-date is measured from the answer's Date header") {
    auto h = json_headers();
    h.add("Date", "Wed, 01 May 2024 10:00:00 GMT");
    h.add("Retry-After", "Wed, 01 May 2024 10:01:30 GMT");
    access_token t;
    pbi::diagnostics diag;
    CHECK(parse_token_response(429, h, "{}", t0, t, diag) == pbi::errc::throttled);
    CHECK(diag.retry_after == seconds{90});
}

TEST_CASE("garbage Retry-After is ignored") {
    auto h = json_headers();
    h.add("Retry-After", "soon");
    access_token t;
    pbi::diagnostics diag;
    CHECK(parse_token_response(503, h, "{}", t0, t, diag) == pbi::errc::server_error);
    CHECK_FALSE(diag.retry_after);
}

TEST_CASE("diagnostics never contain the password, the client secret or a token") {
    const std::string token = "eyJTOKENVALUE.payload.sig";
    const std::string refresh = "1.AXREFRESHVALUE";
    const std::vector<std::pair<int, std::string>> answers = {
        {200, R"({"token_type":"Bearer","expires_in":{},"access_token":")" + token +
                  R"(","refresh_token":")" + refresh + "\"}"},
        {200, R"({"expires_in":-1,"access_token":")" + token + "\"}"},
        {200, R"({"expires_in":60,"access_token":")" + token + R"(","refresh_token":7})"},
        {200, R"({"access_token":")" + token + R"(","refresh_token":")" + refresh},
        {400, error_body(50126, "invalid_grant")},
        {401, error_body(7000215, "invalid_client")},
        {500, "Internal error"},
    };
    for (const auto& [status, body] : answers) {
        INFO(body);
        access_token t;
        pbi::diagnostics diag;
        CHECK(parse_token_response(status, json_headers(), body, t0, t, diag));
        auto text = printed(diag);
        CHECK(text.find("TOKENVALUE") == std::string::npos);
        CHECK(text.find("REFRESHVALUE") == std::string::npos);
        CHECK(text.find(password) == std::string::npos);
        CHECK(text.find(encoded_password) == std::string::npos);
        CHECK(text.find("s3cr=t") == std::string::npos);
    }
}

// --- dates ----------------------------------------------------------------------------------------

TEST_CASE("Retry-After parses seconds, HTTP-dates and rejects garbage") {
    using pbi::http::parse_retry_after;
    auto ref = pbi::http::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
    REQUIRE(ref);
    CHECK(parse_retry_after("0", std::nullopt) == seconds{0});
    CHECK(parse_retry_after(" 3600 ", std::nullopt) == seconds{3600});
    CHECK_FALSE(parse_retry_after("-5", std::nullopt)); // not delay-seconds: no advice, not "now"
    CHECK_FALSE(parse_retry_after("-0", std::nullopt));
    CHECK(parse_retry_after("99999999999999999999", std::nullopt) == seconds{2147483647});
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", ref) == seconds{60});
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", ref) == seconds{0});
    CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", std::nullopt));
    for (const char* bad : {"", "soon", "1.5", "12abc", "-", "Sun, 32 Nov 1994 08:49:37 GMT"})
        CHECK_FALSE(parse_retry_after(bad, ref));
}

// --- the AADSTS table, hints and other Entra endpoints ---------------------------------------------

TEST_CASE("every AADSTS code of WIRE.md has a named error and a hint, in WIRE.md's order") {
    const std::vector<std::int64_t> wire = {
        50126, 50034,  50053,  50055, 50057,  50076,   50079,   50158,   53003,   530035, 50173,  700082,
        70043, 700081, 65001,  50105, 700016, 7000112, 7000215, 7000222, 7000218, 700025, 700024, 90002,
        90014, 900144, 500011, 70011, 28000,  28003,   1002012, 50196,   90055,   90024,  50033,  90006};
    auto causes = aadsts_causes();
    REQUIRE(causes.size() == wire.size());
    for (std::size_t i = 0; i < wire.size(); ++i) {
        INFO("AADSTS" << wire[i]);
        CHECK(causes[i].code == wire[i]);
        CHECK(errc_from_aadsts(wire[i]) == causes[i].error);
        REQUIRE(causes[i].hint != nullptr);
        CHECK(std::string(causes[i].hint).size() > 20);
        CHECK(causes[i].error != pbi::errc::sign_in_failed);
    }
}

TEST_CASE("an unknown AADSTS code is sign_in_failed and keeps the raw code and a lookup hint") {
    access_token t;
    pbi::diagnostics diag;
    CHECK(parse_token_response(400, json_headers(), error_body(9999999, "invalid_grant"), t0, t, diag) ==
          pbi::errc::sign_in_failed);
    CHECK_FALSE(errc_from_aadsts(9999999));
    CHECK(diag.error_codes == std::vector<std::int64_t>{9999999});
    CHECK(diag.message.find("AADSTS9999999") != std::string::npos);
    CHECK(diag.hint.find("error?code=9999999") != std::string::npos);
    CHECK(diag.trace_id == "0000aaaa-11bb-cccc-dd22-eeeeee333333");
}

TEST_CASE("MFA hints name an exempt account, a service principal, and device code only as an Entra option") {
    for (std::int64_t code : {50076, 50079}) {
        INFO("AADSTS" << code);
        access_token t;
        pbi::diagnostics diag;
        CHECK(parse_token_response(400, json_headers(), error_body(code, "invalid_grant"), t0, t, diag) ==
              pbi::errc::mfa_required);
        CHECK(diag.hint.find("exempt from MFA") != std::string::npos);
        CHECK(diag.hint.find("service principal") != std::string::npos);
        CHECK(diag.hint.find("device-code") != std::string::npos);
        CHECK(diag.hint.find("not offer") != std::string::npos);
    }
}

TEST_CASE("an Entra error answer without ids in its body takes them from the headers") {
    pbi::http::fields h;
    h.add("Content-Type", "text/html");
    h.add("x-ms-request-id", "11111111-aaaa-bbbb-cccc-000000000001");
    h.add("client-request-id", "22222222-aaaa-bbbb-cccc-000000000002");
    pbi::diagnostics diag;
    CHECK(parse_entra_error(502, h, "<html><title>Bad gateway</title></html>", "realm discovery", diag) ==
          pbi::errc::server_error);
    CHECK(diag.trace_id == "11111111-aaaa-bbbb-cccc-000000000001");
    CHECK(diag.correlation_id == "22222222-aaaa-bbbb-cccc-000000000002");
    CHECK(diag.message.rfind("realm discovery answered HTTP 502", 0) == 0);
    CHECK(diag.source == pbi::failure_source::entra);
}

TEST_CASE("the OpenID configuration of an unknown tenant maps to tenant_not_found") {
    pbi::diagnostics diag;
    auto body = error_body(90002, "invalid_tenant");
    CHECK(parse_entra_error(400, json_headers(), body, "the OpenID configuration endpoint", diag) ==
          pbi::errc::tenant_not_found);
    CHECK(diag.error_codes == std::vector<std::int64_t>{90002});
    CHECK(diag.hint.find("tenant id") != std::string::npos);
}

TEST_CASE("the body's ids win over the headers'") {
    auto h = json_headers();
    h.add("x-ms-request-id", "header-trace");
    pbi::diagnostics diag;
    parse_entra_error(400, h, error_body(50126, "invalid_grant"), "the token endpoint", diag);
    CHECK(diag.trace_id == "0000aaaa-11bb-cccc-dd22-eeeeee333333");
}

TEST_CASE("an error answer's huge description and code are cut, not kept in full") {
    const std::string description = "AADSTS90000: " + std::string(100 * 1024, 'd');
    const std::string code(5000, 'e');
    const std::string body =
        R"({"error":")" + code + R"(","error_description":")" + description + R"(","error_codes":[90000]})";
    pbi::diagnostics diag;
    CHECK(parse_entra_error(400, json_headers(), body, "the token endpoint", diag));
    CHECK(diag.server_message.size() <= 2003);
    CHECK(diag.server_message.rfind("AADSTS90000: ddd", 0) == 0);
    CHECK(diag.error.size() <= 203);
    CHECK(diag.message.size() < 1000);
}
