#include <pbi/powerbi/error_parser.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>

using namespace pbi::powerbi;
using pbi::errc;

namespace {

pbi::http::fields json(std::initializer_list<std::pair<const char*, const char*>> extra = {}) {
    pbi::http::fields h;
    h.add("Content-Type", "application/json; charset=utf-8");
    h.add("RequestId", "9b1a4c2e-0000-4000-8000-000000000001");
    for (auto& [n, v] : extra)
        h.add(n, v);
    return h;
}

} // namespace

TEST_CASE("error.code, message and details are read") {
    pbi::diagnostics diag;
    auto ec = parse_powerbi_error(
        400, json(),
        R"({"error":{"code":"InvalidRequest","message":"Invalid filter\r\nmore","details":[{"message":"x"}]}})",
        diag);
    CHECK(ec == errc::bad_request);
    CHECK(diag.source == pbi::failure_source::powerbi);
    CHECK(diag.http_status == 400);
    CHECK(diag.error == "InvalidRequest");
    CHECK(diag.server_message == "Invalid filter");
    CHECK(diag.request_id == "9b1a4c2e-0000-4000-8000-000000000001");
    CHECK(diag.message.find("400") != std::string::npos);
    CHECK(diag.message.find("InvalidRequest") != std::string::npos);
    CHECK_FALSE(diag.hint.empty());
}

TEST_CASE("403 TokenExpired means renew the token") {
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(403, json(),
                              R"({"error":{"code":"TokenExpired","message":"Access token has expired, )"
                              R"(resubmit with a new access token"}})",
                              diag) == errc::token_expired);
    CHECK(diag.hint.find("renew") != std::string::npos);
    pbi::diagnostics d2;
    CHECK(parse_powerbi_error(403, json(), R"({"error":{"code":"InvalidToken"}})", d2) ==
          errc::token_expired);
}

TEST_CASE("an empty body with X-PowerBI-Error-Info TokenExpired is token_expired") {
    pbi::http::fields h;
    h.add("X-PowerBI-Error-Info", "TokenExpired");
    h.add("x-ms-request-id", "req-1");
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(403, h, "", diag) == errc::token_expired);
    CHECK(diag.powerbi_error_info == "TokenExpired");
    CHECK(diag.request_id == "req-1");
    CHECK(diag.error == "TokenExpired");
}

TEST_CASE("the pbi.error shape is read, the inner code kept as suberror") {
    pbi::diagnostics diag;
    auto ec = parse_powerbi_error(
        401, json(),
        R"({"error":{"code":"PowerBINotAuthorizedException","pbi.error":{"code":"PowerBINotAuthorizedException",)"
        R"("parameters":{},"details":[],"exceptionCulprit":1}}})",
        diag);
    CHECK(ec == errc::not_authorized);
    CHECK(diag.error == "PowerBINotAuthorizedException");
    CHECK(diag.suberror.empty());

    pbi::diagnostics d2;
    CHECK(parse_powerbi_error(403, json(),
                              R"({"error":{"code":"PowerBIForbidden","pbi.error":{"code":"TokenExpired",)"
                              R"("parameters":{},"details":[]}}})",
                              d2) == errc::token_expired);
    CHECK(d2.error == "PowerBIForbidden");
    CHECK(d2.suberror == "TokenExpired");
}

TEST_CASE("a service principal forbidden by the tenant switch is service_principal_not_allowed") {
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(
              401, json(),
              R"({"error":{"code":"PowerBINotAuthorizedException","pbi.error":{"code":)"
              R"("ServicePrincipalIsNotAllowedByTenantAdminSwitch","parameters":{},"details":[]}}})",
              diag) == errc::service_principal_not_allowed);
    CHECK(diag.hint.find("administrator") != std::string::npos);
    pbi::diagnostics d2;
    CHECK(parse_powerbi_error(401, json(),
                              R"({"error":{"code":"ServicePrincipalIsNotAllowedByTenantAdminSwitch"}})",
                              d2) == errc::service_principal_not_allowed);
}

TEST_CASE("GroupNotAccessible means the identity is not a workspace member") {
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(401, json(), R"({"error":{"code":"GroupNotAccessible"}})", diag) ==
          errc::not_workspace_member);
    pbi::diagnostics d2;
    CHECK(parse_powerbi_error(403, json(), R"({"error":{"code":"UserIsNotMemberOfGroup"}})", d2) ==
          errc::not_workspace_member);
}

TEST_CASE("404 is entity_not_found") {
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(404, json(), R"({"error":{"code":"PowerBIEntityNotFound"}})", diag) ==
          errc::entity_not_found);
    pbi::diagnostics d2;
    CHECK(parse_powerbi_error(404, pbi::http::fields{}, "", d2) == errc::entity_not_found);
}

