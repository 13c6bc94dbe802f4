#include <pbi/powerbi/dashboard.hpp>

#include <catch2/catch.hpp>

using namespace pbi::powerbi;

TEST_CASE("dashboards parse from the value list with optional fields absent") {
    std::vector<dashboard> ds;
    REQUIRE_FALSE(parse_dashboards(
        R"({"@odata.context":"http://wabi-north-europe-redirect.analysis.windows.net/v1.0/myorg/groups/g/$metadata#dashboards",)"
        R"("value":[{"id":"69ffaa6c-b36d-4d01-96f5-1ed67c64d4af","displayName":"SalesMarketing","isReadOnly":true,)"
        R"("webUrl":"https://app.powerbi.com/groups/me/dashboards/69ffaa6c","embedUrl":"https://app.powerbi.com/dashboardEmbed?dashboardId=69ffaa6c&config=eyJ%3d",)"
        R"("users":[],"subscriptions":[]},{"id":"d2","displayName":"Bare","webUrl":null}]})",
        ds));
    REQUIRE(ds.size() == 2);
    CHECK(ds[0].id == "69ffaa6c-b36d-4d01-96f5-1ed67c64d4af");
    CHECK(ds[0].display_name == "SalesMarketing");
    CHECK(ds[0].is_read_only);
    CHECK(ds[0].embed_url == "https://app.powerbi.com/dashboardEmbed?dashboardId=69ffaa6c&config=eyJ%3d");
    CHECK(ds[1].display_name == "Bare");
    CHECK_FALSE(ds[1].is_read_only);
    CHECK(ds[1].web_url.empty());
}

TEST_CASE("a dashboard without an id or a display name is unexpected JSON") {
    std::vector<dashboard> ds{dashboard{}};
    CHECK(parse_dashboards(R"({"value":[{"displayName":"x"}]})", ds) == pbi::errc::unexpected_json);
    CHECK(parse_dashboards(R"({"value":[{"id":"x"}]})", ds) == pbi::errc::unexpected_json);
    CHECK(ds.size() == 1); // left unchanged
    CHECK(parse_dashboards("<html>gateway</html>", ds) == pbi::errc::unexpected_content_type);
    CHECK(parse_dashboards("{\"value\":[", ds) == pbi::errc::malformed_json);
}

TEST_CASE("tiles keep report and dataset ids only when sent") {
    std::vector<tile> ts;
    REQUIRE_FALSE(
        parse_tiles(R"({"value":[)"
                    R"({"id":"312fbfe9-2eda-44e0-9ed0-ab5dc571bb4b","title":"SalesMarketingTile",)"
                    R"("embedUrl":"https://app.powerbi.com/embed?dashboardId=69ffaa6c&tileId=312fbfe9",)"
                    R"("rowSpan":0,"colSpan":3,"reportId":"5b218778-e7a5-4d73-8187-f10824047715",)"
                    R"("datasetId":"cfafbeb1-8037-4d0c-896e-a46fb27ff229"},)"
                    R"({"id":"t2","rowSpan":"wide","reportId":null}]})",
                    ts));
    REQUIRE(ts.size() == 2);
    CHECK(ts[0].title == "SalesMarketingTile");
    CHECK(ts[0].col_span == 3);
    CHECK(ts[0].row_span == 0);
    CHECK(ts[0].report_id == "5b218778-e7a5-4d73-8187-f10824047715");
    CHECK(ts[0].dataset_id == "cfafbeb1-8037-4d0c-896e-a46fb27ff229");
    CHECK(ts[1].title.empty());
    CHECK(ts[1].row_span == 0);
    CHECK_FALSE(ts[1].report_id);
    CHECK_FALSE(ts[1].dataset_id);
}

TEST_CASE("a tile without an id is unexpected JSON") {
    std::vector<tile> ts;
    CHECK(parse_tiles(R"({"value":[{"title":"x"}]})", ts) == pbi::errc::unexpected_json);
    CHECK(parse_tiles(R"({"value":{}})", ts) == pbi::errc::unexpected_json);
}
