#include <pbi/powerbi/dashboard.hpp>

#include <catch2/catch.hpp>

using namespace pbi::powerbi;

TEST_CASE("one dashboard parses from a bare object with its @odata.context") {
    dashboard d;
    REQUIRE_FALSE(parse_dashboard(
        R"({"@odata.context":"http://wabi-north-europe-redirect.analysis.windows.net/v1.0/myorg/groups/g/$metadata#dashboards/$entity",)"
        R"("id":"69ffaa6c-b36d-4d01-96f5-1ed67c64d4af","displayName":"SalesMarketing","isReadOnly":true,)"
        R"("webUrl":"https://app.powerbi.com/groups/me/dashboards/69ffaa6c","embedUrl":"https://app.powerbi.com/dashboardEmbed?dashboardId=69ffaa6c&config=eyJ%3d",)"
        R"("users":[],"subscriptions":[],"dataClassification":"Confidential"})",
        d));
    CHECK(d.id == "69ffaa6c-b36d-4d01-96f5-1ed67c64d4af");
    CHECK(d.display_name == "SalesMarketing");
    CHECK(d.is_read_only);
    CHECK(d.embed_url == "https://app.powerbi.com/dashboardEmbed?dashboardId=69ffaa6c&config=eyJ%3d");
}

TEST_CASE("one dashboard without an id or a display name, or not an object, leaves the output unchanged") {
    dashboard d;
    d.id = "kept";
    CHECK(parse_dashboard(R"({"displayName":"x"})", d) == pbi::errc::unexpected_json);
    CHECK(parse_dashboard(R"({"id":"x"})", d) == pbi::errc::unexpected_json);
    CHECK(parse_dashboard(R"([{"id":"x","displayName":"y"}])", d) == pbi::errc::unexpected_json);
    CHECK(parse_dashboard("<html>gateway</html>", d) == pbi::errc::unexpected_content_type);
    CHECK(parse_dashboard("{\"id\":", d) == pbi::errc::malformed_json);
    CHECK(d.id == "kept");
}

TEST_CASE("one tile parses from a bare object and keeps report and dataset ids only when sent") {
    tile t;
    REQUIRE_FALSE(parse_tile(
        R"({"@odata.context":"x","id":"312fbfe9-2eda-44e0-9ed0-ab5dc571bb4b",)"
        R"("title":"SalesMarketingTile","embedUrl":"https://app.powerbi.com/embed?tileId=312fbfe9",)"
        R"("rowSpan":1,"colSpan":3,"reportId":"5b218778-e7a5-4d73-8187-f10824047715"})",
        t));
    CHECK(t.title == "SalesMarketingTile");
    CHECK(t.row_span == 1);
    CHECK(t.col_span == 3);
    CHECK(t.report_id == "5b218778-e7a5-4d73-8187-f10824047715");
    CHECK_FALSE(t.dataset_id);

    tile bare;
    REQUIRE_FALSE(parse_tile(R"({"id":"t2","datasetId":null})", bare));
    CHECK(bare.id == "t2");
    CHECK(bare.title.empty());
    CHECK_FALSE(bare.dataset_id);
}

TEST_CASE("one tile without an id is unexpected JSON") {
    tile t;
    CHECK(parse_tile(R"({"title":"x"})", t) == pbi::errc::unexpected_json);
    CHECK(parse_tile(R"({"value":[{"id":"x"}]})", t) == pbi::errc::unexpected_json);
    CHECK(t.id.empty());
}
