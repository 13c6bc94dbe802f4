// Export To File, sans-io: the formats, the ExportTo body, and the export object parser.
#include <pbi/error.hpp>
#include <pbi/powerbi/export.hpp>

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <string>

using namespace pbi::powerbi;

TEST_CASE("export formats have their wire names and parse in any case") {
    CHECK(std::string(to_string(export_format::png)) == "PNG");
    CHECK(std::string(to_string(export_format::pptx)) == "PPTX");
    CHECK(std::string(to_string(export_format::accessible_pdf)) == "ACCESSIBLEPDF");
    CHECK(parse_export_format("png") == export_format::png);
    CHECK(parse_export_format(" Pdf ") == export_format::pdf);
    CHECK(parse_export_format("AccessiblePdf") == export_format::accessible_pdf);
    CHECK(parse_export_format("accessible_pdf") == export_format::accessible_pdf);
    CHECK(parse_export_format("xlsx") == export_format::xlsx);
    CHECK_FALSE(parse_export_format("jpeg"));
    CHECK_FALSE(parse_export_format(""));
}

TEST_CASE("a Power BI report exports to PNG, PDF and PPTX; a paginated report to everything but PNG") {
    CHECK(export_format_supported(export_format::png, false));
    CHECK(export_format_supported(export_format::pdf, false));
    CHECK(export_format_supported(export_format::pptx, false));
    CHECK_FALSE(export_format_supported(export_format::xlsx, false));
    CHECK_FALSE(export_format_supported(export_format::image, false));
    CHECK_FALSE(export_format_supported(export_format::accessible_pdf, false));

    CHECK_FALSE(export_format_supported(export_format::png, true));
    CHECK(export_format_supported(export_format::pdf, true));
    CHECK(export_format_supported(export_format::pptx, true));
    CHECK(export_format_supported(export_format::xlsx, true));
    CHECK(export_format_supported(export_format::image, true));
    CHECK(export_format_supported(export_format::accessible_pdf, true));
}

TEST_CASE("the ExportTo body of a Power BI report carries pages, bookmarks, filters and the locale") {
    export_request r;
    r.format = export_format::png;
    export_page first;
    first.name = "ReportSection";
    first.bookmark = export_bookmark{"Bookmark3", ""};
    export_page second;
    second.name = "ReportSection2";
    second.visual_name = "VisualContainer4";
    r.pages = {first, second};
    r.bookmark = export_bookmark{"", "H4sIAAAAAAAAA+1c"};
    r.report_level_filters = {"Store/Territory eq 'NC'"};
    r.locale = "en-US";

    auto body = boost::json::parse(export_request_body(r, false)).as_object();
    CHECK(body.at("format") == "PNG");
    CHECK_FALSE(body.contains("paginatedReportConfiguration"));
    const auto& config = body.at("powerBIReportConfiguration").as_object();
    const auto& pages = config.at("pages").as_array();
    REQUIRE(pages.size() == 2);
    CHECK(pages[0].at("pageName") == "ReportSection");
    CHECK(pages[0].at("bookmark") == boost::json::object{{"name", "Bookmark3"}});
    CHECK_FALSE(pages[0].as_object().contains("visualName"));
    CHECK(pages[1].at("visualName") == "VisualContainer4");
    CHECK_FALSE(pages[1].as_object().contains("bookmark"));
    CHECK(config.at("defaultBookmark") == boost::json::object{{"state", "H4sIAAAAAAAAA+1c"}});
    CHECK(config.at("reportLevelFilters") ==
          boost::json::array{boost::json::object{{"filter", "Store/Territory eq 'NC'"}}});
    CHECK(config.at("settings") == boost::json::object{{"locale", "en-US"}});
    CHECK_FALSE(config.contains("identities"));
}

TEST_CASE("an ExportTo body without options is just the format") {
    export_request r;
    r.format = export_format::pdf;
    CHECK(export_request_body(r, false) == R"({"format":"PDF"})");
    r.format = export_format::xlsx;
    CHECK(export_request_body(r, true) == R"({"format":"XLSX"})");
}

TEST_CASE("the ExportTo body of a paginated report carries format settings, parameters and identities") {
    export_request r;
    r.format = export_format::image;
    r.format_settings = {{"OutputFormat", "PNG"}, {"StartPage", "3"}};
    r.parameter_values = {{"City", "Seattle"}, {"City", "Bellevue"}};
    r.identities.push_back({"john@contoso.com", {"sales"}, {"cfafbeb1-8037-4d0c-896e-a46fb27ff229"}, {}});

    auto body = boost::json::parse(export_request_body(r, true)).as_object();
    CHECK(body.at("format") == "IMAGE");
    CHECK_FALSE(body.contains("powerBIReportConfiguration"));
    const auto& config = body.at("paginatedReportConfiguration").as_object();
    CHECK(config.at("formatSettings") == boost::json::object{{"OutputFormat", "PNG"}, {"StartPage", "3"}});
    const auto& values = config.at("parameterValues").as_array();
    REQUIRE(values.size() == 2); // a multi-value parameter repeats its name
    CHECK(values[1] == boost::json::object{{"name", "City"}, {"value", "Bellevue"}});
    const auto& identity = config.at("identities").as_array().at(0).as_object();
    CHECK(identity.at("username") == "john@contoso.com");
    CHECK(identity.at("roles") == boost::json::array{"sales"});
}

