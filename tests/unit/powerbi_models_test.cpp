#include <pbi/powerbi/models.hpp>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <sstream>

using namespace pbi::powerbi;
using namespace std::chrono;

TEST_CASE("workspaces parse from the value list with optional fields absent or null") {
    std::vector<workspace> ws;
    REQUIRE_FALSE(parse_workspaces(
        R"({"@odata.context":"http://wabi-north-europe-redirect.analysis.windows.net/v1.0/myorg/$metadata#groups",)"
        R"("@odata.count":2,"value":[)"
        R"({"id":"f089354e-8366-4e18-aea3-4cb4a3a50b48","isReadOnly":false,"isOnDedicatedCapacity":true,)"
        R"("capacityId":"0f084df7-c13d-451b-af5f-ed0c466403b2","defaultDatasetStorageFormat":"Small",)"
        R"("type":"Workspace","name":"Sales"},)"
        R"({"id":"3d9b93c6-7b6d-4801-a491-1738910904fd","name":"Marketing","capacityId":null}]})",
        ws));
    REQUIRE(ws.size() == 2);
    CHECK(ws[0].id == "f089354e-8366-4e18-aea3-4cb4a3a50b48");
    CHECK(ws[0].name == "Sales");
    CHECK(ws[0].is_on_dedicated_capacity);
    CHECK_FALSE(ws[0].is_read_only);
    CHECK(ws[0].capacity_id == "0f084df7-c13d-451b-af5f-ed0c466403b2");
    CHECK(ws[0].type == "Workspace");
    CHECK(ws[1].name == "Marketing");
    CHECK_FALSE(ws[1].capacity_id);
    CHECK_FALSE(ws[1].type);
    CHECK_FALSE(ws[1].is_on_dedicated_capacity);
}

TEST_CASE("an empty workspace list is fine") {
    std::vector<workspace> ws{workspace{}};
    REQUIRE_FALSE(parse_workspaces(R"({"value":[]})", ws));
    CHECK(ws.empty());
}

TEST_CASE("a paginated report has no datasetId") {
    std::vector<report> rs;
    REQUIRE_FALSE(parse_reports(
        R"({"value":[{"id":"66b2570c-d9d3-40b2-83d9-1095c6700041","reportType":"PaginatedReport",)"
        R"("name":"Invoices","webUrl":"https://app.powerbi.com/groups/g/rdlreports/66b2570c",)"
        R"("embedUrl":"https://app.powerbi.com/rdlEmbed?reportId=66b2570c","isOwnedByMe":true,)"
        R"("users":[],"subscriptions":[]},)"
        R"({"id":"5b218778-e7a5-4d73-8187-f10824047715","reportType":"PowerBIReport","name":"Sales",)"
        R"("datasetId":"cfafbeb1-8037-4d0c-896e-a46fb27ff229","webUrl":"w","embedUrl":"e",)"
        R"("appId":null,"description":"All sales"}]})",
        rs));
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].is_paginated());
    CHECK_FALSE(rs[0].dataset_id);
    CHECK(rs[0].is_owned_by_me);
    CHECK_FALSE(rs[1].is_paginated());
    CHECK(rs[1].dataset_id == "cfafbeb1-8037-4d0c-896e-a46fb27ff229");
    CHECK(rs[1].description == "All sales");
    CHECK_FALSE(rs[1].app_id);
    CHECK_FALSE(rs[1].is_owned_by_me);
}