TEST_CASE("a throttle message with Retry-After header keeps the header's delay") {
    pbi::diagnostics diag;
    auto ec = parse_powerbi_error(429, json({{"Retry-After", "3540"}}),
                                  R"({"message":"Rate limit is exceeded. Retry in 35 seconds."})", diag);
    CHECK(ec == errc::throttled);
    CHECK(ec == pbi::condition::throttled);
    CHECK(diag.retry_after == std::chrono::seconds{3540});
    CHECK(diag.server_message == "Rate limit is exceeded. Retry in 35 seconds.");
}

TEST_CASE("a throttle message without Retry-After gives the message's delay") {
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(429, json(), R"({"message":"Rate limit is exceeded. Retry in 35 seconds."})",
                              diag) == errc::throttled);
    CHECK(diag.retry_after == std::chrono::seconds{35});
    CHECK(diag.message.find("35") != std::string::npos);
}

TEST_CASE("Retry-After as an HTTP-date is measured from the Date header") {
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(429,
                              json({{"Date", "Mon, 29 Jul 2024 17:00:00 GMT"},
                                    {"Retry-After", "Mon, 29 Jul 2024 17:00:10 GMT"}}),
                              "", diag) == errc::throttled);
    CHECK(diag.retry_after == std::chrono::seconds{10});
}

TEST_CASE("the capitalised Message shape is read") {
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(500, json(), R"({"Message":"An error has occurred."})", diag) ==
          errc::server_error);
    CHECK(diag.server_message == "An error has occurred.");
    CHECK(diag.error.empty());
}

TEST_CASE("an HTML page from a gateway is named as such") {
    pbi::http::fields h;
    h.add("Content-Type", "text/html");
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(502, h, "<html><head><title>502 Bad Gateway</title></head><body></body></html>",
                              diag) == errc::server_error);
    CHECK(diag.message.find("the server answered with HTML (a gateway or proxy page?)") != std::string::npos);
    CHECK(diag.message.find("502") != std::string::npos);
    CHECK(diag.server_message == "502 Bad Gateway");

    pbi::diagnostics d2;
    CHECK(parse_powerbi_error(403, pbi::http::fields{}, "<!DOCTYPE html><p>Blocked by policy</p>", d2) ==
          errc::not_authorized);
    CHECK(d2.message.find("HTML") != std::string::npos);
}

TEST_CASE("plain text from a gateway is kept as the server message") {
    pbi::http::fields h;
    h.add("Content-Type", "text/plain");
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(503, h, "Service Unavailable\r\n", diag) == errc::server_error);
    CHECK(diag.server_message == "Service Unavailable");
    CHECK(diag.message.find("text") != std::string::npos);
}

TEST_CASE("other statuses map to powerbi_error, and non-error statuses to unexpected_status") {
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(409, json(), R"({"error":{"code":"Conflict"}})", diag) == errc::powerbi_error);
    CHECK(diag.error == "Conflict");
    pbi::diagnostics d2;
    CHECK(parse_powerbi_error(302, pbi::http::fields{}, "", d2) == errc::unexpected_status);
}

TEST_CASE("broken JSON error bodies still map by status") {
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(400, json(), R"({"error":{"code":"Inval)", diag) == errc::bad_request);
    CHECK(diag.message.find("broken JSON") != std::string::npos);
}

TEST_CASE("the OData v3 message object is read") {
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(
              400, json(),
              R"({"error":{"code":"BadRequest","message":{"lang":"en-US","value":"Bad thing"}}})",
              diag) == errc::bad_request);
    CHECK(diag.server_message == "Bad thing");
}

TEST_CASE("the client request id survives and old fields are cleared") {
    pbi::diagnostics diag;
    diag.client_request_id = "cid";
    diag.trace_id = "old";
    parse_powerbi_error(500, pbi::http::fields{}, "", diag);
    CHECK(diag.client_request_id == "cid");
    CHECK(diag.trace_id.empty());
}