TEST_CASE("an export object gives its id, status, progress and file extension") {
    export_status s;
    REQUIRE_FALSE(parse_export_status(
        R"({"@odata.context":"http://x/$metadata#exports/$entity","id":"Mi9C+19i/A==",)"
        R"("createdDateTime":"2020-06-09T09:04:14.6941054Z","reportId":"r","reportName":"Sales",)"
        R"("status":"Succeeded","percentComplete":100,"resourceLocation":"https://api/file",)"
        R"("resourceFileExtension":".zip","expirationTime":"2020-06-10T09:04:14Z"})",
        s));
    CHECK(s.id == "Mi9C+19i/A==");
    CHECK(s.state == export_state::succeeded);
    CHECK(s.percent_complete == 100);
    CHECK(s.resource_file_extension == ".zip");
    CHECK(s.resource_location == "https://api/file");
    CHECK(s.report_name == "Sales");
    CHECK(s.error_message.empty());

    REQUIRE_FALSE(parse_export_status(R"({"id":"a","status":"running","percentComplete":"40"})", s));
    CHECK(s.state == export_state::running); // the status in any case, the number as a string
    CHECK(s.percent_complete == 40);
    CHECK_FALSE(s.resource_file_extension);
    REQUIRE_FALSE(parse_export_status(R"({"id":"a","status":"NotStarted"})", s));
    CHECK(s.state == export_state::not_started);
    CHECK(s.percent_complete == 0);
    REQUIRE_FALSE(parse_export_status(R"({"id":"a","status":"Undefined","percentComplete":250})", s));
    CHECK(s.state == export_state::undefined);
    CHECK(s.percent_complete == 100);
    CHECK(std::string(to_string(export_state::not_started)) == "NotStarted");
}

TEST_CASE("a failed export object keeps the service's error") {
    export_status s;
    REQUIRE_FALSE(parse_export_status(
        R"({"id":"a","status":"Failed","error":{"code":"ExportFailed","message":"Visual rendering failed"}})",
        s));
    CHECK(s.state == export_state::failed);
    CHECK(s.error_code == "ExportFailed");
    CHECK(s.error_message == "Visual rendering failed");
    REQUIRE_FALSE(parse_export_status(R"({"id":"a","status":"Failed","error":"out of memory"})", s));
    CHECK(s.error_message == "out of memory");
}

TEST_CASE("an export object with an unknown status, no id or fields of the wrong type is refused") {
    export_status s;
    REQUIRE_FALSE(parse_export_status(R"({"id":"kept","status":"Running"})", s));
    CHECK(parse_export_status(R"({"id":"a","status":"Paused"})", s) == pbi::errc::unexpected_json);
    CHECK(parse_export_status(R"({"status":"Running"})", s) == pbi::errc::unexpected_json);
    CHECK(parse_export_status(R"({"id":"","status":"Running"})", s) == pbi::errc::unexpected_json);
    CHECK(parse_export_status(R"({"id":42,"status":"Running"})", s) == pbi::errc::unexpected_json);
    CHECK(parse_export_status(R"({"id":"a","status":3})", s) == pbi::errc::unexpected_json);
    CHECK(parse_export_status(R"({"id":"a"})", s) == pbi::errc::unexpected_json);
    CHECK(parse_export_status(R"(["id","status"])", s) == pbi::errc::unexpected_json);
    CHECK(parse_export_status(R"({"id":"a","status":)", s) == pbi::errc::malformed_json);
    CHECK(parse_export_status("", s) == pbi::errc::malformed_json);
    CHECK(parse_export_status("<html>Bad gateway</html>", s) == pbi::errc::unexpected_content_type);
    CHECK(s.id == "kept"); // left unchanged

    // Optional fields of the wrong type count as absent.
    REQUIRE_FALSE(parse_export_status(
        R"({"id":"a","status":"Running","percentComplete":{},"resourceFileExtension":7,"error":null})", s));
    CHECK(s.percent_complete == 0);
    CHECK_FALSE(s.resource_file_extension);
}

TEST_CASE("the export errors have names and messages") {
    auto unsupported = pbi::make_error_code(pbi::errc::export_format_not_supported);
    auto failed = pbi::make_error_code(pbi::errc::export_failed);
    CHECK(std::string(pbi::to_string(pbi::errc::export_format_not_supported)) ==
          "export_format_not_supported");
    CHECK(std::string(pbi::to_string(pbi::errc::export_failed)) == "export_failed");
    CHECK(unsupported.message() != "unknown pbi error");
    CHECK(failed.message() != "unknown pbi error");
    CHECK(failed != pbi::condition::retryable);
}