TEST_CASE("embedUrl is kept byte for byte, %20 and & included") {
    const std::string url =
        "https://app.powerbi.com/"
        "reportEmbed?reportId=5b218778&groupId=f089354e&w=2&config=eyJjbHVzdGVyVXJsIjoi"
        "aHR0cHM6Ly9XQUJJ%20LVVTLU5PUlRILUNFTlRSQUwtcmVkaXJlY3QuYW5hbHlzaXMud2luZG93cy5uZXQifQ%3d%3d";
    boost::json::object o{{"id", "5b218778-e7a5-4d73-8187-f10824047715"},
                          {"name", "R"},
                          {"embedUrl", url},
                          {"webUrl", "https://app.powerbi.com/groups/me/reports/5b218778?a=%20&b=c"}};
    report r;
    REQUIRE_FALSE(parse_report(boost::json::serialize(o), r));
    CHECK(r.embed_url == url);
    CHECK(r.web_url == "https://app.powerbi.com/groups/me/reports/5b218778?a=%20&b=c");
    // JSON escapes such as \u0026 decode to the same bytes.
    REQUIRE_FALSE(parse_report(R"({"id":"i","name":"n","embedUrl":"https://x/?a=1\u0026b=%20"})", r));
    CHECK(r.embed_url == "https://x/?a=1&b=%20");
}

TEST_CASE("unknown keys are ignored, including @odata.context on a single report") {
    report r;
    REQUIRE_FALSE(
        parse_report(R"({"@odata.context":"http://internal/$metadata#reports/$entity",)"
                     R"("id":"i","name":"n","futureField":{"nested":[1,2,3]},"reportType":"NewKind"})",
                     r));
    CHECK(r.id == "i");
    CHECK(r.report_type == "NewKind");
    CHECK_FALSE(r.is_paginated());
}

TEST_CASE("GUIDs compare case-insensitively") {
    CHECK(same_id("F089354E-8366-4E18-AEA3-4CB4A3A50B48", "f089354e-8366-4e18-aea3-4cb4a3a50b48"));
    CHECK_FALSE(same_id("f089354e-8366-4e18-aea3-4cb4a3a50b48", "f089354e-8366-4e18-aea3-4cb4a3a50b49"));
    CHECK_FALSE(same_id("f089354e", "f089354e-8366"));
}

TEST_CASE("wrong types on required fields are unexpected_json") {
    std::vector<report> rs;
    report r;
    std::vector<workspace> ws;
    CHECK(parse_report(R"({"id":42,"name":"n"})", r) == pbi::errc::unexpected_json);
    CHECK(parse_report(R"({"name":"n"})", r) == pbi::errc::unexpected_json);
    CHECK(parse_report(R"({"id":"i","name":null})", r) == pbi::errc::unexpected_json);
    CHECK(parse_reports(R"({"value":[{"id":"i","name":"n"},{"id":"j","name":["n"]}]})", rs) ==
          pbi::errc::unexpected_json);
    CHECK(parse_reports(R"({"value":{}})", rs) == pbi::errc::unexpected_json);
    CHECK(parse_reports(R"({"value":[1]})", rs) == pbi::errc::unexpected_json);
    CHECK(parse_reports(R"({})", rs) == pbi::errc::unexpected_json);
    CHECK(parse_workspaces(R"({"value":[{"id":"i"}]})", ws) == pbi::errc::unexpected_json);
    CHECK(rs.empty());
    CHECK(ws.empty());
}

TEST_CASE("optional fields of the wrong type are treated as absent") {
    report r;
    REQUIRE_FALSE(parse_report(R"({"id":"i","name":"n","datasetId":5,"isOwnedByMe":"yes","embedUrl":7})", r));
    CHECK_FALSE(r.dataset_id);
    CHECK_FALSE(r.is_owned_by_me);
    CHECK(r.embed_url.empty());
}

TEST_CASE("bodies that are not JSON are told apart from broken JSON") {
    report r;
    std::vector<page> ps;
    CHECK(parse_report("<html><title>Gateway Timeout</title></html>", r) ==
          pbi::errc::unexpected_content_type);
    CHECK(parse_report("Service Unavailable", r) == pbi::errc::unexpected_content_type);
    CHECK(parse_report(R"({"id":"i","na)", r) == pbi::errc::malformed_json);
    CHECK(parse_report("", r) == pbi::errc::malformed_json);
    CHECK(parse_pages("<!DOCTYPE html>", ps) == pbi::errc::unexpected_content_type);
    CHECK(parse_report(R"([])", r) == pbi::errc::unexpected_json);
}

TEST_CASE("pages parse with name, displayName and order") {
    std::vector<page> ps;
    REQUIRE_FALSE(
        parse_pages(R"({"value":[{"name":"ReportSection","displayName":"Overview","order":0},)"
                    R"({"name":"ReportSection600dd9293d71ade01765","displayName":"Details","order":1}]})",
                    ps));
    REQUIRE(ps.size() == 2);
    CHECK(ps[1].name == "ReportSection600dd9293d71ade01765");
    CHECK(ps[1].display_name == "Details");
    CHECK(ps[1].order == 1);
    CHECK(parse_pages(R"({"value":[{"displayName":"x"}]})", ps) == pbi::errc::unexpected_json);
}

TEST_CASE("embed token parses with a Z, fractional seconds or an offset") {
    embed_token t;
    REQUIRE_FALSE(parse_embed_token(
        R"({"@odata.context":"x","token":"H4sIAAAA","tokenId":"49ae3742-54c0-4c29-af52-619ff93b5c80",)"
        R"("expiration":"2024-07-29T17:58:19Z"})",
        t));
    CHECK(t.token.reveal() == "H4sIAAAA");
    CHECK(t.token_id == "49ae3742-54c0-4c29-af52-619ff93b5c80");
    auto expected = sys_days{year{2024} / July / 29} + hours{17} + minutes{58} + seconds{19};
    CHECK(t.expiration == expected);

    REQUIRE_FALSE(
        parse_embed_token(R"({"token":"a","tokenId":"b","expiration":"2024-07-29T17:58:19.5Z"})", t));
    CHECK(t.expiration == expected + milliseconds{500});
    REQUIRE_FALSE(
        parse_embed_token(R"({"token":"a","tokenId":"b","expiration":"2024-07-29T17:58:19+00:00"})", t));
    CHECK(t.expiration == expected);
    REQUIRE_FALSE(parse_embed_token(
        R"({"token":"a","tokenId":"b","expiration":"2024-07-29T19:58:19.1234567+02:00"})", t));
    CHECK(t.expiration == expected + microseconds{123456} + nanoseconds{700});
}

TEST_CASE("embed tokens without a token or a readable expiration are unexpected_json") {
    embed_token t;
    CHECK(parse_embed_token(R"({"tokenId":"b","expiration":"2024-07-29T17:58:19Z"})", t) ==
          pbi::errc::unexpected_json);
    CHECK(parse_embed_token(R"({"token":null,"expiration":"2024-07-29T17:58:19Z"})", t) ==
          pbi::errc::unexpected_json);
    CHECK(parse_embed_token(R"({"token":"a"})", t) == pbi::errc::unexpected_json);
    CHECK(parse_embed_token(R"({"token":"a","expiration":"tomorrow"})", t) == pbi::errc::unexpected_json);
    CHECK(parse_embed_token(R"({"token":"a","expiration":"2024-02-30T00:00:00Z"})", t) ==
          pbi::errc::unexpected_json);
    CHECK(t.token.empty());
}

TEST_CASE("printing an embed token never shows the token") {
    embed_token t;
    t.token = pbi::secret{std::string("H4sIsecret")};
    t.token_id = "tid";
    t.expiration = sys_days{year{2024} / July / 29} + hours{17};
    std::ostringstream os;
    os << t;
    CHECK(os.str().find("H4sI") == std::string::npos);
    CHECK(os.str().find("tid") != std::string::npos);
    CHECK(os.str().find("2024-07-29T17:00:00Z") != std::string::npos);
}

TEST_CASE("date-times round-trip through format_datetime") {
    auto t = sys_days{year{2024} / July / 29} + hours{17} + minutes{58} + seconds{19};
    CHECK(format_datetime(t) == "2024-07-29T17:58:19Z");
    CHECK(parse_datetime("2024-07-29T17:58:19Z") == t);
    CHECK(parse_datetime("2024-07-29T17:58:19") == t);
    CHECK(parse_datetime("2024-07-29T12:58:19-0500") == t);
    CHECK_FALSE(parse_datetime("2024-07-29T17:58:19Zjunk"));
    CHECK_FALSE(parse_datetime("2024-07-29"));
}

TEST_CASE("GenerateToken body carries access level, identities and lifetime") {
    generate_token_request req;
    CHECK(generate_token_request_body(req) == R"({"accessLevel":"View"})");
    req.identities.push_back({"user@contoso.com", {"Region \"West\""}, {"cfafbeb1"}, std::nullopt});
    req.identities.push_back({"bob", {}, {"d2"}, std::string("cd")});
    req.lifetime_in_minutes = 30;
    CHECK(generate_token_request_body(req) ==
          R"({"accessLevel":"View","identities":[{"username":"user@contoso.com","roles":["Region \"West\""],)"
          R"("datasets":["cfafbeb1"]},{"username":"bob","datasets":["d2"],"customData":"cd"}],)"
          R"("lifetimeInMinutes":30})");
}

TEST_CASE("a v2 GenerateToken body lists reports, datasets, target workspaces and identities") {
    generate_token_v2_request r;
    r.reports = {{"r1", false}, {"r2", true}};
    r.datasets = {"d1"};
    r.target_workspaces = {"w1"};
    r.identities = {{"screen-7", {"Lobby"}, {"d1"}, std::string("floor=2")}};
    r.lifetime_in_minutes = 30;
    auto v = boost::json::parse(generate_token_v2_request_body(r));
    CHECK(v.at("reports").at(0) == boost::json::parse(R"({"id":"r1"})"));
    CHECK(v.at("reports").at(1) == boost::json::parse(R"({"id":"r2","allowEdit":true})"));
    CHECK(v.at("datasets") == boost::json::parse(R"([{"id":"d1"}])"));
    CHECK(v.at("targetWorkspaces") == boost::json::parse(R"([{"id":"w1"}])"));
    CHECK(v.at("identities").at(0) ==
          boost::json::parse(
              R"({"username":"screen-7","roles":["Lobby"],"datasets":["d1"],"customData":"floor=2"})"));
    CHECK(v.at("lifetimeInMinutes") == 30);
    CHECK_FALSE(v.as_object().contains("accessLevel"));

    auto bare =
        boost::json::parse(generate_token_v2_request_body({{{"r1", false}}, {}, {}, {}, std::nullopt}));
    CHECK(bare.as_object().size() == 1);
}