TEST_CASE("every cause of WIRE.md's Power BI error table maps to a named error with a hint") {
    struct row {
        int status;
        const char* body;
        const char* error_info; // X-PowerBI-Error-Info, or nullptr
        errc expected;
        std::optional<pbi::condition> cls;
    };
    using pbi::condition;
    const row rows[] = {
        {400, R"({"error":{"code":"InvalidRequest","message":"Invalid filter"}})", nullptr, errc::bad_request,
         std::nullopt},
        {400, R"({"error":{"code":"BadRequest","message":"Bad UTF-8"}})", nullptr, errc::bad_request,
         std::nullopt},
        {401,
         R"({"error":{"code":"PowerBINotAuthorizedException","pbi.error":{"code":"PowerBINotAuthorizedException","parameters":{},"details":[]}}})",
         "PowerBINotAuthorizedException", errc::not_authorized, condition::auth},
        {401,
         R"({"error":{"code":"PowerBINotAuthorizedException","pbi.error":{"code":"ServicePrincipalIsNotAllowedByTenantAdminSwitch","parameters":{},"details":[]}}})",
         nullptr, errc::service_principal_not_allowed, condition::configuration},
        {401, R"({"error":{"code":"GroupNotAccessible"}})", nullptr, errc::not_workspace_member,
         condition::auth},
        {403, "", "TokenExpired", errc::token_expired, condition::auth},
        {403, R"({"error":{"code":"InvalidToken"}})", nullptr, errc::token_expired, condition::auth},
        {403, R"({"error":{"code":"GroupNotAccessible"}})", nullptr, errc::not_workspace_member,
         condition::auth},
        {403, R"({"error":{"code":"EmbedTokenQuotaExceeded"}})", nullptr, errc::not_authorized,
         condition::auth},
        {404, R"({"error":{"code":"PowerBIEntityNotFound"}})", "PowerBIEntityNotFound",
         errc::entity_not_found, std::nullopt},
        {429, R"({"message":"Rate limit is exceeded. Retry in 35 seconds."})", nullptr, errc::throttled,
         condition::throttled},
        {500, R"({"Message":"An error has occurred."})", nullptr, errc::server_error, condition::retryable},
        {502, "<html><title>502 Bad Gateway</title></html>", nullptr, errc::server_error,
         condition::retryable},
        {409, R"({"error":{"code":"SomethingNew"}})", nullptr, errc::powerbi_error, std::nullopt},
    };
    for (const auto& r : rows) {
        INFO(r.status << " " << r.body);
        auto h = json();
        if (r.error_info)
            h.add("X-PowerBI-Error-Info", r.error_info);
        pbi::diagnostics diag;
        auto ec = parse_powerbi_error(r.status, h, r.body, diag);
        CHECK(ec == r.expected);
        if (r.cls)
            CHECK(ec == *r.cls);
        CHECK(diag.http_status == r.status);
        CHECK(diag.request_id == "9b1a4c2e-0000-4000-8000-000000000001");
        if (r.error_info)
            CHECK(diag.powerbi_error_info == r.error_info);
        CHECK(diag.message.find(std::to_string(r.status)) != std::string::npos);
        CHECK(diag.hint.size() > 20);
    }
}

TEST_CASE("an unknown Power BI error code keeps the raw code") {
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(403, json(), R"({"error":{"code":"BrandNewRefusal"}})", diag) ==
          errc::not_authorized);
    CHECK(diag.error == "BrandNewRefusal");
    CHECK(diag.message.find("BrandNewRefusal") != std::string::npos);
}

TEST_CASE("a used-up embed-token quota says to move to a dedicated capacity") {
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(403, json(), R"({"error":{"code":"EmbedTokenQuotaExceeded"}})", diag) ==
          errc::not_authorized);
    CHECK(diag.hint.find("capacity") != std::string::npos);
}

TEST_CASE("GenerateToken's row-level-security refusals are named by their message") {
    using pbi::powerbi::classify_effective_identity_error;
    CHECK(classify_effective_identity_error("Creating embed token for accessing dataset "
                                            "cfafbeb1-8037-4d0c-896e-a46fb27ff229 requires "
                                            "effective identity to be provided") ==
          errc::effective_identity_required);
    CHECK(classify_effective_identity_error("Creating embed token for accessing dataset "
                                            "cfafbeb1-8037-4d0c-896e-a46fb27ff229 shouldn't have "
                                            "effective identity") == errc::effective_identity_not_allowed);
}

TEST_CASE("other effective-identity refusals stay bad requests with the server's words") {
    using pbi::powerbi::classify_effective_identity_error;
    // An identity was given, but its username is not accepted: naming it "required" would
    // send the operator looking for a missing identity.
    CHECK_FALSE(classify_effective_identity_error(
        "Creating embed token for accessing dataset d1 requires effective identity username to "
        "be identical to the caller's principal name"));
    CHECK_FALSE(classify_effective_identity_error(
        "Creating embed token for accessing dataset d1 requires roles to be included in provided "
        "effective identity"));
    CHECK_FALSE(classify_effective_identity_error(""));
}

TEST_CASE("a Power BI error with a huge message or code is cut, not kept in full") {
    const std::string code(5000, 'C');
    const std::string message(100 * 1024, 'm');
    pbi::diagnostics diag;
    CHECK(parse_powerbi_error(400, json(),
                              R"({"error":{"code":")" + code + R"(","message":")" + message + R"("}})",
                              diag) == errc::bad_request);
    CHECK(diag.server_message.size() <= 2003);
    CHECK(diag.server_message.rfind("mmm", 0) == 0);
    CHECK(diag.error.size() <= 203);
    CHECK(diag.message.size() < 1000);
}
